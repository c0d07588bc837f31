import Foundation
import ZOEstimators

/// `zotune train --lr auto`: the learning rate chosen on dev by short seeded trials, then the full
/// run at the best one — the study found the rate mattered more than the method, and it is what ZO
/// users tune by hand most.
///
/// Each trial is the real run at one rate (same seed, batches and directions) paused after
/// `trialSteps` steps, in `<run>/sweep/lr<rate>/`. They are scored by their last dev evaluation
/// (accuracy, then loss; a diverged trial scores last; ties go to the smaller rate). The winning
/// trial is not thrown away: its folder becomes the run folder and the run continues from its
/// checkpoint, so the result is byte-identical to `--lr <chosen>` from the start. `sweep/plan.json`
/// holds the grid and the run's configuration (an interrupted sweep continues with `--resume`),
/// `sweep/sweep.json` the scores and the choice.
public struct LearningRateSweep {
    public struct Plan: Codable, Sendable {
        /// The full run's configuration (its learning rate is each trial's).
        public var configuration: RunConfiguration
        public var learningRates: [Float]
        public var trialSteps: Int
        /// `FineTune.maxTokensWasRequested` of the trials (kept for a resumed sweep).
        public var maxTokensWasRequested: Bool?
    }

    public struct Trial: Codable, Sendable, Equatable {
        public var learningRate: Float
        /// The last dev evaluation of the trial (at `trialSteps`); nil when it diverged.
        public var devAccuracy: Double?
        public var devLoss: Double?
        /// Why the trial stopped early, if it diverged.
        public var stopReason: String?

        public init(learningRate: Float, devAccuracy: Double? = nil, devLoss: Double? = nil, stopReason: String? = nil) {
            self.learningRate = learningRate
            self.devAccuracy = devAccuracy
            self.devLoss = devLoss
            self.stopReason = stopReason
        }
    }

    public struct Outcome: Codable, Sendable {
        public var trialSteps: Int
        public var trials: [Trial]
        public var chosen: Float
    }

    public var plan: Plan
    public let run: RunDirectory
    public var zeroShotCacheFolder: URL?
    public var maxTokensWasRequested: Bool {
        get { plan.maxTokensWasRequested ?? false }
        set { plan.maxTokensWasRequested = newValue }
    }
    public weak var observer: TrainingObserver?

    public init(configuration: RunConfiguration, learningRates: [Float]? = nil, trialSteps: Int? = nil, folder: URL) {
        let rates = learningRates ?? Self.defaultGrid(for: configuration)
        plan = Plan(
            configuration: configuration, learningRates: Array(Set(rates)).sorted(),
            trialSteps: trialSteps ?? Self.defaultTrialSteps(steps: configuration.training.steps, evalEvery: configuration.training.evalEvery))
        run = RunDirectory(folder)
    }

    /// Five rates a half-decade apart around the method's usual scale (adapters ×100: LoRA's B starts
    /// at 0 and prefixes/prompts move activations only through attention).
    public static func defaultGrid(for configuration: RunConfiguration) -> [Float] {
        let centre = configuration.method.method.typicalLearningRate * (configuration.adapter == nil ? 1 : 100)
        return [0.1, 0.3, 1, 3, 10].map { Float("\(String(format: "%.1g", Double(centre) * $0))")! }
    }

    /// The first dev evaluation at or after a fifth of the run (a whole number of `evalEvery`), so that
    /// every trial ends on an evaluation.
    public static func defaultTrialSteps(steps: Int, evalEvery: Int) -> Int {
        let target = max(1, steps / 5)
        return min(steps, (target + evalEvery - 1) / evalEvery * evalEvery)
    }

    var sweepFolder: URL { run.url.appendingPathComponent("sweep") }
    var planURL: URL { sweepFolder.appendingPathComponent("plan.json") }
    var outcomeURL: URL { sweepFolder.appendingPathComponent("sweep.json") }
    func trialFolder(_ rate: Float) -> URL { sweepFolder.appendingPathComponent("lr\(Self.label(rate))") }
    static func label(_ rate: Float) -> String { "\(rate)".replacingOccurrences(of: "+", with: "") }

