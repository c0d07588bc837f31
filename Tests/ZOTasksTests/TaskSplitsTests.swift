import XCTest
import ZOTasks

final class TaskSplitsTests: XCTestCase {
    private func ids(_ examples: [Example]) -> [Int] { examples.map { Int($0.fields["i"]!)! } }

    func testMeZOSizesFromALargePool() throws {
        let pool = numberedExamples(3000)
        let splits = try TaskSplits.sample(pool, seed: 0, source: "pool")
        XCTAssertEqual([splits.train.count, splits.dev.count, splits.test.count], [1000, 500, 1000])
        let all = ids(splits.train) + ids(splits.dev) + ids(splits.test)
        XCTAssertEqual(Set(all).count, 2500, "splits are disjoint")
    }

    func testSameSeedSameSplitsOtherSeedOtherSplits() throws {
        let pool = numberedExamples(3000)
        let a = try TaskSplits.sample(pool, seed: 7, source: "pool")
        let b = try TaskSplits.sample(pool, seed: 7, source: "pool")
        let c = try TaskSplits.sample(pool, seed: 8, source: "pool")
        XCTAssertEqual(a.train, b.train)
        XCTAssertEqual(a.dev, b.dev)
        XCTAssertEqual(a.test, b.test)
        XCTAssertNotEqual(a.train, c.train)
        XCTAssertNotEqual(Set(ids(a.test)), Set(ids(c.test)))
    }

    /// Pins the generator: SplitMix64 + Lemire bounded draws + Fisher–Yates from the top, checked
    /// against an independent Python implementation (seed 0 permutes 0..<10 to 4 9 2 5 1 7 6 0 3 8).
    func testPermutationIsPinned() throws {
        let splits = try TaskSplits.sample(numberedExamples(10), seed: 0, source: "pool")
        XCTAssertEqual(ids(splits.test), [4, 9, 2, 5])
        XCTAssertEqual(ids(splits.train), [1, 7, 6, 0])
        XCTAssertEqual(ids(splits.dev), [3, 8])
        let seed1 = try TaskSplits.sample(numberedExamples(10), seed: 1, source: "pool")
        XCTAssertEqual(ids(seed1.test) + ids(seed1.train) + ids(seed1.dev), [9, 0, 1, 4, 8, 2, 3, 7, 6, 5])
    }

    func testTestSplitDoesNotDependOnTrainSize() throws {
        let pool = numberedExamples(5000)
        let small = try TaskSplits.sample(pool, sizes: SplitSizes(train: 16, dev: 16, test: 1000), seed: 3, source: "pool")
        let large = try TaskSplits.sample(pool, seed: 3, source: "pool")
        XCTAssertEqual(small.test, large.test)
        XCTAssertEqual(small.train, Array(large.train.prefix(16)))
    }

    func testSmallPoolsAreSplitProportionally() throws {
        for (n, expected) in [(735, [294, 147, 294]), (2289, [917, 457, 915]), (10, [4, 2, 4]), (3, [1, 1, 1]), (4, [2, 1, 1])] {
            let splits = try TaskSplits.sample(numberedExamples(n), seed: 0, source: "pool")
            XCTAssertEqual([splits.train.count, splits.dev.count, splits.test.count], expected, "n = \(n)")
            XCTAssertEqual(Set(ids(splits.train) + ids(splits.dev) + ids(splits.test)).count, n)
        }
    }

    func testTooFewExamplesIsAnError() {
        XCTAssertTaskError(
            try TaskSplits.sample(numberedExamples(2), seed: 0, source: "tiny.jsonl"),
            .emptySplit(split: "train", reason: "tiny.jsonl has only 2 examples, and 3 splits need at least 3"),
            mentions: ["train split is empty", "tiny.jsonl"])
        XCTAssertTaskError(
            try TaskSplits.sample([], seed: 0, source: "none.jsonl"),
            .emptySplit(split: "test", reason: "none.jsonl has only 0 examples, and 3 splits need at least 3"))
    }

    func testSeparatePools() throws {
        let train = numberedExamples(40)
        let test = (100..<103).map { Example(fields: ["i": String($0)], label: 0) }
        let splits = try TaskSplits.sample(
            train: train, dev: nil, test: test, sizes: SplitSizes(train: 30, dev: 5, test: 2), seed: 0,
            sources: ("train.jsonl", nil, "test.jsonl"))
        XCTAssertEqual([splits.train.count, splits.dev.count, splits.test.count], [30, 5, 2])
        XCTAssertTrue(Set(ids(splits.test)).isSubset(of: [100, 101, 102]))
        XCTAssertTrue(Set(ids(splits.train + splits.dev)).isSubset(of: Set(0..<40)))
        XCTAssertTaskError(
            try TaskSplits.sample(train: train, dev: [], test: nil, seed: 0, sources: ("train.jsonl", "dev.jsonl", nil)),
            .emptySplit(split: "dev", reason: "dev.jsonl has no examples"))
    }
}
