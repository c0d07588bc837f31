/// The BPE model: turns one pre-tokenized piece (raw bytes) into token ids.
///
/// The merge loop is a transcription of HF `tokenizers`' `Word::merge_all`: a min-heap of candidate
/// merges ordered by (rank, position), lazily invalidated. Reproducing that exact procedure (rather
/// than the textbook "merge every occurrence of the best pair" loop) keeps results id-for-id equal
/// even for merge lists where a freshly created pair outranks older candidates.
struct BPEModel: Sendable {
    /// What the initial symbols of a piece are.
    enum Alphabet: Sendable {
        /// Byte-level BPE: one symbol per byte, the token id of each byte (-1 when the vocabulary lacks
        /// it, in which case HF drops the byte, or emits `unk` when one is configured).
        case bytes([Int32])
        /// BPE over characters (SentencePiece vocabularies): one symbol per scalar, the token id of each
        /// single-scalar token. A scalar missing from it becomes the byte tokens of its UTF-8 when
        /// `byteFallback` (the ids of `<0x00>`...`<0xFF>`) has all of them, else `unk` (HF `merge_word`).
        case characters([UInt32: Int32], byteFallback: [Int32]?)
    }

    let alphabet: Alphabet
    let merges: MergeTable
    let unknownID: Int32?
    let fuseUnknown: Bool
    /// HF `ignore_merges`: a piece that is itself a vocabulary entry is emitted as that entry.
    let ignoreMerges: Bool
    /// Raw-byte spelling -> id for every vocabulary entry (only filled when `ignoreMerges`).
    let wholeWordIDs: [[UInt8]: Int32]

    /// The model `definition` describes, over `alphabet`. `rawBytes` gives the raw bytes a vocabulary
    /// entry stands for (needed for `ignore_merges`; nil for entries that stand for none).
    init(_ definition: TokenizerDefinition, vocabulary: TokenVocabulary, alphabet: Alphabet,
         rawBytes: (String) -> [UInt8]?) throws {
        self.alphabet = alphabet
        merges = try MergeTable(definition.merges, modelIDs: vocabulary.modelIDs)
        unknownID = try definition.unknownToken.map { Int32(try vocabulary.unknownID($0)) }
        fuseUnknown = definition.fuseUnknown
        ignoreMerges = definition.ignoreMerges
        var wholeWordIDs: [[UInt8]: Int32] = [:]
        if definition.ignoreMerges {
            for entry in definition.vocabulary {
                if let bytes = rawBytes(entry.token), wholeWordIDs[bytes] == nil { wholeWordIDs[bytes] = Int32(entry.id) }
            }
        }
        self.wholeWordIDs = wholeWordIDs
    }

    /// Reusable buffers for the merge loop, so encoding a piece does not allocate.
    struct Scratch {
        var symbol: [Int32] = []
        var prev: [Int32] = []
        var next: [Int32] = []
        var length: [Int32] = []
        var heap: [HeapEntry] = []
        init() {}
    }

    struct HeapEntry {
        var key: UInt64  // rank << 32 | position
        var merged: Int32
    }

