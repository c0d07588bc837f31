import ArgumentParser
import ZOCommandLine
import Foundation
import ZOAssets
import ZODistributed
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
            and training.svg; --resume DIR continues an interrupted run exactly. --lr auto first runs short \
            trials of the run at several learning rates (in DIR/sweep/), keeps the one with the best dev \
            accuracy and continues it to the end.

            \(MethodOptions.help)
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var resourceOptions: ResourceOptions
    @OptionGroup var taskOptions: TaskOptions
    @OptionGroup var methodOptions: MethodOptions
    @OptionGroup(title: "Adapters") var tuningOptions: TuningOptions

    @Option(name: .long, parsing: .unconditional, help: "Training steps.")
    var steps = TrainingSettings().steps

    @Option(name: .long, parsing: .unconditional, help: "Examples per step.")
    var batchSize = TrainingSettings().batchSize

    @Option(name: .customLong("lr"), parsing: .unconditional,
            help: "Learning rate η, or auto: chosen on dev by short trials over --lr-grid (default: the method's usual full-tuning rate, 1e-5; fzoo 1e-3, zo-muon 1e-2).")
    var learningRate: LearningRateChoice?

    @Option(name: .customLong("lr-grid"), parsing: .upToNextOption,
            help: "Rates --lr auto tries (default five, half a decade apart, around the method's usual rate).")
    var learningRateGrid: [Float] = []

    @Option(name: .long, help: "Steps of each --lr auto trial, a multiple of --eval-every (default: the first evaluation at or after a fifth of --steps).")
    var sweepSteps: Int?

    @Option(name: .long, help: "Learning-rate schedule: constant or linear (decay to 0).")
    var schedule = TrainingSettings().schedule

    @Option(name: .long, help: "Seed for minibatches and perturbation directions.")
    var seed = TrainingSettings().seed

    @Option(name: .long, parsing: .unconditional, help: "Evaluate on dev and checkpoint every N steps.")
    var evalEvery = TrainingSettings().evalEvery

    @Option(name: .long, help: ArgumentHelp(
        "Objective: candidate-ce, answer-lm or neg-accuracy; a generation task: answer-lm or neg-f1.",
        valueName: "objective"))
    var objective: Objective?

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

    @Option(name: .long, help: ArgumentHelp(
        "Train over the ranks of an mpirun job: data (each rank scores its part of every batch) or directions (each rank evaluates some of a step's directions or probes: mezo, dizo, fzoo, zo-muon, pgap). Only losses travel; rank 0 writes the run folder.",
        valueName: "mode"))
    var distributed: ParallelMode?

    @Flag(inversion: .prefixedNo, help: "Reuse the zero-shot evaluations of an earlier run with the same weights, examples and zotune build ($ZOTUNE_HOME/zero-shot).")
    var reuseZeroShot = true

    func validate() throws {
        for (flag, value, minimum) in [("--steps", steps, 1), ("--batch-size", batchSize, 1), ("--eval-every", evalEvery, 1),
                                       ("--max-tokens", maxTokens ?? 2, 2)] where value < minimum {
            throw ValidationError("\(flag) must be at least \(minimum), got \(value).")
        }
        if case let .value(rate) = learningRate, !(rate.isFinite && rate > 0) {
            throw ValidationError("--lr must be a finite number > 0 or auto, got \(rate).")
        }
        if learningRate != .auto, !learningRateGrid.isEmpty || sweepSteps != nil {
            throw ValidationError("--lr-grid and --sweep-steps go with --lr auto.")
        }
        if let bad = learningRateGrid.first(where: { !($0.isFinite && $0 > 0) }) {
            throw ValidationError("--lr-grid needs finite rates > 0, got \(bad).")
        }
        if let pauseAfter, pauseAfter < 1 { throw ValidationError("--pause-after must be at least 1, got \(pauseAfter).") }
        if distributed != nil {
            guard MPIProcessGroup.isLaunchedByMPI else {
                throw ValidationError("--distributed runs under mpirun, e.g. mpirun -np 2 zotune train … --distributed data.")
            }
            if learningRate == .auto { throw ValidationError("--lr auto does not run distributed yet; give --lr a rate.") }
        }
        if let trainableLayers, trainableLayers < 0 { throw ValidationError("--trainable-layers must be 0 or more.") }
    }

    func run() throws {
        resourceOptions.apply()
        guard distributed != nil else { return try train(observer: ConsoleTrainingObserver(), group: nil) }
        let group = try MPIProcessGroup()
        // Ranks other than 0 train in a scratch folder of their own (a resumed one starts as a copy of rank 0's).
        let scratch = group.rank == 0 ? nil : FileManager.default.temporaryDirectory
            .appendingPathComponent("zotune-rank\(group.rank)-\(ProcessInfo.processInfo.processIdentifier)")
        // A rank killed earlier may have left a scratch folder under this name (its pid, reused).
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
        // Rank 0 speaks for the job; a failure on any rank stops them all (the others would wait forever).
        do {
            try train(observer: group.rank == 0 ? ConsoleTrainingObserver() : nil, group: group, scratch: scratch)
        } catch {
            if let scratch { try? FileManager.default.removeItem(at: scratch) }
            Console.status("error (rank \(group.rank) of \(group.size)): \(error)")
            group.abort(code: 1)
        }
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
        group.finish()
    }

    private func train(observer: ConsoleTrainingObserver?, group: MPIProcessGroup?, scratch: URL? = nil) throws {
        let summary: TrainingSummary
        let folder: URL
        if let resume, let group {
            folder = URL(fileURLWithPath: resume)
            guard RunDirectory(folder).holdsRun else {
                throw ValidationError("--resume \(folder.path) holds no run (no config.json); start one with --output.")
            }
            if let scratch { try FileManager.default.copyItem(at: folder, to: scratch) }
            summary = try FineTune.resume(
                scratch ?? folder, observer: observer, pauseAfter: pauseAfter, processGroup: group, parallelMode: distributed ?? .data)
        } else if let resume {
            folder = URL(fileURLWithPath: resume)
            if LearningRateSweep.isPending(folder) {
                summary = try LearningRateSweep.resume(
                    folder, observer: observer, zeroShotCacheFolder: reuseZeroShot ? zeroShotCache : nil, pauseAfter: pauseAfter)
            } else {
                guard RunDirectory(folder).holdsRun else {
                    throw ValidationError("--resume \(folder.path) holds no run (no config.json); start one with --output.")
                }
                summary = try FineTune.resume(folder, observer: observer, pauseAfter: pauseAfter)
            }
        } else if learningRate == .auto {
            var sweep = try learningRateSweep()
            sweep.observer = observer
            folder = sweep.run.url
            summary = try sweep.run(pauseAfter: pauseAfter)
        } else {
            var fineTune = try newRun()
            fineTune.observer = observer
            fineTune.processGroup = group
            fineTune.parallelMode = distributed ?? .data
            if let scratch { fineTune.run = RunDirectory(scratch) }
            folder = fineTune.run.url
            summary = try fineTune.run(pauseAfter: pauseAfter)
        }
        guard scratch == nil else { return }
        let totalSteps = try RunDirectory(folder).readConfiguration().training.steps
        if summary.steps < totalSteps {
            print("paused after step \(summary.steps) of \(totalSteps); continue with: zotune train --resume \(folder.path)")
        } else {
            FinalReport.print(summary, run: RunDirectory(folder))
        }
    }

    private var zeroShotCache: URL { AssetStore().root.appendingPathComponent("zero-shot") }

    private func learningRateSweep() throws -> LearningRateSweep {
        let run = try newRun()
        var sweep = LearningRateSweep(
            configuration: run.configuration, learningRates: learningRateGrid.isEmpty ? nil : learningRateGrid,
            trialSteps: sweepSteps, folder: run.run.url)
        sweep.zeroShotCacheFolder = run.zeroShotCacheFolder
        sweep.maxTokensWasRequested = run.maxTokensWasRequested
        return sweep
    }

    private func newRun() throws -> FineTune {
        var settings = TrainingSettings()
        settings.steps = steps
        settings.batchSize = batchSize
        let method = try methodOptions.configuration()
        if case let .value(rate) = learningRate {
            settings.learningRate = rate
        } else {
            settings.learningRate = method.method.typicalLearningRate
        }
        settings.schedule = schedule
        settings.seed = seed
        settings.evalEvery = evalEvery
        let task = taskOptions.source
        settings.objective = try objective ?? Objective.default(generation: task.isGeneration())
        settings.maxTokens = maxTokens ?? settings.maxTokens
        let adapter = try tuningOptions.adapter()
        // Adapter runs keep the frozen base as its file stores it unless told otherwise.
        let precision = modelOptions.basePrecision ?? (adapter == nil ? .float32 : .stored)
        var configuration = RunConfiguration(
            model: modelOptions.model, task: task.taskSpec == nil ? task.task ?? TaskCatalog.defaultName : nil,
            taskSpec: task.taskSpec, dataSeed: task.dataSeed, splitSizes: task.sizes,
            method: method, training: settings,
            trainableRoles: trainable.isEmpty ? ParameterRole.allCases : trainable, trainableLastLayers: trainableLayers,
            adapter: adapter,
            basePrecision: precision == .float32 ? nil : precision)
        if modelOptions.basePrecision == nil, precision != .float32 { configuration.basePrecisionIsDefault = true }
        if let products = modelOptions.baseProducts, products != .automatic { configuration.baseProducts = products }
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "")
        var fineTune = FineTune(
            configuration: configuration, folder: URL(fileURLWithPath: output ?? "runs/\(method.name)-\(task.name)-\(stamp)"))
        fineTune.maxTokensWasRequested = maxTokens != nil
        if reuseZeroShot { fineTune.zeroShotCacheFolder = zeroShotCache }
        return fineTune
    }
}

