import Foundation
import ZOCommandLine
import ZOEstimators
import ZOModels
import ZOTensor
import ZOTraining

/// `zotune-bench --adapter-step`: seconds per MeZO step with LoRA (MeZO's setting: r 8, α 16 on q
/// and v; only A and B perturbed) and with prompt tuning (10 virtual tokens) against a full-parameter
/// MeZO step, on the `--training-step` batch, interleaved round by round; then the same steps in
/// PyTorch + PEFT on the same weights and batch (`bench_mezo_step.py` with `--lora`, `--prompt` or
/// neither).
struct AdapterStepBenchmark {
    let modelOptions: ModelOptions
    let batch: Int
    let repeats: Int
    /// PyTorch script; nil skips the comparison.
    let referenceScript: String?
    let report: BenchmarkReport

    func run() throws {
        BenchCommand.describeKernels()
        let settings = TrainingSettings()
        let batch = try BenchmarkBatch(modelOptions: modelOptions, size: self.batch, maxTokens: settings.maxTokens)
        batch.describe()
        let model = batch.model
        let oracle = BenchmarkLossOracle(scorer: CandidateScorer(model: model), objective: settings.objective, examples: batch.examples)
        let full = TrainableSet(arena: model.weights)
        let adapter = try LoRAAdapter(for: model.weights, settings: LoRASettings())
        adapter.initialise(seed: settings.seed)
        let lora = TrainableSet(arena: adapter.weights)
        let prompt = try PromptAdapter(for: model, tokens: PromptSettings().tokens)
        prompt.initialise(from: model.weights, seed: settings.seed)
        // The prompted batch: the same examples with the virtual tokens first (as the encoder puts them).
        let virtualIDs = Array(prompt.embedding.shape[0]..<(prompt.embedding.shape[0] + prompt.tokenCount))
        let promptOracle = BenchmarkLossOracle(
            scorer: CandidateScorer(model: model), objective: settings.objective,
            examples: batch.examples.map { EncodedExample(prompt: virtualIDs + $0.prompt, candidates: $0.candidates, label: $0.label) })
        print(String(format: "full: %.1fM parameters; LoRA r %d α %g on %d weights: %.3fM parameters",
                     Double(full.parameterCount) / 1e6, adapter.settings.rank, adapter.settings.alpha, adapter.targets.count,
                     Double(lora.parameterCount) / 1e6))

        typealias Stepper = TrainingStepBenchmark.Stepper<MeZO>
        let fullStepper = try Stepper(MeZO(), parameters: full, oracle: oracle, learningRate: settings.learningRate, runSeed: settings.seed)
        let loraStepper = try Stepper(MeZO(), parameters: lora, oracle: oracle, learningRate: settings.learningRate, runSeed: settings.seed)
        let promptStepper = try Stepper(
            MeZO(), parameters: TrainableSet(arena: prompt.weights), oracle: promptOracle, learningRate: settings.learningRate,
            runSeed: settings.seed)
        var fullTimes: [Double] = [], loraTimes: [Double] = [], promptTimes: [Double] = []
        for round in 0...repeats {
            Console.status(round == 0 ? "warm-up round" : "round \(round)/\(repeats)")
            let fullSeconds = try fullStepper.step(round).seconds
            adapter.attach(to: model.weights)
            let loraSeconds = try loraStepper.step(round).seconds
            adapter.detach(from: model.weights)
            prompt.attach(to: model.weights)
            let promptSeconds = try promptStepper.step(round).seconds
            prompt.detach(from: model.weights)
            if round > 0 { fullTimes.append(fullSeconds); loraTimes.append(loraSeconds); promptTimes.append(promptSeconds) }
        }
        let fullSummary = Summary(fullTimes), loraSummary = Summary(loraTimes), promptSummary = Summary(promptTimes)
        report.record("mezo_prompt_step_median_s", promptSummary.median)
        report.record("mezo_full_step_median_s", fullSummary.median)
        report.record("mezo_lora_step_median_s", loraSummary.median)
        print("")
        print("seconds per step, \(repeats) rounds after a warm-up round (interleaved):")
        print(String(format: "MeZO, all parameters   %.3f median (min %.3f, max %.3f)", fullSummary.median, fullSummary.min, fullSummary.max))
        print(String(format: "MeZO-LoRA              %.3f median (min %.3f, max %.3f)  → %.2f× the full step (target ≤ 0.6×: %@)",
                     loraSummary.median, loraSummary.min, loraSummary.max, loraSummary.median / fullSummary.median,
                     loraSummary.median / fullSummary.median <= 0.6 ? "met" : "not met"))
        print(String(format: "MeZO-prompt (%d tokens)  %.3f median (min %.3f, max %.3f)  → %.2f× the full step",
                     prompt.tokenCount, promptSummary.median, promptSummary.min, promptSummary.max,
                     promptSummary.median / fullSummary.median))
        if let referenceScript {
            try compareWithPyTorch(script: referenceScript, batch: batch, full: fullSummary, lora: loraSummary, prompt: promptSummary)
        }
        print("peak RSS (zotune process, both steppers): \(Abbreviated.bytes(System.peakResidentBytes))")
    }

    private func compareWithPyTorch(script: String, batch: BenchmarkBatch, full: Summary, lora: Summary, prompt: Summary) throws {
        for (label, extra, ours) in [("PyTorch + PEFT MeZO-LoRA step", ["--lora"], lora),
                                     ("PyTorch + PEFT MeZO-prompt step", ["--prompt"], prompt), ("PyTorch MeZO step", [], full)] {
            guard let lines = try batch.runPyTorch(
                script, model: modelOptions.model, doing: "\(label), \(repeats) repeats after a warm-up step",
                arguments: ["--repeats", String(repeats), "--eps", "\(MeZO.Configuration().epsilon)",
                            "--lr", "\(TrainingSettings().learningRate)"] + extra),
                  let object = lines.first(where: { $0["variant"] as? String == "mezo_step" }),
                  let median = PyTorchBenchmark.number(object, "median_s")
            else { continue }
            let key = "pytorch_mezo\(extra.first.map { "_" + $0.dropFirst(2) } ?? "")_step_median_s"
            report.record(key, median)
            let rss = PyTorchBenchmark.number(object, "peak_rss_bytes").map { Abbreviated.bytes(Int($0)) } ?? "?"
            print(String(format: "%@: %.3f s median → zotune %.2f× faster%@ (PyTorch peak RSS %@)", label, median, median / ours.median,
                         extra == ["--lora"] ? (median / ours.median >= 5 ? " (target ≥ 5×: met)" : " (target ≥ 5×: not met)") : "", rss))
        }
    }
}
