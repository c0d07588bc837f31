import ZORandom

/// Chooses training minibatches as a pure function of (run seed, step, draw), so a resumed run sees
/// exactly the batches the uninterrupted run would have. Draw 0 is the step's batch; DiZO's inner
/// projection iterations take draws 1, 2, ….
public struct MinibatchSampler: Sendable {
    public let exampleCount: Int
    public let batchSize: Int
    public let seed: UInt64

    public init(exampleCount: Int, batchSize: Int, seed: UInt64) {
        self.exampleCount = exampleCount
        self.batchSize = min(batchSize, exampleCount)
        self.seed = seed
    }

    /// Indices of `batchSize` distinct examples (partial Fisher–Yates).
    public func batch(step: Int, draw: Int) -> [Int] {
        var generator = SplitMix64(keys: seed, UInt64(step), UInt64(draw))
        var indices = Array(0..<exampleCount)
        for i in 0..<batchSize {
            let j = i + generator.below(exampleCount - i)
            indices.swapAt(i, j)
        }
        return Array(indices.prefix(batchSize))
    }
}
