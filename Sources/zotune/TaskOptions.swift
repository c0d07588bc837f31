import ArgumentParser
import Foundation
import ZOTasks
import ZOTraining

/// `--task` / `--task-spec`: which examples to train and evaluate on.
struct TaskOptions: ParsableArguments {
    @Option(name: .long, help: "A built-in task: \(TaskCatalog.names.joined(separator: ", ")) (default \(TaskCatalog.defaultName)).")
    var task: String?

    @Option(name: .long, help: "A custom task: JSON spec (template; candidates, or answers_field for free-form answers; data file).")
    var taskSpec: String?

    @Option(name: .long, help: "Seed for sampling the train/dev/test splits.")
    var dataSeed: UInt64 = 0

    @Option(name: .long, help: "Training examples sampled (MeZO protocol: 1000).")
    var trainExamples = SplitSizes.mezo.train

    @Option(name: .long, help: "Dev examples sampled (MeZO protocol: 500).")
    var devExamples = SplitSizes.mezo.dev

    @Option(name: .long, help: "Test examples sampled (MeZO protocol: 1000).")
    var testExamples = SplitSizes.mezo.test

    /// The examples these options select.
    var source: TaskSource {
        TaskSource(task: task, taskSpec: taskSpec, dataSeed: dataSeed,
                   sizes: SplitSizes(train: trainExamples, dev: devExamples, test: testExamples))
    }

    func validate() throws {
        if task != nil && taskSpec != nil { throw ValidationError("Pass either --task or --task-spec, not both.") }
        guard trainExamples > 0, devExamples > 0, testExamples > 0 else {
            throw ValidationError("--train-examples, --dev-examples and --test-examples must be positive.")
        }
    }
}
