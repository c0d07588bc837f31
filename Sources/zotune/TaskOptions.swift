import ArgumentParser
import Foundation
import ZOAssets
import ZOModels
import ZOTasks
import ZOTraining

/// `--task` / `--task-spec`: which examples to train and evaluate on.
struct TaskOptions: ParsableArguments {
    @Option(name: .long, help: "A built-in task: \(TaskCatalog.names.joined(separator: ", ")) (default \(TaskCatalog.defaultName)).")
    var task: String?

    @Option(name: .long, help: "A custom task: JSON spec (template, candidates, label field, data file).")
    var taskSpec: String?

    @Option(name: .long, help: "Seed for sampling the train/dev/test splits.")
    var dataSeed: UInt64 = 0

    @Option(name: .long, help: "Training examples sampled (MeZO protocol: 1000).")
    var trainExamples = SplitSizes.mezo.train

    @Option(name: .long, help: "Dev examples sampled (MeZO protocol: 500).")
    var devExamples = SplitSizes.mezo.dev

    @Option(name: .long, help: "Test examples sampled (MeZO protocol: 1000).")
    var testExamples = SplitSizes.mezo.test

    var sizes: SplitSizes { SplitSizes(train: trainExamples, dev: devExamples, test: testExamples) }

    func validate() throws {
        if task != nil && taskSpec != nil { throw ValidationError("Pass either --task or --task-spec, not both.") }
        guard trainExamples > 0, devExamples > 0, testExamples > 0 else {
            throw ValidationError("--train-examples, --dev-examples and --test-examples must be positive.")
        }
    }

    /// The task's name as recorded in run folders.
    var name: String { taskSpec.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent } ?? task ?? TaskCatalog.defaultName }

    func load() throws -> (ClassificationTask, TaskSplits) {
        if let taskSpec { return try CustomTask.load(specPath: taskSpec, seed: dataSeed, sizes: sizes) }
        return try TaskCatalog.load(task ?? TaskCatalog.defaultName, store: AssetStore(), seed: dataSeed, sizes: sizes) {
            Console.status($0)
        }
    }

    /// Loads and tokenizes the splits for `model`, laid out for its output kind (`ExampleEncoder`);
    /// prompts are cut to `maxTokens` or the model's context, whichever is shorter.
    func encodedSplits(for model: LoadedModel, maxTokens: Int) throws -> (ClassificationTask, EncodedSplits) {
        let (task, splits) = try load()
        let encoder = try ExampleEncoder(for: model, task: task, maxTokens: maxTokens)
        return (task, try EncodedSplits(
            train: encoder.encode(splits.train), dev: encoder.encode(splits.dev), test: encoder.encode(splits.test)))
    }

    /// Opens `reference` for this task: an encoder checkpoint without a masked-LM head gets a
    /// classification head with one class per candidate (label i ↔ candidate i).
    func loadModel(_ reference: String) throws -> LoadedModel {
        try ModelReference.load(reference, options: ModelLoadOptions(classifierLabels: fixedCandidateCount())) {
            Console.status($0)
        }
    }

    /// The number of candidates every example shares, read from the task definition alone (no data);
    /// nil when examples bring their own.
    func fixedCandidateCount() throws -> Int? {
        let candidates = try taskSpec.map { try CustomTaskSpec(contentsOf: URL(fileURLWithPath: $0)).candidates ?? [] }
            ?? TaskCatalog.task(named: task ?? TaskCatalog.defaultName).candidates
        return candidates.isEmpty ? nil : candidates.count
    }
}
