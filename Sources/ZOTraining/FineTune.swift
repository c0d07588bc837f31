import Foundation
import ZOEstimators
import ZOModels
import ZOTasks
import ZOTensor

/// A fine-tuning run, as a library call: loads the model and the task a `RunConfiguration` names,
/// trains it with the configured estimator into a run folder, and returns the summary.
///
///     let configuration = RunConfiguration(model: "smollm2-135m", task: "rt-sentiment", method: .mezo(.init()))
///     let summary = try FineTune(configuration: configuration, folder: URL(fileURLWithPath: "runs/first")).run()
///
/// A new run needs a new or empty folder (a user's files are never overwritten); the folder is
/// created, and locked against a second process, only once the model and the data have loaded.
public struct FineTune {
    public var configuration: RunConfiguration
    public var run: RunDirectory
    /// Where zero-shot evaluations are reused from and stored (`ZeroShotCache`); nil: always evaluate.
    public var zeroShotCacheFolder: URL?
    /// Whether `configuration.training.maxTokens` was asked for, rather than a default: then it is
    /// refused above the model's context instead of cut to it.
    public var maxTokensWasRequested = false
    /// Progress, evaluations and notices (downloads, warnings); nil: silent.
    public weak var observer: TrainingObserver?
    /// Set for a distributed run: every rank runs this with the same configuration (`ProcessGroup`);
    /// ranks other than 0 are given a scratch folder of their own.
    public var processGroup: ProcessGroup?
    /// How the ranks share a step (`ParallelMode`).
    public var parallelMode = ParallelMode.data

    public init(configuration: RunConfiguration, folder: URL) {
        self.configuration = configuration
        self.run = RunDirectory(folder)
    }

    /// Starts the run in a new folder and trains it to the end, or for `pauseAfter` steps.
    @discardableResult
    public func run(pauseAfter: Int? = nil) throws -> TrainingSummary {
        // Refused before anything loads, and again before the folder is made (loading takes a while).
        try run.checkIsFreeForNewRun()
        var lock: RunFolderLock?
        defer { withExtendedLifetime(lock) {} }
        return try configuration.method.accept(Visitor(fineTune: self, resume: false, pauseAfter: pauseAfter) { loaded in
            try run.checkIsFreeForNewRun()
            try run.create()
            lock = try RunFolderLock(run)
            try RunDirectory.writeJSON(loaded, to: run.configuration)
        })
    }

    /// Continues the run in `folder` from its latest checkpoint, with the configuration it was started
    /// with; the result is byte-identical to an uninterrupted run.
    public static func resume(
        _ folder: URL, observer: TrainingObserver? = nil, pauseAfter: Int? = nil, processGroup: ProcessGroup? = nil,
        parallelMode: ParallelMode = .data
    ) throws -> TrainingSummary {
        let run = RunDirectory(folder)
        let configuration = try run.readConfiguration()
        let lock = try RunFolderLock(run)
        defer { withExtendedLifetime(lock) {} }
        var fineTune = FineTune(configuration: configuration, folder: folder)
        fineTune.observer = observer
        fineTune.processGroup = processGroup
        fineTune.parallelMode = parallelMode
        return try fineTune.configuration.method.accept(Visitor(fineTune: fineTune, resume: true, pauseAfter: pauseAfter) { _ in
            if !run.hasCheckpoint {
                observer?.notice("no checkpoint yet (the run stopped before its first one): starting again at step 0 with its saved configuration")
            }
        })
    }

    private func notice(_ message: String) { observer?.notice(message) }

    /// Loads model and data and trains with the estimator's concrete type.
    private struct Visitor: EstimatorVisitor {
        let fineTune: FineTune
        let resume: Bool
        let pauseAfter: Int?
        /// Runs once model and data have loaded, before the trainer writes anything, with the
        /// configuration as loaded (the base precision in effect).
        let prepareRunFolder: (RunConfiguration) throws -> Void

        func visit<Estimator: ZerothOrderEstimator>(_ estimator: Estimator) throws -> TrainingSummary {
            let configuration = fineTune.configuration
            let notice = fineTune.notice
            // Only the decoded weights outlive this block: the file mapping and tokenizer tables are released.
            let (model, target, task, data, modelPath): (LanguageModel, TrainingTarget, ClassificationTask, EncodedSplits, String) = try {
                let source = configuration.taskSource
                let loaded = try configuration.loadModel(status: notice)
                let target = try TrainingTarget(configuration, model: loaded.model)
                let parameters = target.parameters
                let (task, data) = try source.encodedSplits(for: loaded, maxTokens: configuration.training.maxTokens, status: notice)
                if loaded.hasUntrainedHead, parameters.tensors.contains(where: { $0.entry.role != .head }) {
                    notice("note: the classification head is new (at chance) and shares one learning rate with the encoder, "
                        + "which diverges above ~1e-3; --trainable head trains it alone (linear probing) at a larger --lr (e.g. 2e-2).")
                }
                return (loaded.model, target, task, data, loaded.path)
            }()
            let parameters = target.parameters
            try configuration.training.objective.check(task: task.name, generation: task.generation != nil)
            try checkSizes(model: model, data: data)
            if let group = fineTune.processGroup, group.size > 1 {
                try group.checkAgreement(on: try Self.digest(configuration), what: "configuration or build")
                try group.checkAgreement(on: Self.digest(model.weights), what: "model weights")
            }
            // The configuration written records what the base loaded in (a default narrow precision
            // leaves an encoder in fp32).
            var loadedConfiguration = configuration
            if model.weights.isAllFloat32 { (loadedConfiguration.basePrecision, loadedConfiguration.basePrecisionIsDefault) = (nil, nil) }
            try prepareRunFolder(loadedConfiguration)
            notice("run folder: \(fineTune.run.url.path)")
            notice("task \(task.name): \(data.train.count) train / \(data.dev.count) dev / \(data.test.count) test examples")
            notice("\(Estimator.name) on \(Abbreviated.count(parameters.parameterCount)) trainable parameters"
                + (target.adapter.map { " (\($0.summary))" } ?? ""))
            let trainer = Trainer(
                model: model, estimator: estimator, parameters: parameters, data: data,
                settings: configuration.training, run: fineTune.run, taskName: task.name, processGroup: fineTune.processGroup,
                parallelMode: fineTune.parallelMode)
            trainer.observer = fineTune.observer
            trainer.checkpointMetadata = target.adapter?.checkpointMetadata ?? [:]
            if let folder = fineTune.zeroShotCacheFolder, !resume {
                trainer.zeroShotCache = ZeroShotCache(
                    folder: folder, weights: model.weights,
                    adapter: target.adapter.flatMap { $0.startsAtBase ? nil : $0.weights }, modelFiles: ZeroShotCache.fileIdentity(modelPath),
                    trainable: parameters.tensors.map(\.entry), data: data, objective: configuration.training.objective,
                    evalBatchSize: configuration.training.evalBatchSize)
            }
            let summary = try trainer.train(resume: resume, pauseAfter: pauseAfter)
            if let adapter = target.adapter, summary.steps == configuration.training.steps {
                try writeAdapterFolder(adapter, model: model)
            }
            return summary
        }

