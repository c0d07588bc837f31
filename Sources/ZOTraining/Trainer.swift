import Foundation
import ZOEstimators
import ZOFormats
import ZOModels
import ZOTensor

/// Runs a zeroth-order estimator on a task: zero-shot evaluation, the step loop with periodic dev
/// evaluation and checkpoints, then test accuracy at the best dev point. Writes everything to a
/// `RunDirectory`; `resume` continues from `checkpoints/latest` and produces the same bytes as an
/// uninterrupted run (batches, directions and states are pure functions of seed and step).
public final class Trainer<Estimator: ZerothOrderEstimator> {
    public let model: LanguageModel
    public let estimator: Estimator
    public let parameters: TrainableSet
    public let data: EncodedSplits
    public let settings: TrainingSettings
    public let run: RunDirectory
    public let methodName: String
    public let taskName: String
    public weak var observer: TrainingObserver?
    /// Zero-shot evaluations to reuse, and where to keep this run's (nil: always evaluate).
    public var zeroShotCache: ZeroShotCache?
    /// Written into every weights file beside the step (an adapter's α, see `LoRAAdapter.checkpointMetadata`).
    public var checkpointMetadata: [String: String] = [:]

    private let evaluator: Evaluator
    private let oracle: MinibatchLossOracle
    private let divergenceGuard: DivergenceGuard

    /// Set in a distributed run (every rank runs a trainer; only rank 0's `run` is the user's folder).
    public let processGroup: ProcessGroup?

    public init(
        model: LanguageModel, estimator: Estimator, parameters: TrainableSet, data: EncodedSplits,
        settings: TrainingSettings, run: RunDirectory, taskName: String, processGroup: ProcessGroup? = nil,
        parallelMode: ParallelMode = .data
    ) {
        self.processGroup = processGroup
        self.model = model
        self.estimator = estimator
        self.parameters = parameters
        self.data = data
        self.settings = settings
        self.run = run
        self.methodName = Estimator.name
        self.taskName = taskName
        divergenceGuard = DivergenceGuard(objective: settings.objective)
        let scorer = CandidateScorer(model: model)
        evaluator = Evaluator(scorer: scorer, objective: settings.objective, batchSize: settings.evalBatchSize,
                              generator: data.generator, processGroup: processGroup)
        oracle = MinibatchLossOracle(
            scorer: scorer, objective: settings.objective, examples: data.train,
            sampler: MinibatchSampler(exampleCount: data.train.count, batchSize: settings.batchSize, seed: settings.seed),
            generator: data.generator, processGroup: processGroup, parallelMode: parallelMode)
        if !data.train.isEmpty {
            // The mean training forward, for the low-rank cost model (`LowRankCostModel`).
            let size = scorer.forwardSize(data.train)
            let perExample = Double(min(settings.batchSize, data.train.count)) / Double(data.train.count)
            parameters.setForwardSize(
                tokens: Double(size.tokens) * perExample, scoredRows: Double(size.scoredRows) * perExample)
        }
    }

    private var trainableEntries: [ParameterEntry] { parameters.tensors.map(\.entry) }
    private var trainerStateURL: URL { run.latest.trainerState }
    private var estimatorStateURL: URL { run.latest.estimatorState }
    private var weightsURL: URL { run.latest.weights }
    private var bestWeightsURL: URL { run.best.weights }

