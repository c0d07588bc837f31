import ArgumentParser
import ZOCommandLine
import Foundation
import ZOModels
import ZOTensor
import ZOTraining

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure a model's accuracy (a generation task: F1 and exact match) on a task's dev and test splits (zero-shot without --checkpoint).")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var adapterOptions: AdapterOptions
    @OptionGroup var resourceOptions: ResourceOptions
    @OptionGroup var taskOptions: TaskOptions

    @Option(name: .long, help: "Fine-tuned weights: a run folder (uses its best checkpoint, and its base precision unless --base-precision is given), a checkpoint folder, or a .safetensors file.")
    var checkpoint: String?

    @Option(name: .long, help: "Longest prompt + candidate in tokens; longer prompts keep their end.")
    var maxTokens = 256

    @Option(name: .long, help: "Examples per forward pass.")
    var batchSize = 32

    func validate() throws {
        if checkpoint != nil, adapterOptions.adapter != nil {
            throw ValidationError("--checkpoint and --adapter both change the model; pass one.")
        }
    }

    /// `--base-precision`, else the precision the `--checkpoint` run held its base in (so a stored-base
    /// adapter run is evaluated as it trained), else f32.
    private func basePrecision() throws -> (StoragePrecision, isDefault: Bool, products: BaseProducts) {
        let products = modelOptions.baseProducts
        if let given = modelOptions.basePrecision { return (given, false, products ?? .automatic) }
        guard let checkpoint else { return (.float32, false, products ?? .automatic) }
        let run = RunDirectory(URL(fileURLWithPath: checkpoint))
        guard run.holdsRun else { return (.float32, false, products ?? .automatic) }
        let configuration = try run.readConfiguration()
        return (configuration.modelLoadPrecision, configuration.basePrecisionIsDefault ?? false,
                products ?? configuration.baseProducts ?? .automatic)
    }

    func run() throws {
        resourceOptions.apply()
        let task = taskOptions.source
        let (precision, isDefault, products) = try basePrecision()
        let loaded = try task.loadModel(modelOptions.model, basePrecision: precision, basePrecisionIsDefault: isDefault,
                                        baseProducts: products, status: Console.status)
        if let checkpoint {
            let file = try RunDirectory.weightsFile(checkpoint)
            let count = try WeightCheckpoint.apply(file, to: loaded.model)
            Console.status("loaded \(count) tensors from \(file.path)")
        }
        try adapterOptions.apply(to: loaded.model)
        let (chosen, splits) = try task.encodedSplits(for: loaded, maxTokens: maxTokens, status: Console.status)
        let generation = splits.generator != nil
        let evaluator = Evaluator(
            scorer: CandidateScorer(model: loaded.model), objective: .default(generation: generation), batchSize: batchSize,
            generator: splits.generator)
        let observer = ConsoleTrainingObserver()
        print("task \(chosen.name), model \(loaded.reference)\((checkpoint ?? adapterOptions.adapter).map { " + \($0)" } ?? " (zero-shot)")")
        // A generation task's loss is the LM loss of its first reference answer.
        print(generation ? "split   examples         F1   exact match   loss" : "split   examples   accuracy   loss")
        for (name, examples) in [("dev", splits.dev), ("test", splits.test)] {
            observer.evaluationDidStart(split: name, examples: examples.count)
            let result = try evaluator.evaluate(examples) { observer.evaluationDidProgress(examples: $0) }
            guard result.loss.isFinite else { throw ModelError.nonFiniteLogits }
            observer.evaluationDidFinish(split: name, result: result)
            let scores = result.f1.map { String(format: "%8.4f   %11.4f", $0, result.accuracy) } ?? String(format: "%8.4f", result.accuracy)
            print(TextColumns.padded(name, 7) + String(format: "%8d   ", result.examples) + scores + String(format: "   %.4f", result.loss))
        }
    }
}
