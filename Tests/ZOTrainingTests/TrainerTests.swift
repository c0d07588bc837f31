import Foundation
import XCTest
import ZOEstimators
import ZOModels
import ZORandom
import ZOTasks
import ZOTensor
import ZOTraining

/// Trainer plumbing on the tiny LLaMA: resume is byte-identical to an uninterrupted run, the seed log
/// replays the weights byte for byte, and the run folder holds what it promises. `TrainerHarness`
/// runs the same checks for every real estimator (see EstimatorTrainingTests).
final class TrainerTests: XCTestCase {
    func testResumeAndReplayWithAMinimalEstimator() throws {
        try TrainerHarness.assertResumeAndReplayAreBitExact(estimator: SignSPSA(), steps: 6)
    }

    /// `--resume` on a run that stopped before its first checkpoint starts it again: the same bytes as
    /// a run that was never interrupted (leftover metrics lines are dropped, not kept).
    func testResumeBeforeTheFirstCheckpointStartsAgain() throws {
        let harness = try TrainerHarness()
        let straightRun = harness.newRun(), restartedRun = harness.newRun()
        defer { for run in [straightRun, restartedRun] { try? FileManager.default.removeItem(at: run.url) } }
        let straight = try harness.trainer(SignSPSA(), run: straightRun, steps: 4)
        try straight.train()
        try restartedRun.create()
        try Data("{\"kind\":\"step\",\"step\":0}\n".utf8).write(to: restartedRun.metrics)
        XCTAssertFalse(restartedRun.hasCheckpoint)
        let restarted = try harness.trainer(SignSPSA(), run: restartedRun, steps: 4)
        let summary = try restarted.train(resume: true)
        XCTAssertEqual(summary.steps, 4)
        XCTAssertEqual(TrainerHarness.bytes(straight.model.weights), TrainerHarness.bytes(restarted.model.weights))
        XCTAssertEqual(try Data(contentsOf: straightRun.seedLog), try Data(contentsOf: restartedRun.seedLog))
        XCTAssertEqual(try String(contentsOf: straightRun.metrics, encoding: .utf8).split(separator: "\n").count,
                       try String(contentsOf: restartedRun.metrics, encoding: .utf8).split(separator: "\n").count)
    }

    func testRunFolderContents() throws {
        let harness = try TrainerHarness()
        let run = harness.newRun()
        let summary = try harness.trainer(SignSPSA(), run: run, steps: 4).train()
        for file in [run.configuration.deletingLastPathComponent().appendingPathComponent("metrics.jsonl"), run.seedLog,
                     run.summary, run.plot, run.latestCheckpoint.appendingPathComponent("model.safetensors"),
                     run.latestCheckpoint.appendingPathComponent("trainer-state.json"),
                     run.bestCheckpoint.appendingPathComponent("model.safetensors")] {
            XCTAssertTrue(FileManager.default.fileExists(atPath: file.path), file.lastPathComponent)
        }
        XCTAssertEqual(summary.steps, 4)
        XCTAssertEqual(summary.forwardPasses, 8)
        XCTAssertNotNil(summary.zeroShotTest)
        XCTAssertNotNil(summary.test)
        XCTAssertEqual(try SeedLogReplay.records(from: run.seedLog).map(\.step), [0, 1, 2, 3])
    }
}

/// A deliberately simple estimator for plumbing tests: ±ε·sign-noise on every weight from a
/// SplitMix stream, update −η·g·noise. Not a real method.
struct SignSPSA: ZerothOrderEstimator {
    struct State: Codable { var steps = 0 }
    static let name = "sign-spsa"
    let epsilon: Float = 1e-2

    func makeState(for parameters: TrainableSet, runSeed: UInt64) throws -> State { State() }

    private func sweep(_ parameters: TrainableSet, seed: UInt64, scale: Float) {
        for tensor in parameters.tensors {
            var generator = SplitMix64(keys: seed, UInt64(tensor.index))
            let p = parameters.pointer(tensor)
            for i in 0..<tensor.entry.count { p[i] += (generator.next() & 1 == 0 ? scale : -scale) }
        }
    }