/// `--lr`: a rate, or `auto` (`LearningRateSweep`).
enum LearningRateChoice: Equatable, ExpressibleByArgument, CustomStringConvertible {
    case value(Float)
    case auto

    init?(argument: String) {
        if argument == "auto" {
            self = .auto
        } else if let rate = Float(argument) {
            self = .value(rate)
        } else {
            return nil
        }
    }

    var description: String {
        switch self {
        case .auto: return "auto"
        case let .value(rate): return "\(rate)"
        }
    }

    var defaultValueDescription: String { description }
}

extension ParameterRole: ExpressibleByArgument {}
extension LearningRateSchedule: ExpressibleByArgument {}
extension Objective: ExpressibleByArgument {}

extension ParallelMode: ExpressibleByArgument {}

/// The before/after table at the end of a run.
enum FinalReport {
    static func print(_ s: TrainingSummary, run: RunDirectory) {
        func value(_ e: Evaluation?, _ metric: (Evaluation) -> Double?) -> String {
            TextColumns.padded(e.flatMap(metric).map { String(format: "%.4f", $0) } ?? "—", 12)
        }
        // A generation task reports exact match (its accuracy) and F1, which picks the best dev point.
        let generation = s.zeroShotDev?.f1 != nil
        func label(_ text: String) -> String { TextColumns.padded(text, generation ? 18 : 16) }
        let rows: [(name: String, metric: (Evaluation) -> Double?)] = generation
            ? [("F1", \.f1), ("exact match", { $0.accuracy })] : [("accuracy", { $0.accuracy })]
        Swift.print("")
        Swift.print("\(s.method) on \(s.task)")
        Swift.print(label("") + TextColumns.padded("zero-shot", 12) + "fine-tuned")
        for row in rows {
            Swift.print(label("dev " + row.name) + value(s.zeroShotDev, row.metric) + value(s.bestDev, row.metric)
                        + (s.bestStep.map { "(best dev, step \($0))" } ?? ""))
        }
        for row in rows {
            Swift.print(label("test " + row.name) + value(s.zeroShotTest, row.metric) + value(s.test, row.metric)
                        + (s.bestStep.map { "(at step \($0))" } ?? ""))
        }
        Swift.print(String(format: "steps %d · forward passes %d · training time %@ · peak memory %@%@",
                           s.steps, s.forwardPasses, ProgressReporter.duration(s.seconds),
                           Abbreviated.bytes(s.peakResidentBytes),
                           s.skippedSteps > 0 ? " · \(s.skippedSteps) steps skipped (non-finite loss)" : ""))
        if s.bestStep == 0 {
            Swift.print("no evaluation beat the zero-shot dev \(generation ? "F1" : "accuracy"): the best model is the pretrained one (checkpoints/best holds it)")
        }
        if generation { Swift.print("test answers: \(run.testAnswers.path)") }
        Swift.print("run folder: \(run.url.path)")
    }
}
