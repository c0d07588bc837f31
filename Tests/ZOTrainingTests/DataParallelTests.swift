import Foundation
import XCTest
import ZOEstimators
import ZOModels
import ZOTensor
import ZOTraining

/// Data-parallel training with in-process ranks (threads sharing an all-gather): every rank ends with
/// rank 0's weights bit for bit, and the run equals the single-process one to rounding.
final class DataParallelTests: XCTestCase {
    /// Runs `size` trainers of the same configuration in threads, one per rank; returns each rank's
    /// trained weights (rank order) and rank 0's seed log.
    private func distributedRun<E: ZerothOrderEstimator>(
        _ estimator: E, size: Int, harness: TrainerHarness, steps: Int, mode: ParallelMode = .data
    ) throws -> (weights: [Data], seedLog: Data, summary: TrainingSummary) {
        let groups = InProcessGroups(size: size)
        let runs = (0..<size).map { _ in harness.newRun() }
        defer { for run in runs { try? FileManager.default.removeItem(at: run.url) } }
        let weights = LockedBox([Data?](repeating: nil, count: size))
        let summary = LockedBox<TrainingSummary?>(nil)
        let failures = LockedBox([String]())
        // One thread per rank: a pool of fewer threads than ranks would wait forever in the first all-gather.
        InProcessGroups.runThreads(size) { rank in
            do {
                var settings = TrainingSettings()
                (settings.steps, settings.batchSize, settings.evalEvery, settings.seed) = (steps, 8, 2, 3)
                settings.learningRate = harness.learningRate
                let model = try harness.model()
                let trainer = Trainer(model: model, estimator: estimator, parameters: try harness.parameters(of: model, seed: 3),
                                      data: harness.data, settings: settings, run: runs[rank], taskName: "synthetic",
                                      processGroup: groups.member(rank), parallelMode: mode)
                let result = try trainer.train()
                if rank == 0 { summary.update { $0 = result } }
                let bytes = TrainerHarness.bytes(trainer.parameters.arena)
                weights.update { $0[rank] = bytes }
            } catch {
                failures.update { $0.append("rank \(rank): \(error)") }
                groups.abandon()
            }
        }
        guard failures.value.isEmpty else { throw NSError(domain: failures.value.joined(separator: "; "), code: 1) }
        return (weights.value.map { $0! }, try Data(contentsOf: runs[0].seedLog), summary.value!)
    }

    func testRanksAgreeBitForBitAndMatchTheSingleProcessRunToRounding() throws {
        let harness = try TrainerHarness()
        let estimator = MeZO(configuration: .init(directions: 2))
        let single = harness.newRun()
        defer { try? FileManager.default.removeItem(at: single.url) }
        let straight = try harness.trainer(estimator, run: single, steps: 4)
        let alone = try straight.train()
        let reference = TrainerHarness.bytes(straight.parameters.arena)
        for size in [2, 3] {
            let (weights, seedLog, summary) = try distributedRun(estimator, size: size, harness: harness, steps: 4)
            // Evaluations are sharded over the ranks and gathered: one process's numbers.
            for (a, b) in [(summary.zeroShotDev, alone.zeroShotDev), (summary.bestDev, alone.bestDev), (summary.test, alone.test)] {
                let (x, y) = (try XCTUnwrap(a), try XCTUnwrap(b))
                // Trained weights differ by rounding, which could flip a near-tie: one example's worth.
                XCTAssertEqual(x.accuracy, y.accuracy, accuracy: a == summary.zeroShotDev ? 0 : 1.0 / Double(y.examples), "\(size) ranks")
                XCTAssertEqual(x.loss, y.loss, accuracy: 1e-5, "\(size) ranks: trained weights differ by rounding")
                XCTAssertEqual(x.examples, y.examples)
            }
            for rank in 1..<size { XCTAssertEqual(weights[rank], weights[0], "\(size) ranks: rank \(rank) differs from rank 0") }
            // Not bit for bit: a shard's forward is a different BLAS call (fewer rows) whose row sums may
            // round differently, which moves a loss by an ulp and a projected gradient by ~1e-4.
            let (a, b) = (floats(weights[0]), floats(reference))
            let drift = zip(a, b).map { abs($0 - $1) }.max()!
            XCTAssertLessThan(drift, 1e-5, "\(size) ranks: the single-process weights to rounding")
            XCTAssertNotEqual(floats(TrainerHarness.bytes(try harness.model().weights)), a, "training changed the weights")
            let (distributed, alone) = (try gradients(seedLog), try gradients(try Data(contentsOf: single.seedLog)))
            XCTAssertEqual(distributed.count, alone.count)
            for (x, y) in zip(distributed, alone) { XCTAssertEqual(x, y, accuracy: 1e-3 * max(1, abs(y)), "\(size) ranks") }
        }
    }

