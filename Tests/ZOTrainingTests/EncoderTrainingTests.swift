import XCTest
import ZOEstimators
import ZOModels
import ZORandom
import ZOTensor
import ZOTraining

/// Zeroth-order training through both encoder heads on the tiny fixtures: the masked-LM head (tiny
/// RoBERTa, candidates read at the mask) and a new classification head (tiny BERT, candidates are
/// classes). MeZO and a subspace method each bring the training loss well down (to 0.4–0.56 of
/// 0.78–0.91 over six run seeds; the bound is 0.75×); the subspace methods run factored, so the
/// encoder forward's low-rank deltas are exercised too.
final class EncoderTrainingTests: XCTestCase {
    /// Synthetic examples laid out as `ExampleEncoder` lays them out for the model's head: random
    /// tokens, with label 1 exactly when a marker token (id 100) is among them.
    private func examples(for model: LanguageModel, count: Int, seed: UInt64) -> [EncodedExample] {
        var generator = SplitMix64(seed: seed)
        let vocabulary = (model as! EncoderModel).configuration.vocabularySize
        let (cls, sep, mask) = (model.family == "roberta") ? (0, 2, 4) : (2, 3, 4)
        let marker = 100
        return (0..<count).map { _ in
            var body = (0..<(3 + generator.below(6))).map { _ in 101 + generator.below(vocabulary - 101) }
            let label = generator.below(2)
            if label == 1 { body[generator.below(body.count)] = marker }
            switch model.outputKind {
            case .maskedLanguageModel:
                return EncodedExample(prompt: [cls] + body + [mask, sep], candidates: [[40], [41]], label: label,
                                      answerPosition: 1 + body.count)
            default:
                return EncodedExample(prompt: [cls] + body + [sep], candidates: [[0], [1]], label: label, answerPosition: 0)
            }
        }
    }

    /// Mean candidate cross-entropy over `examples` before and after `steps` steps of batches of 16.
    private func train<E: ZerothOrderEstimator>(
        _ estimator: E, fixture: String, learningRate: Float, steps: Int = 300
    ) throws -> (initial: Float, final: Float) {
        let model = try LoadedModel.open(path: TrainerHarness.fixtures.appendingPathComponent(fixture).path).model
        let examples = examples(for: model, count: 64, seed: 7)
        let scorer = CandidateScorer(model: model)
        func loss() throws -> Float {
            Objective.candidateCrossEntropy.loss(scores: try scorer.scores(examples), labels: examples.map(\.label))
        }
        let parameters = TrainableSet(arena: model.weights)
        for tensor in estimator.anchorTensors(in: parameters) {  // as the Trainer does (DiZO's pretrained copies)
            parameters.setAnchor(tensor, values: parameters.pointer(tensor))
        }
        let size = scorer.forwardSize(examples)
        parameters.setForwardSize(tokens: Double(size.tokens) / 4, scoredRows: Double(size.scoredRows) / 4)
        let oracle = MinibatchLossOracle(
            scorer: scorer, objective: .candidateCrossEntropy, examples: examples,
            sampler: MinibatchSampler(exampleCount: examples.count, batchSize: 16, seed: 5))
        let initial = try loss()
        var state = try estimator.makeState(for: parameters, runSeed: 9)
        for step in 0..<steps {
            oracle.begin(step: step)
            _ = try estimator.step(parameters, state: &state, context: StepContext(
                step: step, totalSteps: steps, learningRate: learningRate, runSeed: 9), oracle: oracle)
        }
        model.weights.foldAllDeltas()
        let final = try loss()
        print("\(E.name) on \(fixture): loss \(initial) → \(final) after \(steps) steps")
        return (initial, final)
    }

    func testMeZOTrainsTheMaskedLanguageModelHead() throws {
        let (initial, final) = try train(MeZO(), fixture: "tiny-roberta-mlm", learningRate: 5e-4)
        XCTAssertLessThan(final, 0.75 * initial)
    }

    func testSubZeroTrainsTheMaskedLanguageModelHead() throws {
        let (initial, final) = try train(
            SubZero(configuration: .init(rank: 4, window: 50, lowRankApply: .factored)),
            fixture: "tiny-roberta-mlm", learningRate: 5e-4)
        XCTAssertLessThan(final, 0.75 * initial)
    }

    func testMeZOTrainsTheClassificationHead() throws {
        let (initial, final) = try train(MeZO(), fixture: "tiny-bert", learningRate: 1e-3)
        XCTAssertLessThan(final, 0.75 * initial)
    }

    /// DiZO's default projected set finds BERT's and RoBERTa's key/value projections (named
    /// `attention.self.key` / `value`), and training with its projection phases still learns.
    func testDiZOProjectsEncoderKeysAndValuesAndTrains() throws {
        let dizo = DiZO(configuration: .init(directions: 2, projectionInterval: 20, projectionIterations: 5))
        for fixture in ["tiny-bert", "tiny-roberta-mlm"] {
            let model = try LoadedModel.open(path: TrainerHarness.fixtures.appendingPathComponent(fixture).path).model
            let projected = dizo.anchorTensors(in: TrainableSet(arena: model.weights)).map(\.entry.name)
            let layers = (model as! EncoderModel).configuration.layerCount
            XCTAssertEqual(projected.count, 2 * layers, "\(fixture): \(projected)")
            XCTAssertTrue(projected.allSatisfy { $0.hasSuffix("attention.self.key.weight") || $0.hasSuffix("attention.self.value.weight") })
        }
        let (initial, final) = try train(dizo, fixture: "tiny-bert", learningRate: 1e-3)
        XCTAssertLessThan(final, 0.75 * initial)
    }

    func testPGAPTrainsTheClassificationHead() throws {
        let (initial, final) = try train(
            PGAP(configuration: .init(rank: 4, window: 50, probes: 4, lowRankApply: .factored)),
            fixture: "tiny-bert", learningRate: 1e-3)
        XCTAssertLessThan(final, 0.75 * initial)
    }
}
