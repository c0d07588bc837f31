import ZOJSON

/// A token as transformers holds it before registering it with the backend tokenizer: a plain string
/// (`"bos_token": "</s>"`), or a `tokenizers` `AddedToken` object (`{"content": "</s>", "lstrip": ...}`).
///
/// An `AddedToken` whose `normalized` was not given takes `!special` when it is registered, even if
/// `special` changes in between (Python `AddedToken` keeps "unset"); transformers relies on that when it
/// marks named tokens special.
struct DeclaredToken {
    struct Flags: Equatable {
        var special = false
        var lstrip = false
        var rstrip = false
        var singleWord = false
        /// nil: not given, follows `special`.
        var normalized: Bool? = nil
    }

    var content: String
    /// nil for a plain string.
    var flags: Flags?
    /// An `AddedToken` object in tokenizer_config.json: transformers converts those only after it has read
    /// added_tokens.json, so that file does not see their content as a special token.
    var isUnconvertedConfigObject = false

    init(content: String, flags: Flags? = nil) {
        self.content = content
        self.flags = flags
    }

    /// Python `==` between two values transformers compares: strings by content, `AddedToken`s by content
    /// and every flag (with `normalized` resolved), a string never equal to an `AddedToken`.
    func matches(_ other: DeclaredToken) -> Bool {
        guard content == other.content else { return false }
        switch (flags, other.flags) {
        case (nil, nil): return true
        case let (a?, b?):
            return a.special == b.special && a.lstrip == b.lstrip && a.rstrip == b.rstrip && a.singleWord == b.singleWord
                && (a.normalized ?? !a.special) == (b.normalized ?? !b.special)
        default: return false
        }
    }

    /// The token as the backend registers it: a plain string is a special, non-normalized token; an
    /// `AddedToken` keeps its flags, but becomes special when it is one of the named special tokens.
    func registered(isNamed: Bool) -> AddedToken {
        let flags = self.flags ?? Flags(special: true)
        let special = flags.special || isNamed
        return AddedToken(
            content: content, id: -1, special: special, normalized: flags.normalized ?? !special,
            lstrip: flags.lstrip, rstrip: flags.rstrip, singleWord: flags.singleWord)
    }

    // MARK: reading

    /// How a JSON object becomes a token in each place transformers reads one.
    enum ObjectRule {
        /// tokenizer_config.json values: only objects marked `"__type": "AddedToken"` are tokens.
        case markedAddedToken
        /// special_tokens_map.json values: any object, made special (its own `special` is dropped).
        case forcedSpecial
        /// added_tokens_decoder entries: any object, `AddedToken(**entry)`.
        case plain
    }

    /// Whether tokenizer_config.json's `node` is a token to transformers: a string or a marked object.
    /// (Its other `*_token` keys, like `add_bos_token`, are options.)
    static func isConfigToken(_ node: JSONNode) throws -> Bool {
        switch node.value {
        case .string: return true
        case .object: return try isMarked(node)
        default: return false
        }
    }

    private static func isMarked(_ node: JSONNode) throws -> Bool {
        try node.field("__type")?.string() == "AddedToken"
    }

    /// A string or an object read by `rule`; nil for JSON null. Anything else throws, as transformers
    /// fails on it.
    static func read(_ node: JSONNode, rule: ObjectRule) throws -> DeclaredToken? {
        switch node.value {
        case .null:
            return nil
        case let .string(content):
            return DeclaredToken(content: content)
        case .object:
            if rule == .markedAddedToken, try !isMarked(node) {
                throw TokenizerError.invalidField(path: node.path, expected: #"a token string or an object with "__type": "AddedToken""#)
            }
            var flags = Flags()
            flags.special = rule == .forcedSpecial ? true : try node.bool("special", default: false)
            flags.lstrip = try node.bool("lstrip", default: false)
            flags.rstrip = try node.bool("rstrip", default: false)
            flags.singleWord = try node.bool("single_word", default: false)
            flags.normalized = try node.optionalField("normalized")?.bool()
            var token = DeclaredToken(content: try node.requiredField("content").string(), flags: flags)
            token.isUnconvertedConfigObject = rule == .markedAddedToken
            return token
        default:
            throw TokenizerError.invalidField(path: node.path, expected: "a token string or an AddedToken object, found \(node.value.kind)")
        }
    }
}
