import ZOJSON

/// Reading HF `tokenizer.json` into a `TokenizerDefinition`.
///
/// Only what byte-level BPE, SentencePiece BPE and WordPiece need is accepted; every unknown component
/// `type` or id-changing option throws a `TokenizerError` naming its JSON path (e.g.
/// `pre_tokenizer.pretokenizers[1].type`). The normalizer, pre-tokenizer and decoder readers are in
/// the `TokenizerJSON+...` files.
enum TokenizerJSON {
    /// The supported `model.type` values.
    enum ModelType: String {
        case bpe = "BPE"
        case wordPiece = "WordPiece"
    }

    /// GPT-2's split pattern, as HF writes it in `Split` pre-tokenizers.
    static let gpt2Pattern = #"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+"#

    /// Parses a tokenizer.json; with `expected`, any other model type throws `unsupportedComponent`
    /// at `model.type` before the rest is read.
    ///
    /// `truncation` and `padding` are read but not applied: they are batch-encoding defaults saved with
    /// the file, which transformers' tokenizers override on every call (`tokenizer(text)` neither
    /// truncates nor pads unless asked); callers truncate to their model's length themselves.
    ///
    /// `byteLevel` (BPE only) requires a ByteLevel pre-tokenizer (true) or its absence (false), checked
    /// before the decoder is read, so that the error names the real difference.
    static func parse(_ data: [UInt8], expecting expected: ModelType? = nil, byteLevel: Bool? = nil) throws -> TokenizerDefinition {
        let root = try JSONNode.parse(data)
        guard case .object = root.value else {
            throw TokenizerError.invalidField(path: "<root>", expected: "an object, found \(root.value.kind)")
        }

        for key in ["truncation", "padding"] {
            if let node = try root.optionalField(key) { _ = try node.members() }
        }

        let modelNode = try root.requiredField("model")
        let type = try modelType(modelNode)
        if let expected, type != expected {
            throw TokenizerError.unsupportedComponent(type: type.rawValue, path: "model.type")
        }
        var definition = type == .bpe ? try parseBPEModel(modelNode) : try parseWordPieceModel(modelNode)
        definition.normalizer = try parseNormalizer(try root.optionalField("normalizer"))
        let preTokenizerNode = try root.optionalField("pre_tokenizer")
        let (preTokenizer, hasByteLevel) = try parsePreTokenizer(preTokenizerNode, model: type)
        definition.preTokenizer = preTokenizer
        definition.preTokenizerIsPlainByteLevel = try preTokenizerNode?.optionalField("type")?.string() == "ByteLevel"
        if type == .bpe, let required = byteLevel, required != hasByteLevel {
            throw TokenizerError.unsupportedOption(
                path: "pre_tokenizer",
                value: required ? "no ByteLevel step (byte-level BPE requires one)" : "a ByteLevel step (SentencePiece BPE has none)")
        }
        if type == .bpe && !hasByteLevel {
            definition.model = .sentencePieceBPE
        } else if definition.byteFallback {
            // Byte-level vocabularies spell every byte already; HF's fallback would look for `<0xXX>` tokens.
            throw TokenizerError.unsupportedOption(path: "model.byte_fallback", value: "true")
        }
        definition.postProcessor = try PostProcessor.parse(try root.optionalField("post_processor"))
        definition.decoder = try parseDecoder(try root.optionalField("decoder"), model: definition.model)
        if let added = try root.optionalField("added_tokens") {
            definition.addedTokens = try parseAddedTokens(added, definition: definition)
        }
        return definition
    }

    // MARK: model

    /// `model.type`; a missing type means BPE (older files).
    private static func modelType(_ model: JSONNode) throws -> ModelType {
        guard let typeNode = try model.field("type") else { return .bpe }
        let type = try typeNode.string()
        guard let known = ModelType(rawValue: type) else {
            throw TokenizerError.unsupportedComponent(type: type, path: typeNode.path)
        }
        return known
    }

    /// `model.vocab` (or a `vocab.json` file): an object of token -> id.
    static func parseVocabulary(_ vocabNode: JSONNode) throws -> [(token: String, id: Int)] {
        var vocabulary: [(token: String, id: Int)] = []
        guard case let .object(object) = vocabNode.value else {
            throw TokenizerError.invalidField(path: vocabNode.path, expected: "an object of token -> id")
        }
        vocabulary.reserveCapacity(object.count)
        for member in object.members {
            // Ids are stored as Int32 further on (added tokens, GGUF token types), as in HF's u32 ids.
            guard let id = member.value.integerLiteral, id >= 0, id <= Int32.max else {
                throw TokenizerError.invalidField(
                    path: "\(vocabNode.path)[\"\(member.key)\"]", expected: "a non-negative integer id below 2^31")
            }
            vocabulary.append((member.key, id))
        }
        return vocabulary
    }

    private static func parseWordPieceModel(_ model: JSONNode) throws -> TokenizerDefinition {
        let prefix = try model.optionalField("continuing_subword_prefix")?.string() ?? "##"
        let maxChars = try model.optionalField("max_input_chars_per_word")?.int() ?? 100
        var definition = TokenizerDefinition(vocabulary: try parseVocabulary(try model.requiredField("vocab")), merges: [])
        definition.model = .wordPiece(continuingSubwordPrefix: prefix, maxInputCharsPerWord: maxChars)
        definition.unknownToken = try model.optionalField("unk_token")?.string() ?? "[UNK]"
        return definition
    }

    private static func parseBPEModel(_ model: JSONNode) throws -> TokenizerDefinition {
        if let dropout = try model.optionalField("dropout") {
            guard let p = dropout.value.double else {
                throw TokenizerError.invalidField(path: dropout.path, expected: "a number or null")
            }
            if p != 0 { throw TokenizerError.unsupportedOption(path: dropout.path, value: "\(p)") }
        }
        for key in ["continuing_subword_prefix", "end_of_word_suffix"] {
            if let node = try model.optionalField(key), try !node.string().isEmpty {
                throw TokenizerError.unsupportedOption(path: node.path, value: "\"\(try node.string())\"")
            }
        }

        let vocabulary = try parseVocabulary(try model.requiredField("vocab"))
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
        definition.byteFallback = try model.bool("byte_fallback", default: false)
        definition.ignoreMerges = try model.bool("ignore_merges", default: false)
        return definition
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
