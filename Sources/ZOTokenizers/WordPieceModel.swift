/// HF's WordPiece model: each pre-tokenized word becomes the greedy longest-prefix match from the
/// vocabulary, the pieces after the first spelled with the continuing-subword prefix (`##ing`). A word
/// longer than `maxInputCharsPerWord` scalars, or one that cannot be covered, becomes the single
/// unknown token.
struct WordPieceModel: Sendable {
    /// UTF-8 of vocabulary token -> id (exact bytes: Swift `String` keys would merge canonically
    /// equivalent spellings that HF keeps apart).
    let ids: [[UInt8]: Int]
    let continuingSubwordPrefix: [UInt8]
    let maxInputCharsPerWord: Int
    let unknownID: Int

    /// Reusable buffers for `encode`.
    struct Scratch {
        var key: [UInt8] = []
        var pieces: [Int] = []
    }

    /// Appends the ids of `word` (valid UTF-8) to `out`.
    func encode(_ word: ArraySlice<UInt8>, into out: inout [Int], scratch: inout Scratch) {
        if word.isEmpty { return }
        var scalars = 0
        for byte in word where byte & 0xC0 != 0x80 { scalars += 1 }
        if scalars > maxInputCharsPerWord {
            out.append(unknownID)
            return
        }
        scratch.pieces.removeAll(keepingCapacity: true)
        var start = word.startIndex
        while start < word.endIndex {
            var end = word.endIndex
            var found: Int? = nil
            while start < end {
                scratch.key.removeAll(keepingCapacity: true)
                if start > word.startIndex { scratch.key.append(contentsOf: continuingSubwordPrefix) }
                scratch.key.append(contentsOf: word[start..<end])
                if let id = ids[scratch.key] {
                    found = id
                    break
                }
                end -= 1
                while end > start && word[end] & 0xC0 == 0x80 { end -= 1 }  // back to a scalar boundary
            }
            guard let id = found else {
                out.append(unknownID)
                return
            }
            scratch.pieces.append(id)
            start = end
        }
        out.append(contentsOf: scratch.pieces)
    }
}