    private func floats(_ data: Data) -> [Float] { data.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) } }

    /// Every projected gradient of a seed log, in order.
    private func gradients(_ log: Data) throws -> [Double] {
        try log.split(separator: UInt8(ascii: "\n")).flatMap { line -> [Double] in
            let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
            return try XCTUnwrap(object["gradients"] as? [Double])
        }
    }

    /// Direction-parallel MeZO, DiZO, FZOO, ZO-Muon and P-GAP: each rank evaluates its directions or probes
    /// on the whole batch and replays the others' perturbations, so every weight is the
    /// single-process run's bit for bit.
    func testDirectionParallelRunsEqualOneProcessBitForBit() throws {
        let harness = try TrainerHarness()
        var cases: [(String, any ZerothOrderEstimator, ranks: Int)] = [(4, 2), (3, 3), (2, 3)].map { directions, ranks in
            ("mezo q \(directions)", MeZO(configuration: .init(directions: directions)), ranks)
        }
        cases += [
            ("dizo q 2", DiZO(configuration: .init(directions: 2, projectionInterval: 2)), 2),
            ("fzoo N 4", FZOO(configuration: .init(directions: 4)), 2),
            ("fzoo N 4", FZOO(configuration: .init(directions: 4)), 3),
            ("zo-muon N 3", ZOMuon(configuration: .init(directions: 3)), 3),
            ("pgap h 3", PGAP(configuration: .init(rank: 2, window: 2, probes: 3)), 2),
        ]
        for (label, estimator, ranks) in cases {
            try assertDirectionParallelEqualsOneProcess(estimator, ranks: ranks, harness: harness, label)
        }
    }

    private func assertDirectionParallelEqualsOneProcess<E: ZerothOrderEstimator>(
        _ estimator: E, ranks: Int, harness: TrainerHarness, _ label: String
    ) throws {
        let single = harness.newRun()
        defer { try? FileManager.default.removeItem(at: single.url) }
        let straight = try harness.trainer(estimator, run: single, steps: 4)
        let alone = try straight.train()
        let (weights, seedLog, summary) = try distributedRun(estimator, size: ranks, harness: harness, steps: 4, mode: .directions)
        for rank in 0..<ranks {
            XCTAssertEqual(weights[rank], TrainerHarness.bytes(straight.parameters.arena), "\(label), \(ranks) ranks: rank \(rank)")
        }
        XCTAssertNotEqual(TrainerHarness.bytes(straight.parameters.arena), TrainerHarness.bytes(try harness.model().weights), "\(label) trained")
        XCTAssertEqual(seedLog, try Data(contentsOf: single.seedLog), "\(label), \(ranks) ranks")
        XCTAssertEqual(summary.forwardPasses, alone.forwardPasses, "\(label): every evaluation counts once")
    }

    /// Data mode works for every method: two ranks end bit-identical to each other and within
    /// rounding of one process.
    func testEveryMethodTrainsDataParallel() throws {
        for name in MethodRegistry.names {
            var setting = TrainerHarness.smallRun(steps: 4)
            setting.method = try MethodConfiguration.defaults(for: name)
            let configuration = setting
            let folders = (0..<3).map { _ in FileManager.default.temporaryDirectory.appendingPathComponent("zotune-dp-\(UUID())") }
            defer { for folder in folders { try? FileManager.default.removeItem(at: folder) } }
            try FineTune(configuration: configuration, folder: folders[2]).run()
            let groups = InProcessGroups(size: 2)
            let errors = LockedBox([String]())
            InProcessGroups.runThreads(2) { rank in
                var fineTune = FineTune(configuration: configuration, folder: folders[rank])
                fineTune.processGroup = groups.member(rank)
                do { try fineTune.run() } catch {
                    errors.update { $0.append("\(name) rank \(rank): \(error)") }
                    groups.abandon()
                }
            }
            XCTAssertEqual(errors.value, [])
            let weights = try folders.map { try Data(contentsOf: RunDirectory($0).latest.weights) }
            XCTAssertEqual(weights[0], weights[1], "\(name): ranks agree bit for bit")
            let (a, b) = (floats(weights[0]), floats(weights[2]))
            XCTAssertEqual(a.count, b.count)
            // The safetensors header is the same text in both files, so the floats line up. Rounding
            // differences in the losses grow through a method's probes and steps (P-GAP: ~1e-4 here).
            XCTAssertLessThan(zip(a, b).map { abs($0 - $1) }.filter { $0.isFinite }.max() ?? 1, 1e-3, "\(name): one process's weights to rounding")
        }
    }

    /// Ranks started with different options are refused before training, each with the same sentence.
    func testRanksWithDifferentConfigurationsAreRefusedAtStartUp() throws {
        let groups = InProcessGroups(size: 2)
        let errors = LockedBox([String](repeating: "", count: 2))
        let folders = (0..<2).map { _ in FileManager.default.temporaryDirectory.appendingPathComponent("zotune-dp-\(UUID())") }
        defer { for folder in folders { try? FileManager.default.removeItem(at: folder) } }
        InProcessGroups.runThreads(2) { rank in
            var fineTune = FineTune(configuration: TrainerHarness.smallRun(learningRate: rank == 0 ? 1e-3 : 2e-3), folder: folders[rank])
            fineTune.processGroup = groups.member(rank)
            do { try fineTune.run() } catch { errors.update { $0[rank] = "\(error)" } }
        }
        XCTAssertEqual(errors.value, Array(repeating: "rank 1's configuration or build differs from rank 0's: every rank must run the same build, model and options; stopped", count: 2))
        XCTAssertFalse(FileManager.default.fileExists(atPath: folders[0].path), "nothing is written")
    }

    func testShardsCoverTheBatchInOrder() {
        let group = InProcessGroups(size: 3).member(0)
        XCTAssertEqual((0..<3).map { group.shard(of: 8, rank: $0) }, [0..<2, 2..<5, 5..<8])
        XCTAssertEqual((0..<3).map { group.shard(of: 16, rank: $0) }, [0..<5, 5..<10, 10..<16])
    }

    func testDisagreeingRanksStop() throws {
        let groups = InProcessGroups(size: 2)
        let messages = LockedBox([String](repeating: "", count: 2))
        InProcessGroups.runThreads(2) { rank in
            do { try groups.member(rank).checkAgreement(on: rank == 0 ? 7 : 8, what: "configuration") } catch {
                messages.update { $0[rank] = "\(error)" }
            }
        }
        XCTAssertEqual(messages.value, Array(repeating: "rank 1's configuration differs from rank 0's: every rank must run the same build, model and options; stopped", count: 2))
    }
}

