/// Reading `pre_tokenizer`: ByteLevel, Digits, Split (GPT-2 / Llama 3 / Qwen2 patterns),
/// BertPreTokenizer, Whitespace, WhitespaceSplit, or a Sequence of those.
///
/// Byte-level BPE needs a ByteLevel step, and nothing after it (later steps would see byte-level
/// characters instead of text); WordPiece must not have one (its vocabulary is plain text).
extension TokenizerJSON {
    static func parsePreTokenizer(_ node: JSONNode?, model: ModelType) throws -> PreTokenizer {
        guard let node else {
            if model == .wordPiece { return PreTokenizer(steps: []) }
            throw TokenizerError.unsupportedOption(path: "pre_tokenizer", value: "null (a ByteLevel pre-tokenizer is required)")
        }
        var steps: [PreTokenizer.Step] = []
        var byteLevelPath: String? = nil
        try collectSteps(node, into: &steps, byteLevelPath: &byteLevelPath)
        switch (model, byteLevelPath) {
        case (.bpe, nil):
            throw TokenizerError.unsupportedOption(path: "pre_tokenizer", value: "no ByteLevel step (byte-level BPE requires one)")
        case let (.wordPiece, path?):
            throw TokenizerError.unsupportedOption(path: "\(path).type", value: "\"ByteLevel\" with a WordPiece model")
        default:
            return PreTokenizer(steps: steps)
        }
    }

    private static func collectSteps(_ node: JSONNode, into steps: inout [PreTokenizer.Step], byteLevelPath: inout String?) throws {
        let typeNode = try node.requiredField("type")
        let type = try typeNode.string()
        if let previous = byteLevelPath, type != "Sequence" {
            // Steps after ByteLevel would see byte-level characters instead of text.
            throw TokenizerError.unsupportedOption(path: typeNode.path, value: "\"\(type)\" after ByteLevel at \(previous)")
        }
        switch type {
        case "Sequence":
            for child in try node.requiredField("pretokenizers").array() {
                try collectSteps(child, into: &steps, byteLevelPath: &byteLevelPath)
            }
        case "ByteLevel":
            // HF defaults: add_prefix_space = true, use_regex = true.
            if try node.bool("add_prefix_space", default: true) { steps.append(.prefixSpace) }
            if try node.bool("use_regex", default: true) { steps.append(.gpt2Split) }
            byteLevelPath = node.path
        case "Digits":
            steps.append(.digits(individual: try node.bool("individual_digits", default: false)))
        case "BertPreTokenizer":
            steps.append(.words(.bert))
        case "WhitespaceSplit":
            steps.append(.words(.whitespaceSplit))
        case "Whitespace":
            steps.append(.words(.wordRuns))
        case "Split":
            steps.append(try parseSplit(node))
        default:
            throw TokenizerError.unsupportedComponent(type: type, path: typeNode.path)
        }
    }

    /// `Split` with one of the patterns that have a scanner, Isolated, not inverted.
    private static func parseSplit(_ node: JSONNode) throws -> PreTokenizer.Step {
        let pattern = try node.requiredField("pattern")
        let step: PreTokenizer.Step
        if let regex = try pattern.field("Regex") {
            // Compared by exact scalars: these are the only patterns with a scanner.
            let text = Array(try regex.string().utf8)
            if text == Array(gpt2Pattern.utf8) {
                step = .gpt2Split
            } else if text == Array(Llama3PreTokenizer.llama3Pattern.utf8) {
                step = .llama3Split(maxDigits: 3)
            } else if text == Array(Llama3PreTokenizer.qwen2Pattern.utf8) {
                step = .llama3Split(maxDigits: 1)
            } else {
                throw TokenizerError.unsupportedOption(
                    path: regex.path, value: "\"\(try regex.string())\" (only the GPT-2, Llama 3 and Qwen2 patterns are implemented)")
            }
        } else {
            throw TokenizerError.unsupportedOption(path: pattern.path, value: "a non-Regex pattern")
        }
        if let behavior = try node.optionalField("behavior"), try behavior.string() != "Isolated" {
            throw TokenizerError.unsupportedOption(path: behavior.path, value: "\"\(try behavior.string())\"")
        }
        if try node.bool("invert", default: false) {
            throw TokenizerError.unsupportedOption(path: "\(node.path).invert", value: "true")
        }
        return step
    }
}
