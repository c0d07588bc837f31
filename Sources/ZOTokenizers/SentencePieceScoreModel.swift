/// llama.cpp's SPM tokenizer (`llm_tokenizer_spm_session`), which tokenizes GGUF files whose
/// `tokenizer.ggml.model` is "llama" (LLaMA-1/2, TinyLlama, Mistral): GGUF carries the SentencePiece
/// scores, not merges.
///
/// A piece (already `▁`-escaped) starts as one symbol per UTF-8 character. Repeatedly, of all adjacent
/// symbol pairs whose concatenated text is a vocabulary token (any token type), the pair whose token
/// has the highest score is merged, the leftmost one on equal scores. Each final symbol is emitted as
/// its token, or, when it is a character missing from the vocabulary, as the byte tokens `<0xXX>` of
/// its UTF-8.
///
/// Where llama.cpp would abort (a byte with neither a `<0xXX>` token nor a one-byte token), the unknown
/// token is emitted instead, or nothing when there is none.
struct SentencePieceScoreModel: Sendable {
    /// Token text (exact bytes) -> id, for every token.
    private let ids: [ArraySlice<UInt8>: Int32]
    /// Position of each token's score among the distinct scores in descending order, so that the heap
    /// shared with `BPEModel` (smallest key first) pops the highest score, then the leftmost pair.
    private let scoreRank: [UInt32]
    /// The token for each byte: `<0xXX>`, else the one-byte token (llama.cpp `byte_to_token`), else -1.
    private let byteIDs: [Int32]
    private let unknownID: Int32?
    /// No token is longer (in bytes); longer pairs need no lookup.
    private let longestToken: Int

    struct Scratch {
        var start: [Int32] = []
        var length: [Int32] = []
        var prev: [Int32] = []
        var next: [Int32] = []
        var heap: [BPEModel.HeapEntry] = []
        init() {}
    }

    /// `tokens[id]` and `scores[id]` for every id; tokens must be distinct (llama.cpp asserts it) and
    /// scores numbers.
    init(tokens: [String], scores: [Float], unknownID: Int?) throws {
        guard tokens.count == scores.count else {
            throw TokenizerError.invalidVocabulary("\(scores.count) scores for \(tokens.count) tokens")
        }
        var ids: [ArraySlice<UInt8>: Int32] = [:]
        ids.reserveCapacity(tokens.count)
        var longest = 0
        for (id, token) in tokens.enumerated() {
            let bytes = Array(token.utf8)[...]
            if let previous = ids.updateValue(Int32(id), forKey: bytes) {
                throw TokenizerError.invalidVocabulary("token \"\(token)\" appears twice (ids \(previous) and \(id))")
            }
            longest = max(longest, bytes.count)
        }
        if let bad = scores.firstIndex(where: { $0.isNaN }) {
            throw TokenizerError.invalidVocabulary("the score of token \(bad) is not a number")
        }
        let distinct = Array(Set(scores)).sorted(by: >)
        var rankOf: [Float: UInt32] = [:]
        for (rank, score) in distinct.enumerated() { rankOf[score] = UInt32(rank) }
        scoreRank = scores.map { rankOf[$0]! }
        byteIDs = (0..<256).map { byte in
            ids[Array(ByteFallbackTokens.spelling(of: UInt8(byte)).utf8)[...]] ?? ids[[UInt8(byte)][...]] ?? -1
        }
        self.ids = ids
        self.unknownID = unknownID.map { Int32($0) }
        longestToken = longest
    }

    func encode(_ piece: ArraySlice<UInt8>, into output: inout [Int], scratch: inout Scratch) {
        if piece.isEmpty { return }
        let base = piece.startIndex
        scratch.start.removeAll(keepingCapacity: true)
        scratch.length.removeAll(keepingCapacity: true)
        piece.withUnsafeBufferPointer { buf in
            var i = 0
            while i < buf.count {
                let length = decodeUTF8(buf, i).length
                scratch.start.append(Int32(i))
                scratch.length.append(Int32(length))
                i += length
            }
        }
        let n = scratch.start.count
        scratch.prev.removeAll(keepingCapacity: true)
        scratch.next.removeAll(keepingCapacity: true)
        for i in 0..<n {
            scratch.prev.append(Int32(i - 1))
            scratch.next.append(i + 1 < n ? Int32(i + 1) : -1)
        }

        /// The token spelled by symbols `left` and `right` together, or nil.
        func token(_ left: Int, _ right: Int, _ scratch: Scratch) -> Int32? {
            let size = Int(scratch.length[left] + scratch.length[right])
            guard size <= longestToken else { return nil }
            let from = base + Int(scratch.start[left])
            return ids[piece[from..<(from + size)]]
        }
        func addBigram(_ left: Int, _ right: Int, _ scratch: inout Scratch) {
            guard left >= 0, right >= 0, let id = token(left, right, scratch) else { return }
            BPEModel.push(BPEModel.HeapEntry(key: UInt64(scoreRank[Int(id)]) << 32 | UInt64(left), merged: id), &scratch.heap)
        }

        scratch.heap.removeAll(keepingCapacity: true)
        for i in 1..<max(n, 1) { addBigram(i - 1, i, &scratch) }
        while let top = BPEModel.pop(&scratch.heap) {
            let left = Int(top.key & 0xFFFF_FFFF)
            let right = Int(scratch.next[left])
            // llama.cpp drops a bigram once either symbol was merged into another or grew; here: the
            // left symbol is gone, or it and its current neighbour no longer spell the bigram's token.
            guard scratch.length[left] > 0, right >= 0, token(left, right, scratch) == top.merged else { continue }
            scratch.length[left] += scratch.length[right]
            scratch.length[right] = 0
            let after = scratch.next[right]
            scratch.next[left] = after
            if after >= 0 { scratch.prev[Int(after)] = Int32(left) }
            addBigram(Int(scratch.prev[left]), left, &scratch)
            addBigram(left, Int(after), &scratch)
        }

        var i = 0
        while i >= 0 {
            let from = base + Int(scratch.start[i])
            let text = piece[from..<(from + Int(scratch.length[i]))]
            if let id = ids[text] {
                output.append(Int(id))
            } else {
                for byte in text {
                    let id = byteIDs[Int(byte)]
                    if id >= 0 { output.append(Int(id)) } else if let unknownID { output.append(Int(unknownID)) }
                }
            }
            i = Int(scratch.next[i])
        }
    }
}
