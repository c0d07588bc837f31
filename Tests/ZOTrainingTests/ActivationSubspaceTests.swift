import Foundation
import XCTest
import ZOEstimators
import ZOModels
import ZORandom
import ZOTensor
import ZOTraining

/// `--subspace-source activations` on real model families: the sketch taken during a forward spans
/// the inputs each weight met (checked against LAPACK's SVD of the captured inputs), and a step's
/// change of a weight lies in that span on the weight's input side, whichever layout the family
/// stores (llama: outputs × inputs; GPT-2's Conv1D: inputs × outputs).
final class ActivationSubspaceTests: XCTestCase {
    /// The loss of fixed sequences: a forward pass, which is all the sketch needs.
    final class FixedBatchOracle: LossOracle {
        let model: LanguageModel
        let sequences: [[Int]] = [[3, 17, 99, 41, 8, 250, 12], [5, 77, 31, 4], [9, 9, 120, 66, 2, 14]]
        init(model: LanguageModel) { self.model = model }
        func loss() throws -> Float {
            let logits = try model.logits(sequences, at: sequences.indices.map { LogitRequest(sequence: $0, position: 2) })
            return logits.reduce(0, +) / Float(logits.count)
        }
        func advanceBatch() throws {}
    }

    /// The first layer-0 matrix of each layout a family stores.
    func layerZeroMatrix(_ arena: WeightArena) -> Int {
        arena.entries.firstIndex { $0.layer == 0 && $0.role == .matrix && $0.shape.count == 2 }!
    }

    func testTheSketchSpansTheInputsEachWeightMet() throws {
        for fixture in ["tiny-llama", "tiny-gpt2"] {
            let model = try TrainerHarness(fixture: fixture).model()
            let arena = model.weights
            let index = layerZeroMatrix(arena)
            let entry = arena.entries[index]
            let (inputs, _) = entry.layout.features(of: entry.shape)
            let rank = 3
            var captured: [Float] = [], rows = 0
            arena.inputObserver = { observed, input, count in
                guard observed == index else { return }
                captured = Array(UnsafeBufferPointer(start: input, count: count * inputs))
                rows = count
            }
            let oracle = FixedBatchOracle(model: model)
            _ = try oracle.loss()
            arena.inputObserver = nil
            let (bases, _) = try ActivationSketch.collect(
                // A tiny random model's activations have a flat spectrum: converge fully to compare.
                [ActivationSketch.Target(index: index, inputs: inputs, rank: rank)], arena: arena, powerIterations: 40,
                seed: 1, oracle: oracle)
            XCTAssertNil(arena.inputObserver, "the observer is removed after the sketch")
            let q = try XCTUnwrap(bases[index], fixture)

            // Energy of the captured inputs in the sketch vs in their own top-3 right singular vectors.
            var columnMajor = (0..<(rows * inputs)).map { captured[($0 % rows) * inputs + $0 / rows] }
            let svd = try DenseFactorizations.thinSVD(&columnMajor, rows: rows, columns: inputs)
            let best = svd.singularValues.prefix(rank).map { Double($0) * Double($0) }.reduce(0, +)
            var inSketch = 0.0
            for t in 0..<rows {
                for j in 0..<rank {
                    var dot = 0.0
                    for i in 0..<inputs { dot += Double(captured[t * inputs + i]) * Double(q[i * rank + j]) }
                    inSketch += dot * dot
                }
            }
            XCTAssertGreaterThan(inSketch, 0.99 * best, "\(fixture): the sketch misses the inputs' dominant directions")
            XCTAssertLessThanOrEqual(inSketch, best * (1 + 1e-4), fixture)
        }
    }

    func testAStepChangesEachWeightOnlyWithinItsActivationSpan() throws {
        let rank = 2
        try assertStepsStayInTheActivationSpan(
            SubZero(configuration: .init(rank: rank, window: 4, lowRankApply: .materialised, subspaceSource: .activations)), rank: rank)
    }

    /// P-GAP's estimate is factored inside the same span, so its step stays there too.
    func testAPGAPStepChangesEachWeightOnlyWithinItsActivationSpan() throws {
        let rank = 2
        try assertStepsStayInTheActivationSpan(
            PGAP(configuration: .init(rank: rank, window: 4, probes: 2, lowRankApply: .materialised, subspaceSource: .activations)),
            rank: rank)
    }

