import Foundation
import ZOEstimators
import ZOTensor

/// Rebuilds trained weights from the base model and a run's seed log alone, with no forward pass:
/// each record is re-applied by the estimator's `replay`, which shares its update code with `step`,
/// so the result is byte-identical to the trained weights.
public enum SeedLogReplay {
    public static func records(from url: URL) throws -> [StepRecord] {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TrainingError.missingRun(path: url.path, reason: "the seed log does not exist")
        }
        let decoder = JSONDecoder()
        return try data.split(separator: UInt8(ascii: "\n")).enumerated().map { index, line in
            do {
                return try decoder.decode(StepRecord.self, from: Data(line))
            } catch {
                throw TrainingError.corruptRun(path: url.path, reason: "line \(index + 1) is not a step record")
            }
        }
    }

    /// Rebuilds the trained weights of the run whose seed log is `log` (its `config.json` lies beside
    /// it) from `base` (default: the run's model) and writes them to `output` as safetensors.
    /// Returns the steps replayed and the tensors written.
    public static func rebuild(
        log: URL, base: String? = nil, output: URL, status: (String) -> Void = { _ in }
    ) throws -> (steps: Int, tensors: Int) {
        let run = RunDirectory(holdingSeedLog: log)
        guard run.holdsRun else {
            throw TrainingError.missingRun(
                path: log.path, reason: "there is no config.json beside it; replay reads the run's options from its run folder")
        }
        let configuration = try run.readConfiguration()
        let records = try records(from: log)
        // The base as the run held it: a prefix starts from the base's activations.
        let loaded = try configuration.loadModel(base, status: status)
        let target = try TrainingTarget(configuration, model: loaded.model)
        let parameters = target.parameters
        _ = try configuration.method.accept(Visitor(records: records, parameters: parameters, training: configuration.training))
        let entries = parameters.tensors.map(\.entry)
        try WeightCheckpoint.save(parameters.arena, entries: entries, to: output,
                                  metadata: (target.adapter?.checkpointMetadata ?? [:]).merging(["step": String(records.count)]) { $1 })
        return (records.count, entries.count)
    }

    private struct Visitor: EstimatorVisitor {
        let records: [StepRecord]
        let parameters: TrainableSet
        let training: TrainingSettings

        func visit<Estimator: ZerothOrderEstimator>(_ estimator: Estimator) throws -> Int {
            try replay(records, estimator: estimator, parameters: parameters, runSeed: training.seed, totalSteps: training.steps)
        }
    }

    /// Applies `records` to `parameters` (which must hold the base weights). Returns the step count.
    @discardableResult
    public static func replay<Estimator: ZerothOrderEstimator>(
        _ records: [StepRecord], estimator: Estimator, parameters: TrainableSet, runSeed: UInt64, totalSteps: Int
    ) throws -> Int {
        for tensor in estimator.anchorTensors(in: parameters) {
            parameters.setAnchor(tensor, values: parameters.pointer(tensor))
        }
        var state = try estimator.makeState(for: parameters, runSeed: runSeed)
        for (expected, record) in records.enumerated() {
            guard record.step == expected else {
                throw TrainingError.corruptRun(path: "seed log", reason: "record \(expected + 1) is for step \(record.step), expected \(expected)")
            }
            try apply(record, estimator: estimator, parameters: parameters, state: &state, runSeed: runSeed, totalSteps: totalSteps)
        }
        parameters.arena.foldAllDeltas()
        return records.count
    }

    /// Re-applies one record (nothing for a step the trainer discarded).
    static func apply<Estimator: ZerothOrderEstimator>(
        _ record: StepRecord, estimator: Estimator, parameters: TrainableSet, state: inout Estimator.State,
        runSeed: UInt64, totalSteps: Int
    ) throws {
        guard record.discarded != true else { return }
        let context = StepContext(step: record.step, totalSteps: totalSteps, learningRate: record.learningRate, runSeed: runSeed)
        try estimator.replay(record, parameters: parameters, state: &state, context: context)
    }
}
