import Foundation
import XCTest
import ZOModels
import ZOTraining

final class ObjectiveTests: XCTestCase {
    func testCandidateCrossEntropyAndFriends() {
        let scores: [[Float]] = [[-1, -2], [-3, -0.5, -4]]
        let labels = [0, 2]
        let ce0 = log(exp(-1.0) + exp(-2.0)) + 1
        let ce1 = log(exp(-3.0) + exp(-0.5) + exp(-4.0)) + 4
        XCTAssertEqual(Objective.candidateCrossEntropy.loss(scores: scores, labels: labels), Float((ce0 + ce1) / 2), accuracy: 1e-6)
        XCTAssertEqual(Objective.answerLogLikelihood.loss(scores: scores, labels: labels), (1 + 4) / 2, accuracy: 1e-6)
        XCTAssertEqual(Objective.negativeAccuracy.loss(scores: scores, labels: labels), -0.5)
        XCTAssertEqual(Objective.predicted([0, 3, 3]), 1)
    }

    func testSamplerIsAPureFunctionOfSeedStepAndDraw() {
        let sampler = MinibatchSampler(exampleCount: 100, batchSize: 16, seed: 7)
        let batch = sampler.batch(step: 3, draw: 0)
        XCTAssertEqual(batch, sampler.batch(step: 3, draw: 0))
        XCTAssertEqual(Set(batch).count, 16)
        XCTAssertNotEqual(batch, sampler.batch(step: 4, draw: 0))
        XCTAssertNotEqual(batch, sampler.batch(step: 3, draw: 1))
        XCTAssertNotEqual(batch, MinibatchSampler(exampleCount: 100, batchSize: 16, seed: 8).batch(step: 3, draw: 0))
        XCTAssertEqual(MinibatchSampler(exampleCount: 5, batchSize: 16, seed: 0).batch(step: 0, draw: 0).sorted(), [0, 1, 2, 3, 4])
    }
}

/// The scorer's batched, prompt-sharing computation against a direct one from full logits.
final class CandidateScorerTests: XCTestCase {
    private static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    private func logProbability(_ model: LanguageModel, context: [Int], token: Int) throws -> Float {
        let logits = try model.lastPositionLogits([context])
        let m = logits.max()!
        let lse = m + Float(log(logits.reduce(0.0) { $0 + exp(Double($1 - m)) }))
        return logits[token] - lse
    }

    func testScoresEqualMeanLogProbabilitiesComputedDirectly() throws {
        let model = try LoadedModel.open(path: Self.fixtures.appendingPathComponent("tiny-llama").path).model
        let examples = [
            EncodedExample(prompt: [5, 17, 300, 2], candidates: [[40], [41]], label: 1),               // shared prompt
            EncodedExample(prompt: [9, 9, 12], candidates: [[40, 41, 42], [7], [100, 3]], label: 0),   // multi-token
            EncodedExample(prompt: [1], candidates: [[2, 3]], label: 0),
        ]
        let scores = try CandidateScorer(model: model).scores(examples)
        // The same scores to rounding: the two layouts are GEMMs of other row counts (README, "What is bit-exact").
        for (plain, shared) in zip(try CandidateScorer(model: model, sharesPrompts: false).scores(examples), scores) {
            for (a, b) in zip(plain, shared) { XCTAssertEqual(a, b, accuracy: 1e-5, "one sequence per candidate") }
        }
        for (example, row) in zip(examples, scores) {
            XCTAssertEqual(row.count, example.candidates.count)
            for (candidate, score) in zip(example.candidates, row) {
                var total: Float = 0
                for k in candidate.indices {
                    total += try logProbability(model, context: example.prompt + candidate[..<k], token: candidate[k])
                }
                XCTAssertEqual(score, total / Float(candidate.count), accuracy: 1e-4)
            }
        }
    }
}