    /// Refuses what the trials could not make sense of, before any work.
    func validate() throws {
        guard !plan.learningRates.isEmpty, plan.learningRates.allSatisfy({ $0.isFinite && $0 > 0 }) else {
            throw TrainingError.invalidOption("--lr-grid needs finite rates > 0")
        }
        let training = plan.configuration.training
        guard plan.trialSteps >= 1, plan.trialSteps <= training.steps,
              plan.trialSteps % training.evalEvery == 0 || plan.trialSteps == training.steps else {
            throw TrainingError.invalidOption(
                "--sweep-steps must be a multiple of --eval-every (\(training.evalEvery)) between 1 and --steps (\(training.steps)), got \(plan.trialSteps)")
        }
    }

    /// Starts the sweep in a new or empty folder (never one holding another sweep: that is `resume`'s),
    /// then trains the chosen rate to the end. If the first trial fails before it starts (a bad model or
    /// task), the folder is left as it was found.
    public func run(pauseAfter: Int? = nil) throws -> TrainingSummary {
        try validate()
        try run.checkIsFreeForNewRun()
        let existed = FileManager.default.fileExists(atPath: run.url.path)
        try FileManager.default.createDirectory(at: sweepFolder, withIntermediateDirectories: true)
        try RunDirectory.writeJSON(plan, to: planURL)
        do {
            return try proceed(pauseAfter: pauseAfter)
        } catch {
            if !RunDirectory(trialFolder(plan.learningRates[0])).holdsRun {
                try? FileManager.default.removeItem(at: existed ? sweepFolder : run.url)
            }
            throw error
        }
    }

    /// Continues a sweep stopped before its full run began (`--resume` on a folder with a plan), with
    /// the plan it started with.
    public static func resume(
        _ folder: URL, observer: TrainingObserver?, zeroShotCacheFolder: URL? = nil, pauseAfter: Int? = nil
    ) throws -> TrainingSummary {
        let plan = try RunDirectory.readJSON(Plan.self, from: folder.appendingPathComponent("sweep/plan.json"))
        var sweep = LearningRateSweep(configuration: plan.configuration, learningRates: plan.learningRates,
                                      trialSteps: plan.trialSteps, folder: folder)
        sweep.plan = plan
        sweep.observer = observer
        sweep.zeroShotCacheFolder = zeroShotCacheFolder
        try sweep.validate()
        return try sweep.proceed(pauseAfter: pauseAfter)
    }

    /// The trials still to run, the choice (kept in sweep.json once made), the move of the winner
    /// into the run folder — all under the run folder's lock — then the run itself, which takes the lock
    /// again. Every stage can be interrupted and redone.
    func proceed(pauseAfter: Int?) throws -> TrainingSummary {
        try {
            let lock = try RunFolderLock(run)
            defer { withExtendedLifetime(lock) {} }
            let chosen: Float
            if let outcome = try? RunDirectory.readJSON(Outcome.self, from: outcomeURL) {
                chosen = outcome.chosen
            } else {
                chosen = try chooseByTrials()
            }
            try adopt(trialFolder(chosen))
        }()
        return try FineTune.resume(run.url, observer: observer, pauseAfter: pauseAfter)
    }

    /// Runs or continues every trial, scores them and records the choice in sweep.json.
    func chooseByTrials() throws -> Float {
        observer?.notice("learning-rate sweep: \(plan.learningRates.map { "\($0)" }.joined(separator: ", ")), "
            + "\(plan.trialSteps) of \(plan.configuration.training.steps) steps each, scored on dev")
        var trials: [Trial] = []
        for rate in plan.learningRates {
            trials.append(try trial(rate))
        }
        guard trials.contains(where: { $0.devAccuracy != nil }) else {
            throw TrainingError.invalidOption(
                "every rate of the sweep diverged (\(plan.learningRates.map { "\($0)" }.joined(separator: ", "))); try smaller ones with --lr-grid")
        }
        let chosen = Self.choose(trials)
        try RunDirectory.writeJSON(Outcome(trialSteps: plan.trialSteps, trials: trials, chosen: chosen), to: outcomeURL)
        observer?.notice("chose --lr \(chosen): " + trials.map { trial in
            "\(trial.learningRate) → " + (trial.devAccuracy.map { String(format: "dev %.4f", $0) } ?? "diverged")
        }.joined(separator: ", "))
        return chosen
    }

