import Foundation
import ZOAssets
import ZOModels
import ZOTasks
import ZOTensor

/// Which examples a run trains and evaluates on: a built-in task or a custom spec, sampled into
/// train/dev/test by a seed. Recorded in a run's `config.json` (`RunConfiguration.taskSource`).
public struct TaskSource: Sendable, Equatable {
    /// A built-in task (`TaskCatalog`); nil with a spec, or for the default task.
    public var task: String?
    /// Path of a custom task spec (`CustomTaskSpec`).
    public var taskSpec: String?
    public var dataSeed: UInt64
    public var sizes: SplitSizes

    public init(task: String? = nil, taskSpec: String? = nil, dataSeed: UInt64 = 0, sizes: SplitSizes = .mezo) {
        self.task = task
        self.taskSpec = taskSpec
        self.dataSeed = dataSeed
        self.sizes = sizes
    }

    /// The task's name as recorded in run folders: the spec's file name, or the built-in name.
    public var name: String {
        taskSpec.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent } ?? task ?? TaskCatalog.defaultName
    }

    /// The task and its sampled splits; a built-in task's data is fetched on first use (`status`
    /// reports the download).
    public func load(status: (String) -> Void = { _ in }) throws -> (ClassificationTask, TaskSplits) {
        if let taskSpec { return try CustomTask.load(specPath: taskSpec, seed: dataSeed, sizes: sizes) }
        return try TaskCatalog.load(task ?? TaskCatalog.defaultName, store: AssetStore(), seed: dataSeed, sizes: sizes, log: status)
    }

    /// Loads and tokenizes the splits for `model`, laid out for its output kind (`ExampleEncoder`);
    /// prompts are cut to `maxTokens` or the model's context, whichever is shorter.
    public func encodedSplits(
        for model: LoadedModel, maxTokens: Int, status: (String) -> Void = { _ in }
    ) throws -> (ClassificationTask, EncodedSplits) {
        let (task, splits) = try load(status: status)
        let encoder = try ExampleEncoder(for: model, task: task, maxTokens: maxTokens)
        let generator = task.generation.map {
            AnswerGenerator(tokenizer: encoder.tokenizer, generation: $0, endOfSequence: model.endOfSequenceID)
        }
        return (task, try EncodedSplits(
            train: encoder.encode(splits.train), dev: encoder.encode(splits.dev), test: encoder.encode(splits.test),
            generator: generator))
    }

    /// Whether the task has free-form answers (a generation task), read from its definition alone.
    public func isGeneration() throws -> Bool {
        try definition().generation != nil
    }

    /// The task's definition (template, candidates or answer generation), without its data.
    public func definition() throws -> ClassificationTask {
        try taskSpec.map { try CustomTaskSpec(contentsOf: URL(fileURLWithPath: $0)).task }
            ?? TaskCatalog.task(named: task ?? TaskCatalog.defaultName)
    }

    /// Opens `reference` (a built-in model name or a path) for this task: an encoder checkpoint
    /// without a masked-LM head gets a classification head with one class per candidate (label i ↔
    /// candidate i).
    /// `basePrecisionIsDefault`: see `ModelLoadOptions`.
    public func loadModel(
        _ reference: String, basePrecision: StoragePrecision = .float32, basePrecisionIsDefault: Bool = false,
        baseProducts: BaseProducts = .automatic, status: (String) -> Void = { _ in }
    ) throws -> LoadedModel {
        let options = ModelLoadOptions(
            classifierLabels: try fixedCandidateCount(), basePrecision: basePrecision, basePrecisionIsDefault: basePrecisionIsDefault,
            baseProducts: baseProducts)
        return try ModelReference.load(reference, options: options, log: status)
    }

    /// The number of candidates every example shares, read from the task definition alone (no data);
    /// nil when examples bring their own.
    public func fixedCandidateCount() throws -> Int? {
        let candidates = try definition().candidates
        return candidates.isEmpty ? nil : candidates.count
    }
}