        /// Writes the best adapter as a PEFT folder (`RunDirectory.adapter`), from `checkpoints/best`.
        private func writeAdapterFolder(_ adapter: any Adapter, model: LanguageModel) throws {
            let run = fineTune.run
            try WeightCheckpoint.load(into: adapter.weights, entries: adapter.weights.entries, from: run.best.weights)
            try? FileManager.default.removeItem(at: run.adapter)
            try adapter.writePEFT(
                to: run.adapter, baseModel: fineTune.configuration.model, causalLanguageModel: model.outputKind == .causalLanguageModel)
            fineTune.notice("adapter (PEFT, best dev weights): \(run.adapter.path)")
        }

        /// The configuration and this executable, which every rank of a distributed run must share.
        static func digest(_ configuration: RunConfiguration) throws -> UInt64 {
            var hash = ContentHash()
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            hash.combine(Array(try encoder.encode(configuration)))
            if let program = FileManager.default.contents(atPath: ZeroShotCache.programPath) { hash.combine(Array(program)) }
            return hash.words.0
        }

        /// Every weight of the model as loaded (the frozen base too, which the trainer's own check of the
        /// trainable weights does not see).
        static func digest(_ weights: WeightArena) -> UInt64 {
            var hash = ContentHash()
            for entry in weights.entries { hash.combine(weights.bytes(entry)) }
            return hash.words.0
        }

        /// The methods whose steps `--distributed directions` can share (`DirectionParallel`).
        static var directionParallelMethods: [String] {
            MethodRegistry.names.filter { (try? MethodConfiguration.defaults(for: $0))?.settings is DirectionParallel }
        }

        /// Refuses sizes the model or data cannot honour, and says when the data held fewer examples than asked.
        private func checkSizes(model: LanguageModel, data: EncodedSplits) throws {
            let configuration = fineTune.configuration
            if let group = fineTune.processGroup, fineTune.parallelMode == .directions {
                let method = configuration.method.method.name
                guard let shared = configuration.method.settings as? DirectionParallel else {
                    throw TrainingError.invalidOption(
                        "--distributed directions shares the directions or probes of \(Self.directionParallelMethods.joined(separator: ", ")) "
                            + "over the ranks; \(method) makes one evaluation per step, so it runs with --distributed data.")
                }
                if group.size > shared.sharedEvaluations {
                    throw TrainingError.invalidOption(
                        "--distributed directions gives each of the \(group.size) ranks at least one of a step's evaluations, and a "
                            + "\(method) step with these settings has \(shared.sharedEvaluations) (raise --directions, or use at most "
                            + "\(shared.sharedEvaluations) ranks).")
                }
            } else if let group = fineTune.processGroup, group.size > configuration.training.batchSize {
                throw TrainingError.invalidOption(
                    "data-parallel training gives each of the \(group.size) ranks a part of every batch: "
                        + "--batch-size \(configuration.training.batchSize) is smaller; use at most \(configuration.training.batchSize) ranks.")
            }
            let maxTokens = configuration.training.maxTokens
            if fineTune.maxTokensWasRequested, !resume, maxTokens > model.maxPositions {
                throw TrainingError.invalidOption("--max-tokens \(maxTokens) exceeds the model's context of \(model.maxPositions) tokens.")
            }
            let batchSize = configuration.training.batchSize
            if batchSize > data.train.count {
                throw TrainingError.invalidOption(
                    "--batch-size \(batchSize) is larger than the \(data.train.count) training examples; choose at most \(data.train.count).")
            }
            let asked = configuration.splitSizes
            let got = (data.train.count, data.dev.count, data.test.count)
            if got.0 < asked.train || got.1 < asked.dev || got.2 < asked.test {
                fineTune.notice("warning: the task holds fewer examples than asked: \(got.0) train / \(got.1) dev / \(got.2) test "
                    + "instead of \(asked.train) / \(asked.dev) / \(asked.test)")
            }
        }
    }
}