    func step(_ parameters: TrainableSet, state: inout State, context: StepContext, oracle: LossOracle) throws -> StepOutcome {
        let seed = SplitMix64.mix(context.runSeed &+ UInt64(context.step))
        sweep(parameters, seed: seed, scale: epsilon)
        let plus = try oracle.loss()
        sweep(parameters, seed: seed, scale: -2 * epsilon)
        let minus = try oracle.loss()
        let gradient = (plus - minus) / (2 * epsilon)
        let record = StepRecord(step: context.step, learningRate: context.learningRate, seeds: [seed], gradients: [gradient])
        try replay(record, parameters: parameters, state: &state, context: context, restoreFirst: false)
        return StepOutcome(loss: (plus + minus) / 2, forwardPasses: 2, record: record)
    }

    func replay(_ record: StepRecord, parameters: TrainableSet, state: inout State, context: StepContext) throws {
        sweep(parameters, seed: record.seeds[0], scale: epsilon)
        sweep(parameters, seed: record.seeds[0], scale: -2 * epsilon)
        try replay(record, parameters: parameters, state: &state, context: context, restoreFirst: false)
    }

    private func replay(_ record: StepRecord, parameters: TrainableSet, state: inout State, context: StepContext, restoreFirst: Bool) throws {
        sweep(parameters, seed: record.seeds[0], scale: epsilon - record.learningRate * record.gradients[0])
        state.steps += 1
    }
}

/// Builds tiny training runs on a tiny fixture model (the LLaMA one unless told) with synthetic examples.
struct TrainerHarness {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    let fixture: String
    let data: EncodedSplits
    /// Train a LoRA adapter on the frozen fixture instead of its weights.
    var lora: LoRASettings?
    var learningRate: Float = 1e-3

    /// By default the label is whether the prompt ends in an even token; `constantLabel` gives every
    /// example the same answer, a signal every method must pick up within a few dozen steps.
    /// Prompts start with the model's `promptPrefix` (OPT's BOS), as `ExampleEncoder` writes them.
    init(fixture: String = "tiny-llama", constantLabel: Int? = nil) throws {
        self.fixture = fixture
        let model = try LoadedModel.open(path: Self.fixtures.appendingPathComponent(fixture).path).model
        let tokenRange = UInt64(min(500, model.outputSize - 3))
        var generator = SplitMix64(seed: 42)
        func examples(_ count: Int) -> [EncodedExample] {
            (0..<count).map { _ in
                let prompt = (0..<(3 + Int(generator.next() % 6))).map { _ in 3 + Int(generator.next() % tokenRange) }
                return EncodedExample(prompt: model.promptPrefix + prompt, candidates: [[40], [41]],
                                      label: constantLabel ?? prompt.last! % 2)
            }
        }
        data = try EncodedSplits(train: examples(64), dev: examples(16), test: examples(16))
    }

    func model() throws -> LanguageModel {
        try LoadedModel.open(path: Self.fixtures.appendingPathComponent(fixture).path).model
    }

    /// A four-step run on tiny-llama and the committed custom sentiment task (5 / 3 / 3 examples,
    /// batch 2, dev every 2 steps), for tests of the library entry.
    static func smallRun(
        method: MethodConfiguration = .mezo(MeZO.Configuration(directions: 2)), adapter: AdapterSettings? = nil,
        steps: Int = 4, learningRate: Float = 1e-3
    ) -> RunConfiguration {
        var training = TrainingSettings()
        training.steps = steps
        training.batchSize = 2
        training.evalEvery = 2
        training.learningRate = learningRate
        return RunConfiguration(
            model: fixtures.appendingPathComponent("tiny-llama").path,
            taskSpec: fixtures.appendingPathComponent("tasks/custom/sentiment.spec.json").path,
            splitSizes: SplitSizes(train: 5, dev: 3, test: 3), method: method, training: training, adapter: adapter)
    }

    func newRun() -> RunDirectory {
        RunDirectory(FileManager.default.temporaryDirectory.appendingPathComponent("zotune-run-\(UUID())"))
    }

