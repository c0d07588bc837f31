/// The processes of a distributed run (MPI ranks), as the trainer sees them: every rank holds the
/// same weights, evaluates its share of each step (a shard of the batch, or some of the directions:
/// `ParallelMode`) and gathers the other ranks' losses, so every rank computes the same losses and
/// applies the same update. A step exchanges a handful of
/// numbers per example; weights and gradients never travel.
public protocol ProcessGroup: AnyObject {
    /// This process's index, 0 ..< `size`; rank 0 owns the run folder.
    var rank: Int { get }
    var size: Int { get }
    /// Every rank's `values` concatenated in rank order; every rank must send the same count.
    func allGather(_ values: [Double]) throws -> [Double]
}

/// How the ranks of a distributed run share a training step.
public enum ParallelMode: String, Codable, Sendable, CaseIterable {
    /// Each rank scores its part of every batch; the per-example losses are gathered.
    case data
    /// Each rank evaluates some of a step's directions on the whole batch and replays the others'
    /// perturbations; the directions' losses are gathered. The same weights as one process, bit for bit.
    case directions
}

extension ProcessGroup {
    /// The part of `count` items that `rank` takes: contiguous, in order, sizes differing by at most one.
    public func shard(of count: Int, rank: Int? = nil) -> Range<Int> {
        let rank = rank ?? self.rank
        return (rank * count / size)..<((rank + 1) * count / size)
    }

    /// Every rank's values for its `shard(of: count)`, reassembled in item order (shards are padded
    /// to one length for the exchange).
    public func gatherShards(_ mine: [Double], count: Int) throws -> [Double] {
        precondition(mine.count == shard(of: count).count)
        let width = (count + size - 1) / size
        let all = try allGather(mine + Array(repeating: 0, count: width - mine.count))
        return (0..<size).flatMap { k in all[(k * width)..<(k * width + shard(of: count, rank: k).count)] }
    }

    /// Direction-parallel: the rank that evaluates `direction` (round robin).
    public func owner(ofDirection direction: Int) -> Int { direction % size }

    /// Direction-parallel: every direction's `perDirection` losses from its owner (`losses[d]` empty
    /// where this rank is not the owner). Floats travel exactly as doubles.
    public func gatherDirectionLosses(_ losses: [[Float]], perDirection width: Int) throws -> [[Float]] {
        let mine = losses.flatMap { $0.isEmpty ? Array(repeating: Double.nan, count: width) : $0.map(Double.init) }
        let all = try allGather(mine)
        return losses.indices.map { d in
            let start = owner(ofDirection: d) * losses.count * width + d * width
            return all[start..<(start + width)].map { Float($0) }
        }
    }

    /// Stops with `TrainingError.ranksDisagree` unless every rank passes the same `digest` (of the
    /// weights, or of the configuration at start-up).
    public func checkAgreement(on digest: UInt64, what: String) throws {
        // Two exact halves: a Double holds any 32-bit integer.
        let all = try allGather([Double(digest >> 32), Double(digest & 0xFFFF_FFFF)])
        let digests = stride(from: 0, to: all.count, by: 2).map { UInt64(all[$0]) << 32 | UInt64(all[$0 + 1]) }
        if let other = digests.firstIndex(where: { $0 != digests[0] }) {
            throw TrainingError.ranksDisagree(what: what, rank: other)
        }
    }
}