    /// Whether `folder` holds a sweep whose full run has not started.
    public static func isPending(_ folder: URL) -> Bool {
        FileManager.default.fileExists(atPath: folder.appendingPathComponent("sweep/plan.json").path)
            && !RunDirectory(folder).holdsRun
    }

    /// One trial: run (or continue) to `trialSteps`, then its last dev evaluation.
    func trial(_ rate: Float) throws -> Trial {
        let folder = trialFolder(rate)
        let trialRun = RunDirectory(folder)
        if let stopped = try? RunDirectory.readJSON(TrainingSummary.self, from: trialRun.summary), stopped.stopReason != nil {
            return Trial(learningRate: rate, stopReason: stopped.stopReason)
        }
        if (try? lastDevEvaluation(trialRun))?.step ?? 0 < plan.trialSteps {
            observer?.notice("trial --lr \(rate)")
            do {
                if trialRun.holdsRun {
                    _ = try FineTune.resume(folder, observer: observer, pauseAfter: plan.trialSteps)
                } else {
                    var configuration = plan.configuration
                    configuration.training.learningRate = rate
                    var fineTune = FineTune(configuration: configuration, folder: folder)
                    fineTune.observer = observer
                    fineTune.zeroShotCacheFolder = zeroShotCacheFolder
                    fineTune.maxTokensWasRequested = maxTokensWasRequested
                    _ = try fineTune.run(pauseAfter: plan.trialSteps)
                }
            } catch let TrainingError.diverged(step, reason, _) {
                return Trial(learningRate: rate, stopReason: "diverged at step \(step): \(reason)")
            }
        }
        guard let last = try lastDevEvaluation(trialRun), last.step == plan.trialSteps else {
            throw TrainingError.corruptRun(path: folder.path, reason: "the trial has no dev evaluation at step \(plan.trialSteps)")
        }
        return Trial(learningRate: rate, devAccuracy: last.accuracy, devLoss: last.loss)
    }

    /// Best last-dev accuracy, then lowest dev loss, then the smaller rate; diverged trials last.
    public static func choose(_ trials: [Trial]) -> Float {
        let ranked = trials.sorted { a, b in
            switch (a.devAccuracy, b.devAccuracy) {
            case (nil, nil): return a.learningRate < b.learningRate
            case (nil, _): return false
            case (_, nil): return true
            case let (x?, y?):
                if x != y { return x > y }
                if a.devLoss != b.devLoss { return (a.devLoss ?? .infinity) < (b.devLoss ?? .infinity) }
                return a.learningRate < b.learningRate
            }
        }
        return ranked[0].learningRate
    }

    /// The last dev line of a run's metrics.jsonl.
    func lastDevEvaluation(_ trialRun: RunDirectory) throws -> (step: Int, accuracy: Double, loss: Double)? {
        guard let data = FileManager.default.contents(atPath: trialRun.metrics.path) else { return nil }
        var last: (Int, Double, Double)?
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  object["kind"] as? String == "eval", object["split"] as? String == "dev",
                  let step = object["step"] as? Int, let accuracy = object["dev_accuracy"] as? Double,
                  let loss = object["dev_loss"] as? Double else { continue }
            last = (step, accuracy, loss)
        }
        return last
    }

    /// Moves the chosen trial's files up into the run folder (renames within one file system), its lock
    /// file aside. `config.json` goes last: until it is there the folder is still a pending sweep, and
    /// an interrupted move is finished by `--resume` (names already moved are gone from the trial).
    func adopt(_ trial: URL) throws {
        let fm = FileManager.default
        guard fm.fileExists(atPath: trial.path) else { return }
        let contents = try fm.contentsOfDirectory(atPath: trial.path).filter { $0 != ".lock" }
        for name in contents.filter({ $0 != "config.json" }) + contents.filter({ $0 == "config.json" }) {
            let destination = run.url.appendingPathComponent(name)
            guard !fm.fileExists(atPath: destination.path) else {
                throw TrainingError.cannotUseRunFolder(path: run.url.path, reason: "\(name) is already there; the chosen trial cannot move in")
            }
            try fm.moveItem(at: trial.appendingPathComponent(name), to: destination)
        }
        try fm.removeItem(at: trial)
    }
}