    /// Trains (or resumes) and returns the summary. The arena must hold the pretrained weights.
    /// `pauseAfter` stops after that many steps with a checkpoint (as an interruption would), so the
    /// run can be resumed; the summary then has no test result.
    @discardableResult
    public func train(resume: Bool = false, pauseAfter: Int? = nil) throws -> TrainingSummary {
        // Only the trainable tensors change until train returns: the model may keep what depends on the rest.
        model.prepareForTraining(trainableEntries)
        defer { model.prepareForTraining([]) }
        for tensor in estimator.anchorTensors(in: parameters) {
            parameters.setAnchor(tensor, values: parameters.pointer(tensor))
        }
        var state: Estimator.State
        var progress: TrainerState
        // A run stopped before its first checkpoint has nothing to continue: it starts again at step 0.
        let continuing = resume && run.hasCheckpoint
        if continuing {
            Self.recoverInterruptedSave(run)
            progress = try RunDirectory.readJSON(TrainerState.self, from: trainerStateURL)
            state = try RunDirectory.readJSON(Estimator.State.self, from: estimatorStateURL)
            try WeightCheckpoint.load(into: parameters.arena, entries: trainableEntries, from: weightsURL)
            try DeltaCheckpoint.load(into: parameters.arena, entries: trainableEntries, from: run.latestCheckpoint)
            try Self.checkSeedLog(run, reaches: progress.nextStep)
        } else {
            try run.create()
            state = try estimator.makeState(for: parameters, runSeed: settings.seed)
            progress = TrainerState()
            (progress.zeroShotDev, progress.zeroShotTest) = try zeroShotEvaluations()
            progress.initialWeightRMS = DivergenceGuard.rootMeanSquare(parameters)
            // The pretrained model is the first best point: a step must beat it to replace it, and
            // `checkpoints/best` always holds a usable model. It is also the first `latest`, the
            // point a non-finite step is restored from (`restoreStepBefore`).
            (progress.bestStep, progress.bestDev) = (0, progress.zeroShotDev)
            try saveCheckpoint(state: state, progress: progress, announce: false)
            try Self.shareWeights(of: weightsURL, as: bestWeightsURL)
        }
        try checkRanksAgree(after: progress.nextStep)
        let resumeStep = progress.nextStep
        let metrics = try JSONLinesWriter(url: run.metrics, keepingLinesWhere: continuing ? { Self.step(of: $0) < resumeStep } : nil)
        let seedLog = try JSONLinesWriter(url: run.seedLog, keepingLinesWhere: continuing ? { Self.step(of: $0) < resumeStep } : nil)
        if !continuing, let dev = progress.zeroShotDev, let test = progress.zeroShotTest {
            try metrics.append(MetricLine.evaluation(step: 0, split: "zero-shot", dev: dev, test: test))
        }

        let stop = min(settings.steps, pauseAfter ?? .max)
        while progress.nextStep < stop {
            let step = progress.nextStep
            let start = DispatchTime.now().uptimeNanoseconds
            let rate = settings.schedule.rate(base: settings.learningRate, step: step, totalSteps: settings.steps)
            let context = StepContext(step: step, totalSteps: settings.steps, learningRate: rate, runSeed: settings.seed)
            oracle.begin(step: step)
            var outcome = try estimator.step(parameters, state: &state, context: context, oracle: oracle)
            if outcome.record.skipped {
                // The estimator put the weights back only to within rounding: restore them exactly.
                try restoreStepBefore(step, state: &state)
                outcome.record.discarded = true
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            progress.forwardPasses += outcome.forwardPasses
            progress.seconds += seconds
            if outcome.record.skipped { progress.skippedSteps += 1 }
            progress.nextStep = step + 1
            try seedLog.append(outcome.record)
            try metrics.append(MetricLine.step(step: step, outcome: outcome, learningRate: rate, seconds: seconds,
                                               forwardPasses: progress.forwardPasses))
            observer?.stepDidFinish(step: step, totalSteps: settings.steps, outcome: outcome, learningRate: rate,
                                    secondsPerStep: seconds)
            if let reason = divergenceGuard.check(outcome.record, progress: &progress) {
                throw try endDivergedRun(at: step + 1, reason: reason, progress: progress)
            }

            if progress.nextStep % settings.evalEvery == 0 || progress.nextStep == settings.steps {
                try checkRanksAgree(after: progress.nextStep)
                let dev = try evaluate(data.dev, split: "dev")
                if let reason = divergenceGuard.check(dev, weightRMS: DivergenceGuard.rootMeanSquare(parameters),
                                                      initialRMS: progress.initialWeightRMS) {
                    throw try endDivergedRun(at: step + 1, reason: reason, progress: progress)
                }
                try metrics.append(MetricLine.evaluation(step: progress.nextStep, split: "dev", dev: dev, test: nil))
                if dev.score > (progress.bestDev ?? progress.zeroShotDev)?.score ?? -1 {
                    progress.bestDev = dev
                    progress.bestStep = progress.nextStep
                    try WeightCheckpoint.save(parameters.arena, entries: trainableEntries, to: bestWeightsURL,
                                              metadata: checkpointMetadata.merging(["step": String(progress.nextStep)]) { $1 })
                    observer?.checkpointDidSave(step: progress.nextStep, best: true)
                }
                try saveCheckpoint(state: state, progress: progress)
            }
        }
        if progress.nextStep < settings.steps {
            if progress.nextStep % settings.evalEvery != 0 { try saveCheckpoint(state: state, progress: progress) }
            return summary(progress, test: nil)
        }
        return try finish(progress)
    }

    /// In a distributed run: stops unless every rank's trainable weights are bit-identical to rank 0's.
    private func checkRanksAgree(after step: Int) throws {
        guard let group = processGroup, group.size > 1 else { return }
        var hash = ContentHash()
        for tensor in parameters.tensors { hash.combine(parameters.arena.bytes(tensor.entry)) }
        try group.checkAgreement(on: hash.words.0, what: step == 0 ? "starting weights" : "weights after step \(step)")
    }

    /// Ends a run that diverged at `step` (counted from 1, as the console does): the weights in memory
    /// are not saved (`checkpoints/latest` keeps the last evaluation that passed, or the pretrained
    /// weights), `summary.json` says why, and the error tells the user.
    private func endDivergedRun(at step: Int, reason: String, progress: TrainerState) throws -> TrainingError {
        var summary = summary(progress, test: nil)
        summary.stopReason = "diverged at step \(step): \(reason)"
        try RunDirectory.writeJSON(summary, to: run.summary)
        let saved = run.hasCheckpoint ? try? RunDirectory.readJSON(TrainerState.self, from: trainerStateURL) : nil
        return TrainingError.diverged(step: step, reason: reason, lastCheckpoint: saved?.nextStep)
    }

    /// Puts back the exact weights and estimator state from before `step`: those of `checkpoints/latest`
    /// with the seed log's later records replayed onto them (replay shares its arithmetic with `step`,
    /// so this is what the weights were, byte for byte, without keeping a second copy in memory).
    private func restoreStepBefore(_ step: Int, state: inout Estimator.State) throws {
        let saved = try RunDirectory.readJSON(TrainerState.self, from: trainerStateURL)
        state = try RunDirectory.readJSON(Estimator.State.self, from: estimatorStateURL)
        try WeightCheckpoint.load(into: parameters.arena, entries: trainableEntries, from: weightsURL)
        try DeltaCheckpoint.load(into: parameters.arena, entries: trainableEntries, from: run.latestCheckpoint)
        for record in try SeedLogReplay.records(from: run.seedLog) where (saved.nextStep..<step).contains(record.step) {
            try SeedLogReplay.apply(record, estimator: estimator, parameters: parameters, state: &state,
                                    runSeed: settings.seed, totalSteps: settings.steps)
        }
    }

    /// Writes weights and both states into `checkpoints/latest.partial`, then swaps folders with
    /// renames: a crash at any point leaves a complete `latest` (old or new), never a mixed one.
    private func saveCheckpoint(state: Estimator.State, progress: TrainerState, announce: Bool = true) throws {
        let fm = FileManager.default
        let partial = run.latestCheckpoint.appendingPathExtension("partial")
        let previous = run.latestCheckpoint.appendingPathExtension("previous")
        try? fm.removeItem(at: partial)
        try fm.createDirectory(at: partial, withIntermediateDirectories: true)
        try WeightCheckpoint.save(parameters.arena, entries: trainableEntries,
                                  to: CheckpointFolder(partial).weights,
                                  metadata: checkpointMetadata.merging(["step": String(progress.nextStep)]) { $1 })
        try DeltaCheckpoint.save(parameters.arena, entries: trainableEntries, in: partial)
        try RunDirectory.writeJSON(state, to: CheckpointFolder(partial).estimatorState)
        try RunDirectory.writeJSON(progress, to: CheckpointFolder(partial).trainerState)
        try? fm.removeItem(at: previous)
        if fm.fileExists(atPath: run.latestCheckpoint.path) { try fm.moveItem(at: run.latestCheckpoint, to: previous) }
        try fm.moveItem(at: partial, to: run.latestCheckpoint)
        try? fm.removeItem(at: previous)
        if announce { observer?.checkpointDidSave(step: progress.nextStep, best: false) }
    }

    /// A resumed run's seed log must hold one record for every step before the checkpoint's, in order
    /// (later ones are cut off on resume): otherwise `replay` could not rebuild the weights it continues.
    /// A kill mid-write may leave a last line cut short; it is past the checkpoint and ignored.
    static func checkSeedLog(_ run: RunDirectory, reaches nextStep: Int) throws {
        guard let data = FileManager.default.contents(atPath: run.seedLog.path) else {
            throw TrainingError.missingRun(path: run.seedLog.path, reason: "the seed log does not exist")
        }
        let lines = data.split(separator: UInt8(ascii: "\n"))
        let steps = lines.enumerated().compactMap { index, line -> Int? in
            let step = Self.step(of: Data(line))
            return step == Int.max && index == lines.count - 1 ? nil : step
        }.filter { $0 < nextStep }
        guard steps == Array(0..<nextStep) else {
            let missing = Set(0..<nextStep).subtracting(steps).sorted()
            throw TrainingError.corruptRun(
                path: run.seedLog.path,
                reason: missing.isEmpty ? "its records before step \(nextStep) are out of order or repeated"
                    : "it lacks the records of \(missing.count) of the \(nextStep) steps before the checkpoint (from step \(missing[0]))")
        }
    }

    /// Makes `best` the same file as `latest` (a hard link; a copy where links are refused) instead of
    /// writing the model twice at start-up. Later saves replace either name by a rename, never the
    /// shared contents.
    static func shareWeights(of latest: URL, as best: URL) throws {
        let fm = FileManager.default
        try? fm.removeItem(at: best)
        do { try fm.linkItem(at: latest, to: best) } catch {
            do { try fm.copyItem(at: latest, to: best) } catch {
                throw FormatError.cannotWrite(path: best.path, reason: AtomicFile.systemReason(error))
            }
        }
    }

    /// If a save was interrupted between its two renames, `latest` is missing and `latest.previous`
    /// holds the last complete checkpoint.
    static func recoverInterruptedSave(_ run: RunDirectory) {
        let fm = FileManager.default
        let previous = run.latestCheckpoint.appendingPathExtension("previous")
        if !fm.fileExists(atPath: run.latestCheckpoint.path), fm.fileExists(atPath: previous.path) {
            try? fm.moveItem(at: previous, to: run.latestCheckpoint)
        }
    }

    private func finish(_ progress: TrainerState) throws -> TrainingSummary {
        // The trained weights are W + U·M·Vᵀ; from here on the arena holds them plainly (the same
        // fold `replay` ends with, so both give the same bytes).
        parameters.arena.foldAllDeltas()
        var test: Evaluation?
        if progress.bestStep == 0 {
            test = progress.zeroShotTest
        }
        // A generation task's test answers are written even when the pretrained model was best, so
        // that an outside script can score what the summary reports.
        if let bestStep = progress.bestStep, bestStep != 0 || data.generator != nil {
            // Evaluate the best weights, then reload the final ones from the last checkpoint (saved at
            // the last step) rather than holding a second copy of the model in memory.
            try WeightCheckpoint.load(into: parameters.arena, entries: trainableEntries, from: bestWeightsURL)
            let (evaluation, answers) = try evaluateWithAnswers(data.test, split: "test (best dev)")
            if bestStep != 0 { test = evaluation }
            if data.generator != nil { try TestAnswers.write(answers, examples: data.test, step: bestStep, to: run.testAnswers) }
            try WeightCheckpoint.load(into: parameters.arena, entries: trainableEntries, from: weightsURL)
        }
        let summary = summary(progress, test: test)
        try RunDirectory.writeJSON(summary, to: run.summary)
        try TrainingPlot.write(run, title: "\(methodName) on \(taskName)")
        return summary
    }

    private func summary(_ progress: TrainerState, test: Evaluation?) -> TrainingSummary {
        TrainingSummary(
            method: methodName, task: taskName, steps: progress.nextStep, zeroShotDev: progress.zeroShotDev,
            zeroShotTest: progress.zeroShotTest, bestStep: progress.bestStep, bestDev: progress.bestDev, test: test,
            forwardPasses: progress.forwardPasses, skippedSteps: progress.skippedSteps, seconds: progress.seconds,
            peakResidentBytes: System.peakResidentBytes)
    }

    /// The pretrained weights on dev and test: from `zeroShotCache` when it has them (the same
    /// numbers evaluation would give), else evaluated and stored there.
    private func zeroShotEvaluations() throws -> (dev: Evaluation, test: Evaluation) {
        if let reused = zeroShotCache?.load() {
            observer?.zeroShotEvaluationsWereReused(dev: reused.dev, test: reused.test)
            return reused
        }
        let dev = try evaluate(data.dev, split: "dev (zero-shot)")
        guard dev.loss.isFinite else { throw TrainingError.nonFiniteBaseModel(split: "dev") }
        let test = try evaluate(data.test, split: "test (zero-shot)")
        guard test.loss.isFinite else { throw TrainingError.nonFiniteBaseModel(split: "test") }
        zeroShotCache?.store(dev: dev, test: test)
        return (dev, test)
    }

    private func evaluate(_ examples: [EncodedExample], split: String) throws -> Evaluation {
        try evaluateWithAnswers(examples, split: split).evaluation
    }

    private func evaluateWithAnswers(_ examples: [EncodedExample], split: String) throws -> (evaluation: Evaluation, answers: [String]) {
        observer?.evaluationDidStart(split: split, examples: examples.count)
        let result = try evaluator.evaluateWithAnswers(examples) { [weak observer] in observer?.evaluationDidProgress(examples: $0) }
        observer?.evaluationDidFinish(split: split, result: result.evaluation)
        return result
    }

    /// The `step` field of a JSON line (metrics or seed log), for cutting files back on resume.
    static func step(of line: Data) -> Int {
        guard let object = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
              let step = object["step"] as? Int else { return Int.max }
        // Evaluation lines carry the step count after the step (step + 1); keep them with their step.
        return object["kind"] as? String == "eval" ? step - 1 : step
    }
}
