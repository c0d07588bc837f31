import Foundation
import XCTest
import ZOEstimators
import ZOModels
import ZORandom
import ZOTensor
import ZOTraining

/// The two ways to apply a low-rank perturbation agree: a `LowRankDelta` added by the forward gives
/// the logits of W + c·U·Z·Vᵀ written into W, and factored training ends at the weights of
/// materialised training, to rounding.
final class FactoredApplicationTests: XCTestCase {
    /// Sequences of different lengths, so packing and the per-token embedding rows are exercised.
    private let sequences = [[5, 17, 300, 42, 9, 1], [7], [100, 200, 300, 400]]

    private func logits(_ model: LanguageModel) throws -> [Float] {
        try model.logits(sequences, at: sequences.indices.flatMap { s in
            sequences[s].indices.map { LogitRequest(sequence: s, position: $0) }
        })
    }

    /// Every 2-D weight (embeddings, attention, MLP and the head's matrices) with room for rank 4 (all
    /// but BERT's 2-row token-type table and a 2-label classifier) gets P = c·U·Z·Vᵀ.
    private func assertSameLogits(fixture: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let path = TrainerHarness.fixtures.appendingPathComponent(fixture).path
        let materialised = try LoadedModel.open(path: path).model, factored = try LoadedModel.open(path: path).model
        let base = try logits(materialised)
        for (index, entry) in materialised.weights.entries.enumerated() where entry.shape.count == 2 && entry.shape.min()! >= 4 {
            let (m, n, r) = (entry.shape[0], entry.shape[1], 4)
            let basis = try LowRankBasis.random(rows: m, columns: n, rank: r, seed: 11, tensorIndex: index)
            let z = GaussianStream(seed: 12, tensor: index, kind: .coefficients).normals(0..<(r * r))
            let c: Float = 0.02 * (Float(m) * Float(n)).squareRoot() / Float(r)
            LowRankUpdate.apply(to: materialised.weights.pointer(entry), basis: basis, coefficients: z, alpha: c)
            let delta = LowRankDelta(rows: m, columns: n, rank: r, left: basis.left, right: basis.right, tag: 0)
            delta.accumulate(z, scale: c)
            factored.weights.setDelta(delta, for: index)
        }
        let expected = try logits(materialised), actual = try logits(factored)
        let change = zip(expected, base).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(change, 1e-2, "the perturbation must move the logits for the comparison to mean anything", file: file, line: line)
        let scale = expected.map(abs).max()!
        let error = zip(expected, actual).map { abs($0 - $1) }.max()!
        XCTAssertLessThanOrEqual(error / scale, 1e-5, "\(fixture): max |Δlogit| \(error) of max |logit| \(scale)", file: file, line: line)

        // Folding the deltas gives the materialised weights (to rounding) and the same logits.
        factored.weights.foldAllDeltas()
        XCTAssertTrue(factored.weights.deltas.isEmpty)
        let folded = try logits(factored)
        XCTAssertLessThanOrEqual(zip(expected, folded).map { abs($0 - $1) }.max()! / scale, 1e-5, file: file, line: line)
    }

    func testFactoredLogitsEqualMaterialisedLogitsTiedHead() throws {
        try assertSameLogits(fixture: "tiny-llama")
    }

    func testFactoredLogitsEqualMaterialisedLogitsUntiedHead() throws {
        try assertSameLogits(fixture: "tiny-llama-untied")
    }

    /// OPT (project_in/out, position table), GPT-2 (Conv1D weights stored inputs × outputs) and Qwen2.
    func testFactoredLogitsEqualMaterialisedLogitsInEveryDecoderFamily() throws {
        for fixture in ["tiny-opt", "tiny-opt-post-ln", "tiny-gpt2", "tiny-qwen2-untied"] {
            try assertSameLogits(fixture: fixture)
        }
    }

    /// Encoders: word and position tables, q/k/v, attention output, FFN, MLM transform (tied decoder),
    /// and on the classifier path the pooler (the 2-label head runs through the same linear map).
    func testFactoredLogitsEqualMaterialisedLogitsInEveryEncoderHead() throws {
        for fixture in ["tiny-bert-mlm", "tiny-roberta-mlm", "tiny-bert"] {
            try assertSameLogits(fixture: fixture)
        }
    }

