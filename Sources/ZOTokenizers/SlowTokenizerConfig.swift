import Foundation
import ZOJSON

/// What transformers 5 reads from a folder's `tokenizer_config.json`, `special_tokens_map.json` and
/// `added_tokens.json` when it builds a tokenizer from slow files: its options, its named special tokens
/// (`bos_token`, ...), and the added tokens it registers, in the order it registers them. The order
/// matters: tokens missing from the vocabulary get the next free ids in that order.
///
/// The rules follow transformers' `_from_pretrained` and `TokenizersBackend.__init__`:
/// - `added_tokens_decoder` in tokenizer_config.json (transformers >= 4.34) is authoritative: then
///   special_tokens_map.json and added_tokens.json are not read;
/// - otherwise special_tokens_map.json's tokens override tokenizer_config.json's, and added_tokens.json
///   ({token: id}) adds tokens, special when their content is a named or extra special token;
/// - registered: the declared added tokens (by index), then each named token (the standard seven, then
///   model-specific `*_token`s) and each extra special token (`additional_special_tokens`) whose content
///   is not declared; plain strings become special, non-normalized tokens.
struct SlowTokenizerConfig {
    /// transformers' named special tokens, in its order.
    static let standardKeys = ["bos_token", "eos_token", "unk_token", "sep_token", "pad_token", "cls_token", "mask_token"]

    /// tokenizer_config.json (an empty object when the folder has none): the options.
    let options: JSONNode
    /// Named special tokens with a value: the standard seven, then model-specific ones.
    private(set) var named: [(key: String, token: DeclaredToken)] = []
    /// `additional_special_tokens` / `extra_special_tokens`.
    private(set) var extras: [DeclaredToken] = []
    /// `added_tokens_decoder` entries or added_tokens.json tokens, by index.
    private(set) var declared: [DeclaredToken] = []

    /// Reads the files in `folder`; `defaults` are the class's special tokens for standard keys no file sets.
    init(folder: URL, options: JSONNode?, defaults: [String: String]) throws {
        let options = options ?? JSONNode(.object(JSONObject()), path: "tokenizer_config.json")
        self.options = options
        let members = try options.members().filter { $0.key != "tokenizer_class" }

        // tokenizer_config.json. Model-specific tokens given as strings (and an extra_special_tokens
        // object) are taken out first by transformers, so they follow the ones given as AddedToken objects.
        var standard: [String: DeclaredToken?] = [:]
        var keptTokens = OrderedTokens(), poppedTokens = OrderedTokens()
        var extras: [DeclaredToken]? = nil
        for (key, node) in members where key.hasSuffix("_token") {
            if Self.standardKeys.contains(key) {
                standard[key] = .some(try DeclaredToken.read(node, rule: .markedAddedToken))
            } else if try DeclaredToken.isConfigToken(node), let token = try DeclaredToken.read(node, rule: .markedAddedToken) {
                if token.flags == nil { poppedTokens.set(key, token) } else { keptTokens.set(key, token) }
            }
        }
        if let extra = try options.optionalField("extra_special_tokens") {
            if case .object = extra.value {
                for (key, node) in try extra.members() {
                    if let token = try DeclaredToken.read(node, rule: .markedAddedToken) { poppedTokens.set(key, token) }
                }
            } else if try !extra.array().isEmpty {
                extras = try Self.tokenList(extra, rule: .markedAddedToken)
            }
        }
        if extras == nil, let additional = try options.field("additional_special_tokens"), !additional.isNull {
            extras = try Self.tokenList(additional, rule: .markedAddedToken)
        } else if extras == nil, try options.field("extra_special_tokens") != nil {
            extras = []
        }

        if let decoder = try options.field("added_tokens_decoder") {
            declared = try Self.decoderTokens(decoder)
        } else {
            // special_tokens_map.json overrides; its model-specific tokens keep their place when
            // tokenizer_config.json had them as objects, and otherwise come after those.
            var additionalFromMap: [DeclaredToken]? = nil
            if let map = try Self.readObject(folder, "special_tokens_map.json") {
                for (key, node) in try map.members() {
                    if key == "extra_special_tokens" {
                        var merged = extras ?? []
                        for token in try Self.tokenList(node, rule: .forcedSpecial) where !merged.contains(where: { $0.matches(token) }) {
                            merged.append(token)
                        }
                        extras = merged
                    } else if key == "additional_special_tokens" {
                        additionalFromMap = try Self.tokenList(node, rule: .markedAddedToken)
                    } else if key.hasSuffix("_token") {
                        let token = try DeclaredToken.read(node, rule: .forcedSpecial)
                        if Self.standardKeys.contains(key) {
                            standard[key] = .some(token)
                        } else if let token {
                            keptTokens.set(key, token)
                        }
                    }
                }
            }
            if let file = try Self.readObject(folder, "added_tokens.json") {
                var specialContents = Set<String>()
                for case let token?? in standard.values where !token.isUnconvertedConfigObject { specialContents.insert(token.content) }
                for token in extras ?? [] where !token.isUnconvertedConfigObject { specialContents.insert(token.content) }
                declared = try Self.addedTokensFile(file, specialContents: specialContents)
            }
            // transformers renames this list to extra_special_tokens only after reading added_tokens.json.
            if extras == nil { extras = additionalFromMap }
        }

        for key in Self.standardKeys {
            if let given = standard[key] {
                if let token = given { named.append((key, token)) }
            } else if let content = defaults[key] {
                named.append((key, DeclaredToken(content: content)))
            }
        }
        for (key, token) in keptTokens.entries {
            named.append((key, poppedTokens.value(key) ?? token))
        }
        for (key, token) in poppedTokens.entries where keptTokens.value(key) == nil {
            named.append((key, token))
        }
        self.extras = extras ?? []
    }

