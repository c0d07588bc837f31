import ZORandom

/// The train, dev and test examples of a task.
///
/// Sampling (MeZO protocol): the pool is permuted with `SplitMix64(seed)` (Fisher–Yates), then cut in
/// order test | train | dev, so dev is the last part of the train sample and test does not move when
/// the train size changes. With fewer examples than `sizes` asks for, the splits share them in the
/// proportions of `sizes` (1,000 : 500 : 1,000 → 40% / 20% / 40%): dev and test get
/// `max(1, ⌊n·share⌋)` and train the rest; fewer than 3 examples is an `emptySplit` error.
public struct TaskSplits: Sendable {
    public var train: [Example]
    public var dev: [Example]
    public var test: [Example]

    public init(train: [Example], dev: [Example], test: [Example]) {
        self.train = train
        self.dev = dev
        self.test = test
    }

    /// Samples all three splits from one pool of examples; `source` names it in errors.
    public static func sample(_ pool: [Example], sizes: SplitSizes = .mezo, seed: UInt64, source: String) throws -> TaskSplits {
        try sample(train: pool, dev: nil, test: nil, sizes: sizes, seed: seed, sources: (source, nil, nil))
    }

    /// Samples from separate pools: a split with its own pool gets a seeded sample of at most its size
    /// from it (dev and test use seeds derived from `seed`); splits without one are cut from `train` as
    /// in `sample(_:sizes:seed:source:)`. `sources` name the pools in errors.
    public static func sample(
        train pool: [Example], dev devPool: [Example]?, test testPool: [Example]?, sizes: SplitSizes = .mezo,
        seed: UInt64, sources: (train: String, dev: String?, test: String?)
    ) throws -> TaskSplits {
        for (name, size) in [("train", sizes.train), ("dev", sizes.dev), ("test", sizes.test)] where size < 1 {
            throw TaskError.emptySplit(split: name, reason: "its requested size is \(size)")
        }
        var generator = SplitMix64(seed: seed)
        let shuffled = generator.shuffled(pool)
        // The parts cut from the train pool, in cutting order.
        var parts: [(name: String, size: Int)] = []
        if testPool == nil { parts.append(("test", sizes.test)) }
        parts.append(("train", sizes.train))
        if devPool == nil { parts.append(("dev", sizes.dev)) }
        let counts = try cut(total: shuffled.count, parts: parts, source: sources.train)
        var cuts: [String: [Example]] = [:]
        var start = 0
        for (part, count) in zip(parts, counts) {
            cuts[part.name] = Array(shuffled[start..<start + count])
            start += count
        }
        func draw(_ pool: [Example]?, split: String, size: Int, tag: UInt64, source: String?) throws -> [Example] {
            guard let pool else { return cuts[split]! }
            guard !pool.isEmpty else {
                throw TaskError.emptySplit(split: split, reason: "\(source ?? "its file") has no examples")
            }
            var generator = SplitMix64(seed: SplitMix64.mix(seed ^ tag))
            return Array(generator.shuffled(pool).prefix(size))
        }
        return TaskSplits(
            train: cuts["train"]!,
            dev: try draw(devPool, split: "dev", size: sizes.dev, tag: 0xDE5, source: sources.dev),
            test: try draw(testPool, split: "test", size: sizes.test, tag: 0x7E57, source: sources.test))
    }

    /// Sizes of the parts cut from `total` examples: as asked when there are enough, else proportional
    /// with at least one each for the non-train parts and the remainder for train.
    static func cut(total: Int, parts: [(name: String, size: Int)], source: String) throws -> [Int] {
        let wanted = parts.reduce(0) { $0 + $1.size }
        if total >= wanted { return parts.map(\.size) }
        var counts = parts.map { $0.name == "train" ? 0 : max(1, total * $0.size / wanted) }
        let rest = total - counts.reduce(0, +)
        let trainIndex = parts.firstIndex { $0.name == "train" }!
        guard rest >= 1 else {
            let name = total == 0 ? parts[0].name : "train"
            throw TaskError.emptySplit(
                split: name, reason: "\(source) has only \(total) example\(total == 1 ? "" : "s"), and \(parts.count) splits need at least \(parts.count)")
        }
        counts[trainIndex] = rest
        return counts
    }
}
