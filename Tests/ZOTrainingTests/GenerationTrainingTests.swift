import Foundation
import XCTest
import ZOEstimators
import ZOModels
import ZOTasks
import ZOTraining

/// Generation tasks end to end on tiny-llama: encoding with room for the answer, greedy answers
/// scored by exact match and F1, the `neg-f1` objective, and the test answers a run leaves.
final class GenerationTrainingTests: XCTestCase {
    private static let spec = TrainerHarness.fixtures.appendingPathComponent("tasks/custom/capitals.spec.json")
    private var loaded: LoadedModel!

    override func setUpWithError() throws {
        loaded = try LoadedModel.open(path: TrainerHarness.fixtures.appendingPathComponent("tiny-llama").path)
    }

    private func task(maxNewTokens: Int = 6) throws -> ClassificationTask {
        let base = try CustomTaskSpec(contentsOf: Self.spec).task
        return ClassificationTask(name: base.name, template: base.template, candidates: [], summary: base.summary,
                                  generation: AnswerGeneration(maxNewTokens: maxNewTokens))
    }

    private func examples() throws -> [Example] {
        let spec = try CustomTaskSpec(contentsOf: Self.spec)
        return try CustomTask.examples(spec.train, spec: spec)
    }

    func testTheEncodedAnswerIsTheFirstReferenceWithItsStop() throws {
        let tokenizer = try loaded.tokenizer()
        let example = try examples()[2]
        let encoded = try ExampleEncoder(for: loaded, task: task(), maxTokens: 256).encode(example)
        let prompt = "Question: Name a country that borders Spain.\nAnswer:"
        XCTAssertEqual(encoded.prompt, tokenizer.leadingSpecialTokens + tokenizer.encode(prompt, addSpecialTokens: false))
        XCTAssertEqual(encoded.candidates, [tokenizer.encode(" France\n", after: prompt, contextTokens: tokenizer.encode(prompt, addSpecialTokens: false))])
        XCTAssertEqual(encoded.label, 0)
        XCTAssertEqual(encoded.references, ["France", "Portugal", "Andorra"])
    }

    func testPromptsLeaveRoomForTheLongestAnswerOrAreRefused() throws {
        let example = try examples()[0]
        let answer = try ExampleEncoder(for: loaded, task: task(), maxTokens: 256).encode(example).candidates[0].count
        let prefix = try loaded.tokenizer().leadingSpecialTokens.count
        // Cut to fit: prompt + max(answer, max_new_tokens) within --max-tokens.
        let fitted = try ExampleEncoder(for: loaded, task: task(maxNewTokens: 8), maxTokens: 24).encode(example)
        XCTAssertEqual(fitted.prompt.count, 24 - max(answer, 8))
        XCTAssertThrowsError(try ExampleEncoder(for: loaded, task: task(maxNewTokens: 30), maxTokens: 30).encode(example)) {
            XCTAssertTrue("\($0)".contains("leaves no room for the prompt within --max-tokens 30"), "\($0)")
            XCTAssertTrue("\($0)".contains("capitals.jsonl line 1"), "names the example: \($0)")
        }
        // Room for a few tokens, but fewer than the template's own text ("Question: …\nAnswer:").
        XCTAssertThrowsError(try ExampleEncoder(for: loaded, task: task(maxNewTokens: 8), maxTokens: 8 + prefix + 2).encode(example)) {
            XCTAssertTrue("\($0)".contains("the template's own text"), "\($0)")
        }
        XCTAssertThrowsError(try ExampleEncoder(for: loaded, task: task(maxNewTokens: 256), maxTokens: 256)) {
            XCTAssertEqual($0 as? TrainingError, .maxNewTokensBeyondContext(task: "capitals", maxNewTokens: 256, context: 256))
        }
    }

    func testEvaluationScoresTheGreedyAnswers() throws {
        let tokenizer = try loaded.tokenizer()
        let generation = AnswerGeneration(maxNewTokens: 6)
        let encoder = try ExampleEncoder(for: loaded, task: task(), maxTokens: 256)
        let encoded = try encoder.encode(examples())
        let generator = AnswerGenerator(tokenizer: tokenizer, generation: generation, endOfSequence: loaded.endOfSequenceID)
        XCTAssertTrue(generator.stopTokens.contains(loaded.endOfSequenceID!))
        XCTAssertTrue(generator.stopTokens.contains(tokenizer.encode("\n", addSpecialTokens: false).last!))

        let answers = try generator.answers(encoded, model: loaded.model)
        // The same as decoding one prompt at a time, with the same stops.
        for (example, answer) in zip(encoded, answers) {
            let tokens = try GreedyDecoding.continuation(
                of: example.prompt, model: loaded.model, maxNewTokens: 6, stopAt: generator.stopTokens)
            XCTAssertEqual(answer, generation.answer(inGenerated: tokenizer.decode(tokens, skipSpecialTokens: true)))
        }
        let evaluator = Evaluator(scorer: CandidateScorer(model: loaded.model), objective: .answerLogLikelihood, batchSize: 5,
                                  generator: generator)
        let (evaluation, evaluated) = try evaluator.evaluateWithAnswers(encoded)
        XCTAssertEqual(evaluated, answers, "batches of 5 decode as the whole")
        let f1 = zip(answers, encoded).map { AnswerMetrics.f1($0, references: $1.references) }.reduce(0, +) / 12
        let exact = zip(answers, encoded).map { AnswerMetrics.exactMatch($0, references: $1.references) }.reduce(0, +) / 12
        XCTAssertEqual(evaluation.f1!, f1, accuracy: 1e-12)
        XCTAssertEqual(evaluation.accuracy, exact, accuracy: 1e-12)
        XCTAssertEqual(evaluation.score, evaluation.f1)
        let lm = try CandidateScorer(model: loaded.model).scores(encoded).map { -Double($0[0]) }.reduce(0, +) / 12
        XCTAssertEqual(evaluation.loss, lm, accuracy: 1e-5, "answer-lm: the LM loss of the first reference")

        let negF1 = Evaluator(scorer: CandidateScorer(model: loaded.model), objective: .negativeF1, generator: generator)
        XCTAssertEqual(try negF1.evaluate(encoded).loss, -f1, accuracy: 1e-12)
        XCTAssertEqual(try generator.negativeF1(encoded, model: loaded.model), -Float(f1), accuracy: 1e-6)
    }

