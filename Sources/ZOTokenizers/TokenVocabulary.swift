/// The id <-> token tables every tokenizer needs: the model vocabulary and the added tokens, which win
/// over the vocabulary for the same id (as in HF), plus which ids are special. `TextTokenizer`'s
/// look-ups (`id(forToken:)`, ...) read it.
public struct TokenVocabulary: Sendable {
    /// Token string by id.
    let tokenByID: [String?]
    let isSpecialByID: [Bool]
    /// UTF-8 of token string -> id, for added tokens and the model vocabulary (exact bytes, not
    /// canonical equivalence).
    let addedIDs: [[UInt8]: Int]
    let modelIDs: [[UInt8]: Int]

    /// One past the largest id.
    public var size: Int { tokenByID.count }

    init(_ definition: TokenizerDefinition) throws {
        // With no model vocabulary every text would encode to nothing (or only to added tokens).
        guard !definition.vocabulary.isEmpty else { throw TokenizerError.invalidVocabulary("it is empty, so every text would encode to no tokens") }
        var maxID = -1
        var modelIDs: [[UInt8]: Int] = [:]
        modelIDs.reserveCapacity(definition.vocabulary.count)
        for entry in definition.vocabulary {
            modelIDs[Array(entry.token.utf8)] = entry.id
            maxID = max(maxID, entry.id)
        }
        for token in definition.addedTokens { maxID = max(maxID, Int(token.id)) }
        let size = maxID + 1
        guard size <= 4 * (definition.vocabulary.count + definition.addedTokens.count) + 1024 else {
            throw TokenizerError.invalidVocabulary("ids are too sparse (largest id \(maxID) for \(definition.vocabulary.count) tokens)")
        }

        var tokenByID = [String?](repeating: nil, count: size)
        for entry in definition.vocabulary { tokenByID[entry.id] = entry.token }
        var addedIDs: [[UInt8]: Int] = [:]
        var isSpecial = [Bool](repeating: false, count: size)
        for token in definition.addedTokens {
            tokenByID[Int(token.id)] = token.content
            addedIDs[Array(token.content.utf8)] = Int(token.id)
            if token.special { isSpecial[Int(token.id)] = true }
        }
        self.tokenByID = tokenByID
        self.isSpecialByID = isSpecial
        self.addedIDs = addedIDs
        self.modelIDs = modelIDs
    }

    public func id(forToken token: String) -> Int? {
        let key = Array(token.utf8)
        return addedIDs[key] ?? modelIDs[key]
    }

    public func token(forID id: Int) -> String? {
        guard id >= 0 && id < tokenByID.count else { return nil }
        return tokenByID[id]
    }

    public func isSpecial(_ id: Int) -> Bool {
        id >= 0 && id < isSpecialByID.count && isSpecialByID[id]
    }

    /// The id of `unknownToken` in the model vocabulary; throws when it is missing.
    func unknownID(_ unknownToken: String) throws -> Int {
        guard let id = modelIDs[Array(unknownToken.utf8)] else {
            throw TokenizerError.invalidVocabulary("unk_token \"\(unknownToken)\" is not in the vocabulary")
        }
        return id
    }

    /// The roles the definition states (post-processor, `unk_token`), plus padding and mask tokens
    /// found by their conventional names among the special added tokens: tokenizer.json does not
    /// record those two (transformers keeps them in special_tokens_map.json).
    func specialTokenIDs(_ definition: TokenizerDefinition) -> SpecialTokenIDs {
        var ids = SpecialTokenIDs()
        let post = definition.postProcessor
        ids.cls = post.classifierID
        ids.sep = post.separatorID
        if definition.model.isBPE {
            ids.bos = post.prefix.first
            if post.classifierID != nil { ids.eos = post.separatorID }  // RoBERTa: <s> ... </s>
        } else {
            ids.cls = ids.cls ?? post.prefix.first
            ids.sep = ids.sep ?? post.suffix.first
        }
        ids.unknown = definition.unknownToken.flatMap { modelIDs[Array($0.utf8)] }
        func special(named names: [String]) -> Int? {
            names.lazy.compactMap { self.addedIDs[Array($0.utf8)] }.first { self.isSpecial($0) }
        }
        ids.pad = special(named: ["[PAD]", "<pad>"])
        ids.mask = special(named: ["[MASK]", "<mask>"])
        return ids
    }
}