    /// The content of a named special token (`"bos_token"`, ...), nil when the tokenizer has none.
    func specialToken(_ key: String) -> String? {
        named.first { $0.key == key }?.token.content
    }

    /// The added tokens transformers registers, in its order, before ids are assigned.
    var addedTokens: [AddedToken] {
        var tokens = declared
        let declaredContents = Set(declared.map(\.content))
        for candidate in named.map(\.token) + extras
        where !declaredContents.contains(candidate.content) && !tokens.contains(where: { $0.matches(candidate) }) {
            tokens.append(candidate)
        }
        let namedContents = Set(named.map(\.token.content))
        return tokens.map { $0.registered(isNamed: namedContents.contains($0.content)) }
    }

    // MARK: reading

    /// A JSON object file of the folder, nil when the file does not exist.
    static func readObject(_ folder: URL, _ name: String) throws -> JSONNode? {
        let url = folder.appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TokenizerError.invalidFile(path: url.path, reason: "cannot be read")
        }
        let node: JSONNode
        do {
            node = try JSONNode.parse([UInt8](data), path: name)
        } catch let error as TokenizerError {
            throw TokenizerError.invalidFile(path: url.path, reason: error.description)
        }
        guard case .object = node.value else {
            throw TokenizerError.invalidFile(path: url.path, reason: "expected a JSON object, found \(node.value.kind)")
        }
        return node
    }

    private static func tokenList(_ node: JSONNode, rule: DeclaredToken.ObjectRule) throws -> [DeclaredToken] {
        try node.array().compactMap { try DeclaredToken.read($0, rule: rule) }
    }

    /// `added_tokens_decoder`: {"id": AddedToken object}, in id order.
    private static func decoderTokens(_ node: JSONNode) throws -> [DeclaredToken] {
        var entries: [(index: Int, token: DeclaredToken)] = []
        for (key, entry) in try node.members() {
            guard let index = Int(key) else {
                throw TokenizerError.invalidField(path: entry.path, expected: "an integer id as the key")
            }
            guard case .object = entry.value, let token = try DeclaredToken.read(entry, rule: .plain) else {
                throw TokenizerError.invalidField(path: entry.path, expected: "an AddedToken object")
            }
            entries.append((index, token))
        }
        return entries.sorted { $0.index < $1.index }.map(\.token)
    }

    /// added_tokens.json: {token: id}, in id order; special when the content is a special token.
    private static func addedTokensFile(_ node: JSONNode, specialContents: Set<String>) throws -> [DeclaredToken] {
        let entries = try node.members().map { (content: $0.key, index: try $0.node.int()) }
        return entries.sorted { $0.index < $1.index }.map { entry in
            let special = specialContents.contains(entry.content)
            return DeclaredToken(content: entry.content, flags: .init(special: special, normalized: !special))
        }
    }
}

/// Model-specific named tokens in the order transformers keeps them (a Python dict: setting an existing
/// key keeps its place).
private struct OrderedTokens {
    private(set) var entries: [(key: String, token: DeclaredToken)] = []

    mutating func set(_ key: String, _ token: DeclaredToken) {
        if let i = entries.firstIndex(where: { $0.key == key }) { entries[i].token = token } else { entries.append((key, token)) }
    }

    func value(_ key: String) -> DeclaredToken? { entries.first { $0.key == key }?.token }
}