    /// Eight steps with windows of three (two folds), materialised vs factored: the same weights to
    /// rounding. Each g = (L₊ − L₋)/2ε divides forward rounding differences by ε, and later steps
    /// start from slightly different weights, so the bound is relative to the weights' change from
    /// the base model (0.1 %), not to the weights themselves.
    private func assertSameTrainedWeights<E: ZerothOrderEstimator>(
        _ make: (LowRankApplication) -> E, file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let harness = try TrainerHarness()
        var trained: [[Float]] = []
        for application in [LowRankApplication.materialised, .factored] {
            let run = harness.newRun()
            defer { try? FileManager.default.removeItem(at: run.url) }
            let trainer = try harness.trainer(make(application), run: run, steps: 8)
            try trainer.train()
            XCTAssertTrue(trainer.model.weights.deltas.isEmpty, "deltas are folded at the end", file: file, line: line)
            trained.append(Array(trainer.model.weights.storage.buffer))
        }
        let baseModel = try harness.model()
        // The buffer pointer does not keep the model alive: copy while it surely is.
        let base = withExtendedLifetime(baseModel) { Array(baseModel.weights.storage.buffer) }
        let moved = zip(trained[0], base).map { abs($0 - $1) }.max()!
        let difference = zip(trained[0], trained[1]).map { abs($0 - $1) }.max()!
        XCTAssertGreaterThan(moved, 1e-4, "training must move the weights", file: file, line: line)
        XCTAssertLessThanOrEqual(difference, 1e-3 * moved, "max |Δw| \(difference) vs max |w − w₀| \(moved)", file: file, line: line)
        print(String(format: "%@: factored vs materialised after 8 steps: max |Δw| %.3g = %.3g of the training change",
                     E.name, difference, difference / moved))
    }

    /// More probes than the rank: with h ≤ r the estimate S has rank h and singular vectors beyond
    /// it span a null space that rounding alone decides, so the two runs would follow different
    /// (equally valid) directions.
    func testPGAPTrainsTheSameWeightsEitherWay() throws {
        try assertSameTrainedWeights { PGAP(configuration: .init(rank: 2, window: 3, probes: 6, lowRankApply: $0)) }
    }

    func testSubZeroTrainsTheSameWeightsEitherWay() throws {
        try assertSameTrainedWeights { SubZero(configuration: .init(rank: 4, window: 3, lowRankApply: $0)) }
    }

    /// SmolLM2-135M shapes at rank 64 and a batch of ≈ 600 tokens: the embedding (which the forward
    /// only gathers from) is far cheaper factored; a 576×576 projection is cheaper materialised; at
    /// 16 tokens every matrix is cheaper factored.
    func testCostModelChoosesPerShapeAndBatch() {
        func factoredWins(_ m: Int, _ n: Int, rows: Double) -> Bool {
            LowRankCostModel.factored(rows: m, columns: n, rank: 64, activationRows: rows, windowLength: 100)
                < LowRankCostModel.materialised(rows: m, columns: n, rank: 64)
        }
        let tokens = 600.0, scored = 16.0
        XCTAssertTrue(factoredWins(49152, 576, rows: tokens * 576 / (49152 + 576) + scored))
        XCTAssertFalse(factoredWins(576, 576, rows: tokens))
        XCTAssertTrue(factoredWins(576, 576, rows: 16))
        XCTAssertTrue(factoredWins(1536, 576, rows: 16))
    }

    /// `auto` uses the trainer's measured batch: on the tiny model with short prompts some tensors go
    /// factored, and weight decay keeps decayed tensors materialised.
    func testAutoPlanFollowsTheBatchAndWeightDecay() throws {
        let harness = try TrainerHarness()
        let run = harness.newRun()
        defer { try? FileManager.default.removeItem(at: run.url) }
        let trainer = try harness.trainer(SubZero(configuration: .init(rank: 4)), run: run, steps: 1)
        XCTAssertFalse(trainer.parameters.activationRows.isEmpty)
        try trainer.train()
        let first = try SeedLogReplay.records(from: run.seedLog)[0]
        let factored = try XCTUnwrap(first.extraSeeds[RecordKey.factoredTensors])
        XCTAssertFalse(factored.isEmpty, "the embedding at least is cheaper factored")

        let decayed = harness.newRun()
        defer { try? FileManager.default.removeItem(at: decayed.url) }
        try harness.trainer(SubZero(configuration: .init(rank: 4, weightDecay: 0.1)), run: decayed, steps: 1).train()
        XCTAssertEqual(try SeedLogReplay.records(from: decayed.seedLog)[0].extraSeeds[RecordKey.factoredTensors], [])
    }
}
