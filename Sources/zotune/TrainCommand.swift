import ArgumentParser
import Foundation
import ZOAssets
import ZOEstimators
import ZOModels
import ZOTasks
import ZOTensor
import ZOTraining

struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Fine-tune a model on a task with forward passes only.",
        discussion: """
            Evaluates zero-shot on dev and test (or reuses an earlier run's evaluations of the same weights \
            and examples), trains with the chosen zeroth-order method, evaluates on \
            dev every --eval-every steps (keeping the best), and reports test accuracy at the best dev point. \
            The output folder holds config.json, metrics.jsonl, seed-log.jsonl, checkpoints/, summary.json \
            and training.svg; --resume DIR continues an interrupted run exactly.

            Method defaults: mezo ε 1e-3; subzero rank 8, window 1000; dizo projection every 50 steps on \
            k_proj and v_proj; pgap rank 64, window 100, 10 probes, δ 2.0 → 0.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var taskOptions: TaskOptions
    @OptionGroup var methodOptions: MethodOptions

    @Option(name: .long, parsing: .unconditional, help: "Training steps.")
    var steps = TrainingSettings().steps

    @Option(name: .long, parsing: .unconditional, help: "Examples per step.")
    var batchSize = TrainingSettings().batchSize

    @Option(name: .customLong("lr"), parsing: .unconditional, help: "Learning rate η.")
    var learningRate = TrainingSettings().learningRate

    @Option(name: .long, help: "Learning-rate schedule: constant or linear (decay to 0).")
    var schedule = TrainingSettings().schedule

    @Option(name: .long, help: "Seed for minibatches and perturbation directions.")
    var seed = TrainingSettings().seed

    @Option(name: .long, parsing: .unconditional, help: "Evaluate on dev and checkpoint every N steps.")
    var evalEvery = TrainingSettings().evalEvery

    @Option(name: .long, help: "Objective: candidate-ce, answer-lm or neg-accuracy.")
    var objective = TrainingSettings().objective

    @Option(name: .long, parsing: .unconditional, help: "Longest prompt + candidate in tokens; longer prompts keep their end (default 256, or the model's context if shorter).")
    var maxTokens: Int?

    @Option(name: .long, parsing: .upToNextOption, help: "Parameter roles to train: matrix embedding norm bias head (default all).")
    var trainable: [ParameterRole] = []

    @Option(name: .long, help: "Train only the last N transformer layers and the head (final norm, pooler, classifier); 0: the head alone (default: every layer and the embeddings).")
    var trainableLayers: Int?

    @Option(name: .long, help: "Run folder: a new or empty one (default runs/<method>-<task>-<time>).")
    var output: String?

    @Option(name: .long, help: "Resume the run in this folder from its latest checkpoint (other options are read from its config.json).")
    var resume: String?

    @Option(name: .long, help: "Stop after this many steps with a checkpoint; continue later with --resume.")
    var pauseAfter: Int?

    @Flag(inversion: .prefixedNo, help: "Reuse the zero-shot evaluations of an earlier run with the same weights, examples and zotune build ($ZOTUNE_HOME/zero-shot).")
    var reuseZeroShot = true

    func validate() throws {
        for (flag, value, minimum) in [("--steps", steps, 1), ("--batch-size", batchSize, 1), ("--eval-every", evalEvery, 1),
                                       ("--max-tokens", maxTokens ?? 2, 2)] where value < minimum {
            throw ValidationError("\(flag) must be at least \(minimum), got \(value).")
        }
        guard learningRate.isFinite, learningRate > 0 else { throw ValidationError("--lr must be a finite number > 0, got \(learningRate).") }
        if let pauseAfter, pauseAfter < 1 { throw ValidationError("--pause-after must be at least 1, got \(pauseAfter).") }
        if let trainableLayers, trainableLayers < 0 { throw ValidationError("--trainable-layers must be 0 or more.") }
    }

    func run() throws {
        threadOptions.apply()
        let (configuration, folder) = try resume.map(Self.resumedRun) ?? newRun()
        let run = RunDirectory(folder)
        // A resumed run is locked before anything is read; a new one once its folder exists, which is
        // after every option, the model and the data have been checked: a refused run writes nothing.
        var lock = try resume.map { _ in try RunFolderLock(run) }
        let visitor = TrainingVisitor(
            configuration: configuration, run: run, resume: resume != nil, pauseAfter: pauseAfter,
            requestedMaxTokens: resume == nil ? maxTokens : nil,
            zeroShotCacheFolder: reuseZeroShot ? AssetStore().root.appendingPathComponent("zero-shot") : nil
        ) {
            if resume == nil {
                try run.checkIsFreeForNewRun()
                try run.create()
                lock = try RunFolderLock(run)
                try RunDirectory.writeJSON(configuration, to: run.configuration)
            }
            Console.status("run folder: \(folder.path)")
            if resume != nil, !run.hasCheckpoint {
                Console.status("no checkpoint yet (the run stopped before its first one): starting again at step 0 with its saved configuration")
            }
        }
        defer { withExtendedLifetime(lock) {} }
        let summary = try configuration.method.accept(visitor)
        if summary.steps < configuration.training.steps {
            print("paused after step \(summary.steps) of \(configuration.training.steps); continue with: zotune train --resume \(folder.path)")
        } else {
            FinalReport.print(summary, run: run)
        }
    }

    private func newRun() throws -> (RunConfiguration, URL) {
        var settings = TrainingSettings()
        settings.steps = steps
        settings.batchSize = batchSize
        settings.learningRate = learningRate
        settings.schedule = schedule
        settings.seed = seed
        settings.evalEvery = evalEvery
        settings.objective = objective
        settings.maxTokens = maxTokens ?? settings.maxTokens
        let method = try methodOptions.configuration()
        let configuration = RunConfiguration(
            zotuneVersion: ZOTuneCommand.configuration.version, model: modelOptions.model,
            task: taskOptions.taskSpec == nil ? taskOptions.task ?? TaskCatalog.defaultName : nil,
            taskSpec: taskOptions.taskSpec, dataSeed: taskOptions.dataSeed, splitSizes: taskOptions.sizes,
            method: method, training: settings,
            trainableRoles: trainable.isEmpty ? ParameterRole.allCases : trainable, trainableLastLayers: trainableLayers)
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        let folder = URL(fileURLWithPath: output ?? "runs/\(method.name)-\(taskOptions.name)-\(stamp)")
        try RunDirectory(folder).checkIsFreeForNewRun()
        return (configuration, folder)
    }

    private static func resumedRun(_ path: String) throws -> (RunConfiguration, URL) {
        let folder = URL(fileURLWithPath: path)
        guard RunDirectory(folder).holdsRun else {
            throw ValidationError("--resume \(folder.path) holds no run (no config.json); start one with --output.")
        }
        return (try RunDirectory.readJSON(RunConfiguration.self, from: RunDirectory(folder).configuration), folder)
    }
}

/// Loads model and data for a run configuration and trains with the concrete estimator type.
struct TrainingVisitor: EstimatorVisitor {
    let configuration: RunConfiguration
    let run: RunDirectory
    let resume: Bool
    let pauseAfter: Int?
    /// `--max-tokens` when the user gave it: refused above the model's context (the default is cut to it).
    let requestedMaxTokens: Int?
    /// Where zero-shot evaluations are reused from and stored; nil: always evaluate.
    let zeroShotCacheFolder: URL?
    /// Runs once model and data have loaded, before the trainer writes anything (creates the run folder).
    let prepareRunFolder: () throws -> Void

    func visit<Estimator: ZerothOrderEstimator>(_ estimator: Estimator) throws -> TrainingSummary {
        // Only the decoded weights outlive this block: the file mapping and tokenizer tables are released.
        let (model, parameters, task, data, modelPath): (LanguageModel, TrainableSet, ClassificationTask, EncodedSplits, String) = try {
            let tasks = TaskOptions(configuration)
            let loaded = try tasks.loadModel(configuration.model)
            let parameters = try trainableParameters(of: loaded.model)
            let (task, data) = try tasks.encodedSplits(for: loaded, maxTokens: configuration.training.maxTokens)
            return (loaded.model, parameters, task, data, loaded.path)
        }()
        try checkSizes(model: model, data: data)
        try prepareRunFolder()
        Console.status("task \(task.name): \(data.train.count) train / \(data.dev.count) dev / \(data.test.count) test examples")
        Console.status("\(Estimator.name) on \(InspectCommand.count(parameters.parameterCount)) trainable parameters")
        if (model as? EncoderModel)?.classifierIsNew == true, parameters.tensors.contains(where: { $0.entry.role != .head }) {
            Console.status("note: the classification head is new (at chance) and shares one learning rate with the encoder, "
                + "which diverges above ~1e-3; --trainable head trains it alone (linear probing) at a larger --lr (e.g. 2e-2).")
        }
        let trainer = Trainer(
            model: model, estimator: estimator, parameters: parameters, data: data,
            settings: configuration.training, run: run, taskName: task.name)
        let observer = ConsoleTrainingObserver()
        trainer.observer = observer
        if let zeroShotCacheFolder, !resume {
            trainer.zeroShotCache = ZeroShotCache(
                folder: zeroShotCacheFolder, weights: model.weights, modelFiles: ZeroShotCache.fileIdentity(modelPath),
                trainable: parameters.tensors.map(\.entry), data: data, objective: configuration.training.objective,
                evalBatchSize: configuration.training.evalBatchSize)
        }
        return try trainer.train(resume: resume, pauseAfter: pauseAfter)
    }

    /// Refuses sizes the model or data cannot honour, and says when the data held fewer examples than asked.
    private func checkSizes(model: LanguageModel, data: EncodedSplits) throws {
        if let requestedMaxTokens, requestedMaxTokens > model.maxPositions {
            throw ValidationError("--max-tokens \(requestedMaxTokens) exceeds the model's context of \(model.maxPositions) tokens.")
        }
        let batchSize = configuration.training.batchSize
        if batchSize > data.train.count {
            throw ValidationError("--batch-size \(batchSize) is larger than the \(data.train.count) training examples; choose at most \(data.train.count).")
        }
        let asked = configuration.splitSizes
        let got = (data.train.count, data.dev.count, data.test.count)
        if got.0 < asked.train || got.1 < asked.dev || got.2 < asked.test {
            Console.status("warning: the task holds fewer examples than asked: \(got.0) train / \(got.1) dev / \(got.2) test "
                + "instead of \(asked.train) / \(asked.dev) / \(asked.test)")
        }
    }

    /// The run's trainable set; an empty one (e.g. `--trainable head` on a masked LM) is an error.
    private func trainableParameters(of model: LanguageModel) throws -> TrainableSet {
        let parameters = configuration.trainableSet(in: model.weights)
        guard !parameters.tensors.isEmpty else {
            throw ValidationError("--trainable \(configuration.trainableRoles.map(\.rawValue).joined(separator: " "))"
                + (configuration.trainableLastLayers.map { " --trainable-layers \($0)" } ?? "") + " selects no parameter of this model.")
        }
        return parameters
    }
}

extension TaskOptions {
    /// The task options a run was started with.
    init(_ run: RunConfiguration) {
        self.init(task: run.task, taskSpec: run.taskSpec, dataSeed: run.dataSeed, sizes: run.splitSizes)
    }

    init(task: String?, taskSpec: String?, dataSeed: UInt64, sizes: SplitSizes) {
        self.init()
        self.task = task
        self.taskSpec = taskSpec
        self.dataSeed = dataSeed
        trainExamples = sizes.train
        devExamples = sizes.dev
        testExamples = sizes.test
    }
}

extension ParameterRole: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}
extension Objective: ExpressibleByArgument {}

/// The before/after table at the end of a run.
enum FinalReport {
    static func print(_ s: TrainingSummary, run: RunDirectory) {
        func accuracy(_ e: Evaluation?) -> String { InspectCommand.padded(e.map { String(format: "%.4f", $0.accuracy) } ?? "—", 12) }
        func label(_ text: String) -> String { InspectCommand.padded(text, 16) }
        Swift.print("")
        Swift.print("\(s.method) on \(s.task)")
        Swift.print(label("") + InspectCommand.padded("zero-shot", 12) + "fine-tuned")
        Swift.print(label("dev accuracy") + accuracy(s.zeroShotDev) + accuracy(s.bestDev)
                    + (s.bestStep.map { "(best dev, step \($0))" } ?? ""))
        Swift.print(label("test accuracy") + accuracy(s.zeroShotTest) + accuracy(s.test)
                    + (s.bestStep.map { "(at step \($0))" } ?? ""))
        Swift.print(String(format: "steps %d · forward passes %d · training time %@ · peak memory %@%@",
                           s.steps, s.forwardPasses, ProgressReporter.duration(s.seconds),
                           InspectCommand.bytes(s.peakResidentBytes),
                           s.skippedSteps > 0 ? " · \(s.skippedSteps) steps skipped (non-finite loss)" : ""))
        if s.bestStep == 0 {
            Swift.print("no evaluation beat the zero-shot dev accuracy: the best model is the pretrained one (checkpoints/best holds it)")
        }
        Swift.print("run folder: \(run.url.path)")
    }
}