    private func run(objective: Objective, steps: Int = 4) -> RunConfiguration {
        var configuration = TrainerHarness.smallRun(steps: steps, learningRate: 1e-2)
        configuration.taskSpec = Self.spec.path
        configuration.splitSizes = SplitSizes(train: 6, dev: 3, test: 3)
        configuration.training.objective = objective
        return configuration
    }

    private func newFolder() -> URL { FileManager.default.temporaryDirectory.appendingPathComponent("zotune-generation-\(UUID())") }

    /// Both objectives train; the run reports F1 and exact match, keeps the best dev point by F1, and
    /// leaves test answers whose scores are the summary's; `neg-f1` resumes to the same bytes.
    func testBothObjectivesTrainResumeAndLeaveTheirTestAnswers() throws {
        for objective in [Objective.answerLogLikelihood, .negativeF1] {
            let straight = newFolder(), paused = newFolder()
            defer { for url in [straight, paused] { try? FileManager.default.removeItem(at: url) } }
            let summary = try FineTune(configuration: run(objective: objective), folder: straight).run()
            let zeroShot = try XCTUnwrap(summary.zeroShotDev?.f1)
            XCTAssertGreaterThanOrEqual(try XCTUnwrap(summary.bestDev?.f1), zeroShot)
            let test = try XCTUnwrap(summary.bestStep == 0 ? summary.zeroShotTest : summary.test)
            let lines = try String(contentsOf: RunDirectory(straight).testAnswers, encoding: .utf8).split(separator: "\n")
            XCTAssertEqual(lines.count, 3)
            var f1: Double = 0, exact: Double = 0
            for line in lines {
                let object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                let answer = try XCTUnwrap(object["answer"] as? String), references = try XCTUnwrap(object["references"] as? [String])
                XCTAssertFalse(references.isEmpty)
                XCTAssertEqual(object["step"] as? Int, summary.bestStep)
                f1 += AnswerMetrics.f1(answer, references: references)
                exact += AnswerMetrics.exactMatch(answer, references: references)
            }
            XCTAssertEqual(f1 / 3, try XCTUnwrap(test.f1), accuracy: 1e-12, "\(objective)")
            XCTAssertEqual(exact / 3, test.accuracy, accuracy: 1e-12)
            let metrics = try String(contentsOf: RunDirectory(straight).metrics, encoding: .utf8)
            XCTAssertTrue(metrics.contains("\"dev_f1\""), metrics)
            if objective == .negativeF1 {
                XCTAssertEqual(try FineTune(configuration: run(objective: objective), folder: paused).run(pauseAfter: 2).steps, 2)
                XCTAssertEqual(try FineTune.resume(paused).steps, 4)
                XCTAssertEqual(try Data(contentsOf: RunDirectory(straight).latest.weights),
                               try Data(contentsOf: RunDirectory(paused).latest.weights))
            }
        }
    }

    /// Every estimator runs on both objectives of a generation task (defaults, two steps).
    func testEveryMethodTrainsOnBothObjectives() throws {
        for name in MethodRegistry.names {
            for objective in [Objective.answerLogLikelihood, .negativeF1] {
                let folder = newFolder()
                defer { try? FileManager.default.removeItem(at: folder) }
                var configuration = run(objective: objective, steps: 2)
                configuration.method = try MethodConfiguration.defaults(for: name)
                configuration.training.evalEvery = 2
                let summary = try FineTune(configuration: configuration, folder: folder).run()
                XCTAssertEqual(summary.steps, 2, "\(name) \(objective)")
                XCTAssertNil(summary.stopReason, "\(name) \(objective)")
                XCTAssertNotNil(summary.bestDev?.f1, "\(name) \(objective)")
            }
        }
    }

    func testObjectivesThatDoNotFitTheTaskAreRefused() throws {
        XCTAssertThrowsError(try FineTune(configuration: run(objective: .candidateCrossEntropy), folder: newFolder()).run()) {
            XCTAssertEqual("\($0)", "--objective candidate-ce needs candidates, but task capitals has free-form answers: use answer-lm (the default) or neg-f1")
        }
        var classification = TrainerHarness.smallRun()
        classification.training.objective = .negativeF1
        XCTAssertThrowsError(try FineTune(configuration: classification, folder: newFolder()).run()) {
            XCTAssertTrue("\($0)".hasPrefix("--objective neg-f1 needs free-form answers"), "\($0)")
        }
        XCTAssertEqual(Objective.default(generation: true), .answerLogLikelihood)
        XCTAssertEqual(Objective.default(generation: false), .candidateCrossEntropy)
    }
}
