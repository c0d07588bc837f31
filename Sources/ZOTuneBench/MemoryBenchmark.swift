import Foundation
import ZOCommandLine
import ZOEstimators
import ZOModels
import ZOTensor
import ZOTraining

/// `zotune-bench --memory`: the memory argument for zeroth-order training, measured. Peak RSS of
/// this process after loading the model and taking MeZO steps on the benchmark batch, against
/// weights + one forward's activations (the target: ≤ 1.25×), and beside it the peak RSS of a
/// PyTorch AdamW backprop step on the same model and batch (`bench_adam_memory.py`).
struct MemoryBenchmark {
    static let defaultReferenceScript = "scripts/reference/bench_adam_memory.py"

    let modelOptions: ModelOptions
    let batch: Int
    let steps: Int
    let referenceScript: String?
    let report: BenchmarkReport

    func run() throws {
        let settings = TrainingSettings()
        let batch = try BenchmarkBatch(modelOptions: modelOptions, size: self.batch, maxTokens: settings.maxTokens)
        batch.describe()
        let model = batch.model
        let afterLoad = System.residentBytes
        let oracle = BenchmarkLossOracle(scorer: CandidateScorer(model: model), objective: settings.objective, examples: batch.examples)
        let parameters = TrainableSet(arena: model.weights)
        let mezo = MeZO()
        var state = try mezo.makeState(for: parameters, runSeed: settings.seed)
        for step in 0..<steps {
            _ = try mezo.step(parameters, state: &state, context: StepContext(
                step: step, totalSteps: steps, learningRate: settings.learningRate, runSeed: settings.seed), oracle: oracle)
        }
        let peak = System.peakResidentBytes
        let weights = model.weights.byteCount
        let longest = batch.examples.map(\.prompt.count).max() ?? 0
        let activations = model.activationBytes(tokens: batch.promptTokens, longestSequence: longest)
            + batch.examples.count * model.outputSize * 4
        let ratio = Double(peak) / Double(weights + activations)
        for (key, value) in [("zotune_peak_rss_bytes", peak), ("zotune_rss_after_load_bytes", afterLoad),
                             ("weights_bytes", weights), ("activation_bytes", activations)] {
            report.record(key, Double(value))
        }
        report.record("zotune_peak_over_weights_and_activations", ratio)
        print("fp32 weights \(Abbreviated.bytes(weights)); one forward's activations (incl. scored logits) \(Abbreviated.bytes(activations))")
        print("zotune: RSS after loading \(Abbreviated.bytes(afterLoad)); peak after \(steps) MeZO steps \(Abbreviated.bytes(peak))"
              + String(format: " = %.2f× (weights + activations) — target ≤ 1.25×: %@", ratio, ratio <= 1.25 ? "met" : "not met"))
        guard let referenceScript,
              let lines = try batch.runPyTorch(referenceScript, model: modelOptions.model, doing: "PyTorch AdamW backprop steps"),
              let object = lines.first(where: { $0["variant"] as? String == "adam_step" }),
              let theirs = PyTorchBenchmark.number(object, "peak_rss_bytes")
        else { return }
        report.record("pytorch_adam_peak_rss_bytes", theirs)
        print(String(format: "PyTorch AdamW backprop step (fp32, same batch): peak RSS %@ = %.1f× zotune's MeZO peak, %.1f× the weights",
                     Abbreviated.bytes(Int(theirs)), theirs / Double(peak), theirs / Double(weights)))
    }
}
