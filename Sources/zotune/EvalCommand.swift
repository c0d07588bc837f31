import ArgumentParser
import Foundation
import ZOFormats
import ZOModels
import ZOTensor
import ZOTraining

struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Measure a model's accuracy on a task's dev and test splits (zero-shot without --checkpoint).")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var threadOptions: ThreadOptions
    @OptionGroup var taskOptions: TaskOptions

    @Option(name: .long, help: "Fine-tuned weights: a run folder (uses its best checkpoint), a checkpoint folder, or a .safetensors file.")
    var checkpoint: String?

    @Option(name: .long, help: "Longest prompt + candidate in tokens; longer prompts keep their end.")
    var maxTokens = 256

    @Option(name: .long, help: "Examples per forward pass.")
    var batchSize = 32

    func run() throws {
        threadOptions.apply()
        let loaded = try taskOptions.loadModel(modelOptions.model)
        if let checkpoint {
            let file = try Self.weightsFile(checkpoint)
            let count = try PartialWeights.load(file, into: loaded.model.weights)
            Console.status("loaded \(count) tensors from \(file.path)")
        }
        let (task, splits) = try taskOptions.encodedSplits(for: loaded, maxTokens: maxTokens)
        let evaluator = Evaluator(scorer: CandidateScorer(model: loaded.model), objective: .candidateCrossEntropy, batchSize: batchSize)
        let observer = ConsoleTrainingObserver()
        print("task \(task.name), model \(loaded.reference)\(checkpoint.map { " + \($0)" } ?? " (zero-shot)")")
        print("split   examples   accuracy   loss")
        for (name, examples) in [("dev", splits.dev), ("test", splits.test)] {
            observer.evaluationDidStart(split: name, examples: examples.count)
            let result = try evaluator.evaluate(examples) { observer.evaluationDidProgress(examples: $0) }
            guard result.loss.isFinite else { throw ModelError.nonFiniteLogits }
            observer.evaluationDidFinish(split: name, result: result)
            print(InspectCommand.padded(name, 7) + String(format: "%8d   %8.4f   %.4f", result.examples, result.accuracy, result.loss))
        }
    }

    /// Resolves a run folder, checkpoint folder or file to a weights file.
    static func weightsFile(_ path: String) throws -> URL {
        let url = URL(fileURLWithPath: NSString(string: path).expandingTildeInPath)
        let candidates = [
            url.appendingPathComponent("checkpoints/best/model.safetensors"),
            url.appendingPathComponent("checkpoints/latest/model.safetensors"),
            url.appendingPathComponent("model.safetensors"), url,
        ]
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
        }
        throw ValidationError("no weights at \(path): expected a run folder, a checkpoint folder or a .safetensors file.")
    }
}

/// Loads the tensors a checkpoint holds (a run may train only some roles) over a model's weights.
enum PartialWeights {
    static func load(_ url: URL, into arena: WeightArena) throws -> Int {
        let file = try SafetensorsFile(path: url.path)
        var entries: [ParameterEntry] = []
        for tensor in file.tensors {
            guard let entry = arena.entry(named: tensor.name) else {
                throw ModelError.unusedWeight(name: tensor.name, source: url.path)
            }
            entries.append(entry)
        }
        guard !entries.isEmpty else { throw ValidationError("\(url.path) holds no weights.") }
        try WeightCheckpoint.load(into: arena, entries: entries, from: url)
        return entries.count
    }
}
