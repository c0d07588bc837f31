import Foundation
import ZOCommandLine
import ZOModels
import ZOTasks
import ZOTraining

/// The fixed batch the step, memory and scoring benchmarks use: the first `size` training examples
/// of a task (rt-sentiment unless said; MeZO splits, data seed 0), encoded for the model, plus their
/// prompt texts for the PyTorch scripts, which tokenize them themselves.
struct BenchmarkBatch {
    struct PromptLine: Encodable {
        let prompt: String
        let label: Int
    }

    let model: LanguageModel & ModelArchitecture
    let taskName: String
    let examples: [EncodedExample]
    let prompts: [PromptLine]

    /// As `zotune train`: only the decoded weights outlive loading (mapping and tokenizer go).
    init(modelOptions: ModelOptions, size: Int, maxTokens: Int, task taskName: String = TaskCatalog.defaultName) throws {
        let loaded = try modelOptions.load()
        let (task, splits) = try TaskSource(task: taskName).load(status: Console.status)
        let chosen = Array(splits.train.prefix(size))
        let encoder = try ExampleEncoder(for: loaded, task: task, maxTokens: maxTokens)
        prompts = try chosen.map { PromptLine(prompt: try task.prompt(for: $0), label: $0.label) }
        examples = try encoder.encode(chosen)
        model = loaded.model
        self.taskName = taskName
    }

    var promptTokens: Int { examples.reduce(0) { $0 + $1.prompt.count } }

    func describe() {
        let lengths = examples.map(\.prompt.count)
        print(String(
            format: "batch: the first %d %@ training examples (MeZO splits, data seed 0), %d prompt tokens (%d–%d per prompt), candidates %@",
            examples.count, taskName, promptTokens, lengths.min() ?? 0, lengths.max() ?? 0,
            examples.first.map { $0.hasSingleTokenCandidates ? "\($0.candidates)" : "of \($0.candidates.map(\.count)) tokens" } ?? "—"))
    }

    /// Runs a PyTorch reference script on the same weights (the GGUF `model` resolves to) and this
    /// batch (`--gguf PATH --prompts FILE --threads N` + `arguments`; `input` replaces the prompt
    /// texts, e.g. with token ids) and returns its JSON lines; nil, after saying why, when it is
    /// skipped or fails (see `PyTorchBenchmark`).
    func runPyTorch(
        _ script: String, model: String, doing purpose: String, input: (flag: String, json: any Encodable)? = nil,
        threads: Int = 2, arguments: [String] = []
    ) throws -> [[String: Any]]? {
        let modelPath = try ModelReference.resolve(model)
        guard modelPath.hasSuffix(".gguf") else {
            print("PyTorch reference: skipped (\(script) reads a GGUF file; --model is \(modelPath))")
            return nil
        }
        let (flag, json) = input ?? ("--prompts", prompts)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-bench-input-\(UUID().uuidString).json")
        try JSONEncoder().encode(json).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        Console.status("running \(script) (\(purpose))")
        return try PyTorchBenchmark.run(
            script: script, arguments: ["--gguf", modelPath, flag, file.path, "--threads", String(threads)] + arguments)
    }
}
