/// Reading `pre_tokenizer`: ByteLevel, Digits, Split (GPT-2 / Llama 3 / Qwen2 patterns),
/// BertPreTokenizer, Whitespace, WhitespaceSplit, Metaspace, or a Sequence of those.
///
/// A BPE model with a ByteLevel step is byte-level BPE, and nothing may follow that step (later steps
/// would see byte-level characters instead of text); a BPE model without one works on characters
/// (SentencePiece vocabularies) and may have Metaspace instead. WordPiece must have neither (its
/// vocabulary is plain text, its words are split on whitespace).
extension TokenizerJSON {
    /// The pre-tokenizer, and whether it has a ByteLevel step.
    static func parsePreTokenizer(_ node: JSONNode?, model: ModelType) throws -> (PreTokenizer, byteLevel: Bool) {
        guard let node else { return (PreTokenizer(steps: []), false) }
        var steps: [PreTokenizer.Step] = []
        var byteLevelPath: String? = nil
        var metaspacePath: String? = nil
        try collectSteps(node, into: &steps, byteLevelPath: &byteLevelPath, metaspacePath: &metaspacePath)
        switch (model, byteLevelPath, metaspacePath) {
        case let (.wordPiece, path?, _):
            throw TokenizerError.unsupportedOption(path: "\(path).type", value: "\"ByteLevel\" with a WordPiece model")
        case let (.wordPiece, _, path?):
            throw TokenizerError.unsupportedOption(path: "\(path).type", value: "\"Metaspace\" with a WordPiece model")
        case let (.bpe, _?, path?):
            throw TokenizerError.unsupportedOption(path: "\(path).type", value: "\"Metaspace\" with a ByteLevel step")
        default:
            return (PreTokenizer(steps: steps), byteLevelPath != nil)
        }
    }

    private static func collectSteps(_ node: JSONNode, into steps: inout [PreTokenizer.Step], byteLevelPath: inout String?,
                                     metaspacePath: inout String?) throws {
        let typeNode = try node.requiredField("type")
        let type = try typeNode.string()
        if let previous = byteLevelPath, type != "Sequence" {
            // Steps after ByteLevel would see byte-level characters instead of text.
            throw TokenizerError.unsupportedOption(path: typeNode.path, value: "\"\(type)\" after ByteLevel at \(previous)")
        }
        switch type {
        case "Sequence":
            for child in try node.requiredField("pretokenizers").array() {
                try collectSteps(child, into: &steps, byteLevelPath: &byteLevelPath, metaspacePath: &metaspacePath)
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
        case "Metaspace":
            let metaspace = try parseMetaspace(node)
            if metaspace.prependScheme == .first && !steps.isEmpty {
                // Only the first step sees whole segments, whose start offset `first` depends on.
                throw TokenizerError.unsupportedOption(path: "\(node.path).prepend_scheme", value: "\"first\" after another pre-tokenizer")
            }
            steps.append(.metaspace(metaspace))
            metaspacePath = node.path
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

    /// `Metaspace`: `replacement` (one character), `prepend_scheme` (older files: `add_prefix_space`,
    /// true meaning "always"), `split` (default true).
    static func parseMetaspace(_ node: JSONNode) throws -> MetaspaceSplit {
        let replacementNode = try node.requiredField("replacement")
        let scalars = Array(try replacementNode.string().unicodeScalars)
        guard scalars.count == 1 else {
            throw TokenizerError.invalidField(path: replacementNode.path, expected: "a single character")
        }
        let scheme: MetaspaceSplit.PrependScheme
        if let schemeNode = try node.optionalField("prepend_scheme") {
            guard let known = MetaspaceSplit.PrependScheme(rawValue: try schemeNode.string()) else {
                throw TokenizerError.unsupportedOption(path: schemeNode.path, value: "\"\(try schemeNode.string())\"")
            }
            scheme = known
        } else {
            scheme = try node.bool("add_prefix_space", default: true) ? .always : .never
        }
        return MetaspaceSplit(replacement: scalars[0], prependScheme: scheme, split: try node.bool("split", default: true))
    }
}
