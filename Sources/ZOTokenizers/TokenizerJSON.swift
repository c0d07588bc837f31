/// Reading HF `tokenizer.json` into a `TokenizerDefinition`.
///
/// Only what byte-level BPE needs is accepted; every unknown component `type` or id-changing option
/// throws a `TokenizerError` naming its JSON path (e.g. `pre_tokenizer.pretokenizers[1].type`).
enum TokenizerJSON {
    /// GPT-2's split pattern, as HF writes it in `Split` pre-tokenizers.
    static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    static func parse(_ data: [UInt8]) throws -> TokenizerDefinition {
        let root = JSONNode(try JSONValue.parse(data), path: "")
        guard case .object = root.value else {
            throw TokenizerError.invalidField(path: "<root>", expected: "an object, found \(root.value.typeName)")
        }

        for key in ["truncation", "padding"] {
            if let node = try root.optionalField(key) {
                throw TokenizerError.unsupportedOption(path: node.path, value: "non-null (changes the ids)")
            }
        }

        var definition = try parseModel(try root.requiredField("model"))
        definition.normalizer = try parseNormalizer(try root.optionalField("normalizer"))
        definition.preTokenizer = try parsePreTokenizer(try root.optionalField("pre_tokenizer"))
        definition.postProcessor = try PostProcessor.parse(try root.optionalField("post_processor"))
        try checkDecoder(try root.optionalField("decoder"))
        if let added = try root.optionalField("added_tokens") {
            definition.addedTokens = try parseAddedTokens(added, definition: definition)
        }
        return definition
    }

    // MARK: model

    private static func parseModel(_ model: JSONNode) throws -> TokenizerDefinition {
        if let typeNode = try model.field("type") {
            let type = try typeNode.string()
            guard type == "BPE" else { throw TokenizerError.unsupportedComponent(type: type, path: typeNode.path) }
        }
        if let dropout = try model.optionalField("dropout") {
            guard case let .number(p, _) = dropout.value else {
                throw TokenizerError.invalidField(path: dropout.path, expected: "a number or null")
            }
            if p != 0 { throw TokenizerError.unsupportedOption(path: dropout.path, value: "\(p)") }
        }
        if try model.bool("byte_fallback", default: false) {
            throw TokenizerError.unsupportedOption(path: "model.byte_fallback", value: "true")
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let node = try model.optionalField(key), try !node.string().isEmpty {
                throw TokenizerError.unsupportedOption(path: node.path, value: "\"\(try node.string())\"")
            }
        }

        var vocabulary: [(token: String, id: Int)] = []
        let vocabNode = try model.requiredField("vocab")
        guard case let .object(members) = vocabNode.value else {
            throw TokenizerError.invalidField(path: vocabNode.path, expected: "an object of token -> id")
        }
        vocabulary.reserveCapacity(members.count)
        for member in members {
            guard case let .number(_, id?) = member.value, id >= 0 else {
                throw TokenizerError.invalidField(path: "\(vocabNode.path)[\"\(member.key)\"]", expected: "a non-negative integer id")
            }
            vocabulary.append((member.key, id))
        }

        var merges: [(left: String, right: String)] = []
        if let mergesNode = try model.optionalField("merges") {
            guard case let .array(items) = mergesNode.value else {
                throw TokenizerError.invalidField(path: mergesNode.path, expected: "an array")
            }
            merges.reserveCapacity(items.count)
            var rank = 0
            for (i, item) in items.enumerated() {
                switch item {
                case let .string(s):
                    if s.hasPrefix("#version") { continue }  // legacy merges.txt header
                    merges.append(try splitMerge(s, index: rank))
                case let .array(pair):
                    guard pair.count == 2, case let .string(a) = pair[0], case let .string(b) = pair[1] else {
                        throw TokenizerError.invalidField(path: "\(mergesNode.path)[\(i)]", expected: "a pair of strings")
                    }
                    merges.append((a, b))
                default:
                    throw TokenizerError.invalidField(path: "\(mergesNode.path)[\(i)]", expected: "\"a b\" or [\"a\", \"b\"]")
                }
                rank += 1
            }
        }

        var definition = TokenizerDefinition(vocabulary: vocabulary, merges: merges)
        if let unk = try model.optionalField("unk_token") { definition.unknownToken = try unk.string() }
        definition.fuseUnknown = try model.bool("fuse_unk", default: false)
        definition.ignoreMerges = try model.bool("ignore_merges", default: false)
        return definition
    }

    // MARK: normalizer

    private static func parseNormalizer(_ node: JSONNode?) throws -> Normalizer {
        guard let node else { return .none }
        let typeNode = try node.requiredField("type")
        let type = try typeNode.string()
        switch type {
        case "NFC":
            return .nfc
        case "Sequence":
            var result = Normalizer.none
            for child in try node.requiredField("normalizers").array() {
                let n = try parseNormalizer(child)
                if n == .nfc { result = .nfc }
            }
            return result
        default:
            throw TokenizerError.unsupportedComponent(type: type, path: typeNode.path)
        }
    }

    // MARK: pre-tokenizer