    func encode(_ piece: ArraySlice<UInt8>, into ids: inout [Int], scratch: inout Scratch) {
        if piece.isEmpty { return }
        if ignoreMerges, let id = wholeWordIDs[Array(piece)] {
            ids.append(Int(id))
            return
        }
        // Initial symbols (unknown ones become unk, fused or not, or vanish like in HF).
        scratch.symbol.removeAll(keepingCapacity: true)
        scratch.length.removeAll(keepingCapacity: true)
        var pendingUnknown: (id: Int32, length: Int32)? = nil
        func add(_ id: Int32, length: Int) {
            if let u = pendingUnknown {
                scratch.symbol.append(u.id); scratch.length.append(u.length)
                pendingUnknown = nil
            }
            scratch.symbol.append(id); scratch.length.append(Int32(length))
        }
        func addUnknown(length: Int) {
            guard let unk = unknownID else { return }
            if let u = pendingUnknown {
                if fuseUnknown {
                    pendingUnknown = (u.id, u.length + Int32(length))
                    return
                }
                scratch.symbol.append(u.id); scratch.length.append(u.length)
            }
            pendingUnknown = (unk, Int32(length))
        }
        switch alphabet {
        case let .bytes(byteToID):
            for b in piece {
                let id = byteToID[Int(b)]
                if id >= 0 { add(id, length: 1) } else { addUnknown(length: 1) }
            }
        case let .characters(ids, byteFallback):
            piece.withUnsafeBufferPointer { buf in
                var i = 0
                while i < buf.count {
                    let (value, length) = decodeUTF8(buf, i)
                    if let id = ids[value] {
                        add(id, length: length)
                    } else if let byteFallback, buf[i..<(i + length)].allSatisfy({ byteFallback[Int($0)] >= 0 }) {
                        // HF appends the byte tokens without flushing a pending unk first.
                        for b in buf[i..<(i + length)] { scratch.symbol.append(byteFallback[Int(b)]); scratch.length.append(1) }
                    } else {
                        addUnknown(length: length)
                    }
                    i += length
                }
            }
        }
        if let u = pendingUnknown { scratch.symbol.append(u.id); scratch.length.append(u.length) }

        let n = scratch.symbol.count
        if n <= 1 {
            if n == 1 { ids.append(Int(scratch.symbol[0])) }
            return
        }
        mergeAll(count: n, scratch: &scratch)
        for i in 0..<n where scratch.length[i] != 0 { ids.append(Int(scratch.symbol[i])) }
    }

    /// Min-heap on `key` (shared with `SentencePieceScoreModel`).
    @inline(__always)
    static func push(_ entry: HeapEntry, _ heap: inout [HeapEntry]) {
        heap.append(entry)
        var i = heap.count - 1
        while i > 0 {
            let parent = (i - 1) >> 1
            if heap[parent].key <= entry.key { break }
            heap[i] = heap[parent]
            i = parent
        }
        heap[i] = entry
    }

    @inline(__always)
    static func pop(_ heap: inout [HeapEntry]) -> HeapEntry? {
        guard let last = heap.popLast() else { return nil }
        if heap.isEmpty { return last }
        let top = heap[0]
        let n = heap.count
        var i = 0
        while true {
            let l = 2 * i + 1
            if l >= n { break }
            let r = l + 1
            let c = (r < n && heap[r].key < heap[l].key) ? r : l
            if heap[c].key >= last.key { break }
            heap[i] = heap[c]
            i = c
        }
        heap[i] = last
        return top
    }

    private func mergeAll(count n: Int, scratch: inout Scratch) {
        scratch.prev.removeAll(keepingCapacity: true)
        scratch.next.removeAll(keepingCapacity: true)
        for i in 0..<n {
            scratch.prev.append(Int32(i - 1))
            scratch.next.append(i + 1 < n ? Int32(i + 1) : -1)
        }
        scratch.heap.removeAll(keepingCapacity: true)
        for i in 0..<(n - 1) {
            if let m = merges.lookup(scratch.symbol[i], scratch.symbol[i + 1]) {
                Self.push(HeapEntry(key: UInt64(m.rank) << 32 | UInt64(i), merged: m.merged), &scratch.heap)
            }
        }
        while let top = Self.pop(&scratch.heap) {
            let pos = Int(top.key & 0xFFFF_FFFF)
            if scratch.length[pos] == 0 { continue }
            let right = Int(scratch.next[pos])
            if right < 0 { continue }
            // Skip stale entries: the pair at `pos` must still produce the same token.
            guard let current = merges.lookup(scratch.symbol[pos], scratch.symbol[right]),
                  current.merged == top.merged else { continue }

            scratch.symbol[pos] = top.merged
            scratch.length[pos] += scratch.length[right]
            let after = scratch.next[right]
            scratch.next[pos] = after
            scratch.length[right] = 0
            if after >= 0 { scratch.prev[Int(after)] = Int32(pos) }

            let before = Int(scratch.prev[pos])
            if before >= 0, let m = merges.lookup(scratch.symbol[before], scratch.symbol[pos]) {
                Self.push(HeapEntry(key: UInt64(m.rank) << 32 | UInt64(before), merged: m.merged), &scratch.heap)
            }
            if after >= 0, let m = merges.lookup(scratch.symbol[pos], scratch.symbol[Int(after)]) {
                Self.push(HeapEntry(key: UInt64(m.rank) << 32 | UInt64(pos), merged: m.merged), &scratch.heap)
            }
        }
    }
}
