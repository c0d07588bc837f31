import ArgumentParser
import Foundation
import ZOAssets
import ZOModels
import ZOTasks
import ZOTokenizers
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

    /// Loads and tokenizes the splits for `model`.
    func encodedSplits(for model: LoadedModel, maxTokens: Int) throws -> (ClassificationTask, EncodedSplits) {
        let (task, splits) = try load()
        let encoder = ExampleEncoder(
            tokenizer: try model.tokenizer(), task: task, maxTokens: maxTokens, promptPrefix: model.model.promptPrefix)
        return (task, try EncodedSplits(
            train: encoder.encode(splits.train), dev: encoder.encode(splits.dev), test: encoder.encode(splits.test)))
    }
}