    private static func parsePreTokenizer(_ node: JSONNode?) throws -> PreTokenizer {
        guard let node else {
            throw TokenizerError.unsupportedOption(path: "pre_tokenizer", value: "null (a ByteLevel pre-tokenizer is required)")
        }
        var steps: [PreTokenizer.Step] = []
        var byteLevelPath: String? = nil
        try collectSteps(node, into: &steps, byteLevelPath: &byteLevelPath)
        guard byteLevelPath != nil else {
            throw TokenizerError.unsupportedOption(path: "pre_tokenizer", value: "no ByteLevel step (byte-level BPE requires one)")
        }
        return PreTokenizer(steps: steps)
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
        case "Split":
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
            steps.append(step)
        default:
            throw TokenizerError.unsupportedComponent(type: type, path: typeNode.path)
        }
    }

    // MARK: decoder

    private static func checkDecoder(_ node: JSONNode?) throws {
        guard let node else {
            throw TokenizerError.unsupportedOption(path: "decoder", value: "null (a ByteLevel decoder is required)")
        }
        let typeNode = try node.requiredField("type")
        let type = try typeNode.string()
        switch type {
        case "ByteLevel":
            return
        case "Sequence":
            let children = try node.requiredField("decoders").array()
            guard !children.isEmpty else {
                throw TokenizerError.unsupportedOption(path: "decoder.decoders", value: "[] (a ByteLevel decoder is required)")
            }
            for child in children { try checkDecoder(child) }
        default:
            throw TokenizerError.unsupportedComponent(type: type, path: typeNode.path)
        }
    }

    // MARK: added tokens

    /// Registers `added_tokens` the way HF's deserializer does: the ids written in the file are
    /// *not* trusted. A token already in the model vocabulary keeps that id; any other token gets the
    /// next id after the model vocabulary (HF `AddedVocabulary::add_tokens`). Within one file the
    /// last entry for a content wins, and specials are registered before the rest.
    private static func parseAddedTokens(_ node: JSONNode, definition: TokenizerDefinition) throws -> [AddedToken] {
        var declared: [AddedToken] = []
        for item in try node.array() {
            let content = try item.requiredField("content").string()
            declared.append(AddedToken(
                content: content,
                id: Int32(clamping: try item.optionalField("id")?.int() ?? -1),
                special: try item.bool("special", default: false),
                normalized: try item.bool("normalized", default: !(try item.bool("special", default: false))),
                lstrip: try item.bool("lstrip", default: false),
                rstrip: try item.bool("rstrip", default: false),
                singleWord: try item.bool("single_word", default: false)))
        }
        return assignAddedTokenIDs(declared, vocabulary: definition.vocabulary)
    }

    /// HF `AddedVocabulary::add_tokens` applied to one list, returning the tokens in HF's match
    /// order (specials first, then the others) with the ids HF would give them.
    static func assignAddedTokenIDs(_ tokens: [AddedToken], vocabulary: [(token: String, id: Int)]) -> [AddedToken] {
        var modelIDs: [[UInt8]: Int] = [:]
        modelIDs.reserveCapacity(vocabulary.count)
        for entry in vocabulary where modelIDs[Array(entry.token.utf8)] == nil { modelIDs[Array(entry.token.utf8)] = entry.id }
        let modelSize = vocabulary.count

        var specialOrder: [AddedToken] = []
        var specialSet = Set<[UInt8]>()
        for t in tokens where t.special && !t.content.isEmpty && !specialSet.contains(Array(t.content.utf8)) {
            specialOrder.append(t)
            specialSet.insert(Array(t.content.utf8))
        }
        var addedMap: [[UInt8]: Int] = [:]     // content -> id
        var byID: [Int: AddedToken] = [:]      // id -> token (rules)
        var plainOrder: [AddedToken] = []
        var registered = Set<TokenIdentity>()  // HF skips a token equal (all fields) to a registered one
        var maxAddedID: Int? = nil
        for t in tokens {
            let key = Array(t.content.utf8)
            if t.content.isEmpty { continue }
            if registered.contains(TokenIdentity(t)) { continue }
            let id: Int
            if let existing = addedMap[key] ?? modelIDs[key] {
                id = existing
            } else if let maxID = maxAddedID {
                id = (maxID >= modelSize || modelSize == 0) ? maxID + 1 : modelSize
            } else {
                id = modelSize
            }
            addedMap[key] = id
            maxAddedID = max(maxAddedID ?? id, id)  // == addedMap.values.max()
            var stored = t
            stored.id = Int32(id)
            if let replaced = byID[id] { registered.remove(TokenIdentity(replaced)) }
            byID[id] = stored
            registered.insert(TokenIdentity(stored))
            if !specialSet.contains(key) { plainOrder.append(stored) }
        }
        // The match patterns are the specials then the others, each carrying its final id; the
        // rules applied at match time are those of the token registered under that id.
        return (specialOrder + plainOrder).map { t in
            let id = addedMap[Array(t.content.utf8)]!
            var rules = byID[id]!
            rules.normalized = t.normalized  // which pass matches it follows the pattern's own flag
            rules.special = specialSet.contains(Array(t.content.utf8))  // HF: content is in the special set
            return rules
        }
    }

    /// An added token's content (exact bytes) and flags: HF's `AddedToken` equality.
    private struct TokenIdentity: Hashable {
        let content: [UInt8]
        let flags: UInt8

        init(_ t: AddedToken) {
            content = Array(t.content.utf8)
            flags = (t.special ? 1 : 0) | (t.normalized ? 2 : 0) | (t.lstrip ? 4 : 0) | (t.rstrip ? 8 : 0) | (t.singleWord ? 16 : 0)
        }
    }
}