    func assertStepsStayInTheActivationSpan<E: ZerothOrderEstimator>(_ estimator: E, rank: Int) throws {
        for fixture in ["tiny-llama", "tiny-gpt2"] {
            let harness = try TrainerHarness(fixture: fixture)
            let run = harness.newRun()
            defer { try? FileManager.default.removeItem(at: run.url) }
            let trainer = try harness.trainer(estimator, run: run, steps: 1, evalEvery: 1)
            let arena = trainer.parameters.arena
            let index = layerZeroMatrix(arena)
            let entry = arena.entries[index]
            let before = Array(UnsafeBufferPointer(start: arena.pointer(entry), count: entry.count))
            try trainer.train()
            let after = Array(UnsafeBufferPointer(start: arena.pointer(entry), count: entry.count))

            let record = try XCTUnwrap(SeedLogReplay.records(from: run.seedLog).first)
            let blob = try XCTUnwrap(record.attachments?[RecordKey.activationBases], "\(fixture): the record carries the bases")
            let (inputs, outputs) = entry.layout.features(of: entry.shape)
            let bases = try XCTUnwrap(ActivationSketch.decode(blob), "\(fixture): a readable blob")
            let q = try XCTUnwrap(bases[index])
            XCTAssertEqual(q.count, inputs * rank)
            // Every output feature's change (a vector over the inputs) must lie in span(Q).
            var total = 0.0, outside = 0.0
            for o in 0..<outputs {
                let change = (0..<inputs).map { i -> Double in
                    let at = entry.layout == .outputsByInputs ? o * inputs + i : i * outputs + o
                    return Double(after[at]) - Double(before[at])
                }
                let coefficients = (0..<rank).map { j in (0..<inputs).reduce(0.0) { $0 + change[$1] * Double(q[$1 * rank + j]) } }
                for i in 0..<inputs {
                    let residual = change[i] - (0..<rank).reduce(0.0) { $0 + coefficients[$1] * Double(q[i * rank + $1]) }
                    outside += residual * residual
                    total += change[i] * change[i]
                }
            }
            XCTAssertGreaterThan(total, 0, "\(fixture): the step changed the weight")
            XCTAssertLessThan(outside, 1e-6 * total, "\(fixture): the change leaves the activation span")
        }
    }

    /// The bases a replay cannot recompute must come with the log: a window's first record without
    /// them, or with a blob that does not fit the model, is refused in one sentence.
    func testReplayRefusesMissingOrDamagedBases() throws {
        try assertReplayRefusesMissingOrDamagedBases(
            SubZero(configuration: .init(rank: 2, window: 2, lowRankApply: .materialised, subspaceSource: .activations)))
        try assertReplayRefusesMissingOrDamagedBases(
            PGAP(configuration: .init(rank: 2, window: 2, probes: 2, lowRankApply: .materialised, subspaceSource: .activations)))
    }

    func assertReplayRefusesMissingOrDamagedBases<E: ZerothOrderEstimator>(_ estimator: E) throws {
        let harness = try TrainerHarness()
        let run = harness.newRun()
        defer { try? FileManager.default.removeItem(at: run.url) }
        try harness.trainer(estimator, run: run, steps: 4, evalEvery: 4).train()
        let records = try SeedLogReplay.records(from: run.seedLog)
        XCTAssertEqual(records.map { $0.attachments != nil }, [true, false, true, false], "one sketch per window")

        func replayFails(_ damaged: [StepRecord], because reason: String) throws {
            let base = try harness.parameters(of: try harness.model())
            XCTAssertThrowsError(try SeedLogReplay.replay(damaged, estimator: estimator, parameters: base, runSeed: 3, totalSteps: 4)) {
                guard case let .recordMismatch(message)? = $0 as? EstimatorError else { return XCTFail("\($0)") }
                XCTAssertTrue(message.contains(reason), message)
            }
        }
        var missing = records
        missing[2].attachments = nil
        try replayFails(missing, because: "replay from that record or a checkpoint")
        var cut = records
        cut[0].attachments![RecordKey.activationBases] = cut[0].attachments![RecordKey.activationBases]!.dropLast(4)
        try replayFails(cut, because: "do not fit this model's tensors")
    }
}