    func trainer<E: ZerothOrderEstimator>(
        _ estimator: E, run: RunDirectory, steps: Int, evalEvery: Int = 2, model: LanguageModel? = nil, seed: UInt64 = 3
    ) throws -> Trainer<E> {
        var settings = TrainingSettings()
        settings.steps = steps
        settings.batchSize = 8
        settings.evalEvery = evalEvery
        settings.seed = seed
        settings.learningRate = learningRate
        let model = try model ?? self.model()
        return Trainer(model: model, estimator: estimator, parameters: try parameters(of: model, seed: seed), data: data,
                       settings: settings, run: run, taskName: "synthetic")
    }

    /// What a run trains on `model`: its weights, or a LoRA adapter attached to them and seeded as a
    /// run seeds it.
    func parameters(of model: LanguageModel, seed: UInt64 = 3) throws -> TrainableSet {
        guard let lora else { return TrainableSet(arena: model.weights) }
        let adapter = try LoRAAdapter(for: model.weights, settings: lora)
        adapter.initialise(seed: seed)
        adapter.attach(to: model.weights)
        return TrainableSet(arena: adapter.weights)
    }

    /// Trains `trainer` to its end and returns the loss over the training set before and after.
    func trainingLoss<E: ZerothOrderEstimator>(before trainer: Trainer<E>) throws -> (before: Double, after: Double) {
        let evaluator = Evaluator(scorer: CandidateScorer(model: trainer.model), objective: .candidateCrossEntropy, batchSize: 64)
        let before = try evaluator.evaluate(data.train).loss
        try trainer.train()
        return (before, try evaluator.evaluate(data.train).loss)
    }

    static func bytes(_ arena: WeightArena) -> Data {
        Data(bytes: arena.storage.pointer, count: arena.storage.count * 4)
    }

    /// Stop after N+1 steps (mid-window, off the evaluation grid), resume to 2N == 2N straight (byte-identical weights and seed log); replaying the
    /// seed log on the base weights == the trained weights.
    static func assertResumeAndReplayAreBitExact<E: ZerothOrderEstimator>(
        estimator: E, steps: Int, fixture: String = "tiny-llama", lora: LoRASettings? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        var harness = try TrainerHarness(fixture: fixture)
        harness.lora = lora
        let straightRun = harness.newRun(), resumedRun = harness.newRun()
        defer { for run in [straightRun, resumedRun] { try? FileManager.default.removeItem(at: run.url) } }

        let straight = try harness.trainer(estimator, run: straightRun, steps: steps)
        try straight.train()

        try harness.trainer(estimator, run: resumedRun, steps: steps).train(pauseAfter: steps / 2 + 1)
        let resumed = try harness.trainer(estimator, run: resumedRun, steps: steps)
        try resumed.train(resume: true)

        let trained = straight.parameters.arena
        XCTAssertEqual(bytes(trained), bytes(resumed.parameters.arena), "\(E.name): resume", file: file, line: line)
        XCTAssertEqual(try Data(contentsOf: straightRun.seedLog), try Data(contentsOf: resumedRun.seedLog),
                       "\(E.name): seed log", file: file, line: line)
        let untrained = try harness.parameters(of: try harness.model()).arena
        XCTAssertNotEqual(bytes(trained), bytes(untrained), "\(E.name): training changed nothing", file: file, line: line)
        if lora != nil {
            XCTAssertEqual(bytes(straight.model.weights), bytes(try harness.model().weights), "\(E.name): the frozen base changed",
                           file: file, line: line)
        }

        let base = try harness.parameters(of: try harness.model())
        let records = try SeedLogReplay.records(from: straightRun.seedLog)
        XCTAssertEqual(records.count, steps, file: file, line: line)
        try SeedLogReplay.replay(records, estimator: estimator, parameters: base, runSeed: 3, totalSteps: steps)
        XCTAssertEqual(bytes(base.arena), bytes(trained), "\(E.name): replay", file: file, line: line)
    }
}