/// Ranks as threads of one process: `allGather` waits until every member has sent.
final class InProcessGroups: @unchecked Sendable {
    let size: Int
    private let condition = NSCondition()
    private var slots: [[Double]?]
    private var round = 0
    private var arrived = 0
    private var result: [Double] = []
    private var abandoned = false

    init(size: Int) {
        self.size = size
        slots = Array(repeating: nil, count: size)
    }

    func member(_ rank: Int) -> ProcessGroup { Member(rank: rank, groups: self) }

    /// Runs `body(rank)` on `count` threads of its own and waits for all of them.
    static func runThreads(_ count: Int, _ body: @escaping @Sendable (Int) -> Void) {
        let done = DispatchGroup()
        for rank in 0..<count {
            done.enter()
            Thread {
                body(rank)
                done.leave()
            }.start()
        }
        done.wait()
    }

    /// A failed rank releases the others (they then fail too) instead of leaving them waiting.
    func abandon() {
        condition.lock()
        abandoned = true
        condition.broadcast()
        condition.unlock()
    }

    fileprivate func allGather(_ values: [Double], rank: Int) throws -> [Double] {
        condition.lock()
        defer { condition.unlock() }
        slots[rank] = values
        arrived += 1
        let mine = round
        if arrived == size {
            result = slots.flatMap { $0! }
            arrived = 0
            round += 1
            condition.broadcast()
        } else {
            while round == mine && !abandoned { condition.wait() }
        }
        if round == mine { throw NSError(domain: "another rank failed", code: 1) }
        return result
    }

    private final class Member: ProcessGroup {
        let rank: Int
        let groups: InProcessGroups
        var size: Int { groups.size }
        init(rank: Int, groups: InProcessGroups) { (self.rank, self.groups) = (rank, groups) }
        func allGather(_ values: [Double]) throws -> [Double] { try groups.allGather(values, rank: rank) }
    }
}

/// A value that threads update under a lock.
final class LockedBox<Value>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value
    init(_ value: Value) { stored = value }
    var value: Value { lock.withLock { stored } }
    func update(_ change: (inout Value) -> Void) { lock.withLock { change(&stored) } }
}
