/// Merge ranks keyed by the pair of token ids, as an open-addressing hash table.
///
/// The merge loop does one lookup per adjacent pair per step, so this is the hottest structure in
/// encoding; a flat table with a multiplicative hash beats `Dictionary<UInt64, ...>` (SipHash) by a
/// wide margin. Entries: key = left << 32 | right, value = rank << 32 | merged id.
struct MergeTable: Sendable {
    private var keys: [UInt64]
    private var values: [UInt64]
    private var mask: Int
    private(set) var count = 0
    private static let empty = UInt64.max

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        keys = [UInt64](repeating: Self.empty, count: size)
        values = [UInt64](repeating: 0, count: size)
        mask = size - 1
    }

    @inline(__always)
    static func key(_ left: Int32, _ right: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: left)) << 32 | UInt64(UInt32(bitPattern: right))
    }

    @inline(__always)
    private func slot(for key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 32) & mask
    }

    /// The merges (rank order) as id pairs, each resolved through the model vocabulary (exact bytes of
    /// the spelling); a merge naming a token the vocabulary lacks throws `invalidMerge`.
    init(_ merges: [(left: String, right: String)], modelIDs: [[UInt8]: Int]) throws {
        self.init(capacity: merges.count)
        for (rank, merge) in merges.enumerated() {
            let left = Array(merge.left.utf8), right = Array(merge.right.utf8)
            for (part, spelling) in [(left, merge.left), (right, merge.right), (left + right, merge.left + merge.right)]
            where modelIDs[part] == nil {
                throw TokenizerError.invalidMerge(index: rank, merge: "\(merge.left) \(merge.right)", reason: "\"\(spelling)\" is not in the vocabulary")
            }
            set(left: Int32(modelIDs[left]!), right: Int32(modelIDs[right]!), rank: UInt32(rank), merged: Int32(modelIDs[left + right]!))
        }
    }

    /// Inserts or replaces (HF collects merges into a map, so a later duplicate pair wins).
    mutating func set(left: Int32, right: Int32, rank: UInt32, merged: Int32) {
        if (count + 1) * 2 > keys.count { grow() }
        let k = Self.key(left, right)
        var i = slot(for: k)
        while keys[i] != Self.empty && keys[i] != k { i = (i + 1) & mask }
        if keys[i] == Self.empty { count += 1 }
        keys[i] = k
        values[i] = UInt64(rank) << 32 | UInt64(UInt32(bitPattern: merged))
    }

    /// `(rank, merged id)` for the pair, or nil.
    @inline(__always)
    func lookup(_ left: Int32, _ right: Int32) -> (rank: UInt32, merged: Int32)? {
        let k = Self.key(left, right)
        var i = slot(for: k)
        while true {
            let stored = keys[i]
            if stored == k {
                let v = values[i]
                return (UInt32(truncatingIfNeeded: v >> 32), Int32(bitPattern: UInt32(truncatingIfNeeded: v)))
            }
            if stored == Self.empty { return nil }
            i = (i + 1) & mask
        }
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = [UInt64](repeating: Self.empty, count: oldKeys.count * 2)
        values = [UInt64](repeating: 0, count: oldKeys.count * 2)
        mask = keys.count - 1
        for (i, k) in oldKeys.enumerated() where k != Self.empty {
            var j = slot(for: k)
            while keys[j] != Self.empty { j = (j + 1) & mask }
            keys[j] = k
            values[j] = oldValues[i]
        }
    }
}
