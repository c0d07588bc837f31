import ArgumentParser
import Foundation
import ZOCommandLine
import ZOEstimators
import ZOModels
import ZOTensor
import ZOTraining

/// `zotune-bench --adapter-step`: seconds per MeZO step on each tuning scheme — all parameters, LoRA
/// (MeZO's setting: r 8, α 16 on q and v), prefix tuning (5 rows per layer) and prompt tuning (10
/// virtual tokens); only the scheme's tensors are perturbed — on the `--training-step` batch,
/// interleaved round by round; then each scheme's peak RSS in a process of its own (this executable
/// again with `--adapter-scheme`), and the same steps in PyTorch + PEFT on the same weights and batch
/// (`bench_mezo_step.py` with `--lora`, `--prefix`, `--prompt` or none, one process each).
/// With `--base-precision bf16|stored` the adapters run on that base and the full step on the same
/// model loaded in fp32 (where it fits in memory), the comparison a user of a narrow base faces.
struct AdapterStepBenchmark {
    enum Scheme: String, CaseIterable, ExpressibleByArgument {
        case full, lora, prefix, prompt
    }

    let modelOptions: ModelOptions
    let batch: Int
    let repeats: Int
    /// Only this scheme, for its peak RSS (the child processes); nil times them all.
    let only: Scheme?
    let threads: Int?
    /// PyTorch script; nil skips the comparison.
    let referenceScript: String?
    let report: BenchmarkReport

    /// One scheme's trainable tensors, how to put them on the model, and the loss it sees.
    private struct Subject {
        let scheme: Scheme
        let label: String
        let stepper: TrainingStepBenchmark.Stepper<MeZO>
        let adapter: (any Adapter)?
    }

    func run() throws {
        if only == nil { BenchCommand.describeKernels() }
        let settings = TrainingSettings()
        let batch = try BenchmarkBatch(modelOptions: modelOptions, size: self.batch, maxTokens: settings.maxTokens)
        if only == nil { batch.describe() }
        let model = batch.model
        var subjects: [Subject] = []
        // A narrow base cannot be tuned whole: the full step runs on the model loaded again in fp32.
        let float32Batch = try float32BatchForTheFullStep(narrow: batch)
        let schemes = Scheme.allCases.filter { $0 != .full || model.weights.isAllFloat32 || float32Batch != nil }
        for scheme in schemes where only == nil || only == scheme {
            let adapter: (any Adapter)?
            let label: String
            var examples = batch.examples
            var subjectModel = model
            switch scheme {
            case .full:
                adapter = nil
                label = "MeZO, all parameters" + (float32Batch == nil ? "" : " (f32)")
                if let float32Batch { (subjectModel, examples) = (float32Batch.model, float32Batch.examples) }
            case .lora:
                adapter = try AdapterSettings.lora(LoRASettings()).makeAdapter(for: model, seed: settings.seed)
                label = "MeZO-LoRA"
            case .prefix:
                adapter = try AdapterSettings.prefix(PrefixSettings()).makeAdapter(for: model, seed: settings.seed)
                label = "MeZO-prefix (\(PrefixSettings().tokens) rows)"
            case .prompt:
                let prompt = try PromptAdapter(for: model, tokens: PromptSettings().tokens)
                prompt.initialise(from: model.weights, seed: settings.seed)
                // The examples with the virtual tokens first, as the encoder puts them.
                let virtualIDs = Array(prompt.embedding.shape[0]..<(prompt.embedding.shape[0] + prompt.tokenCount))
                examples = examples.map { EncodedExample(prompt: virtualIDs + $0.prompt, candidates: $0.candidates, label: $0.label) }
                adapter = prompt
                label = "MeZO-prompt (\(prompt.tokenCount) tokens)"
            }
            let parameters = TrainableSet(arena: adapter?.weights ?? subjectModel.weights)
            let oracle = BenchmarkLossOracle(scorer: CandidateScorer(model: subjectModel), objective: settings.objective, examples: examples)
            let stepper = try TrainingStepBenchmark.Stepper(
                MeZO(), parameters: parameters, oracle: oracle, learningRate: settings.learningRate, runSeed: settings.seed)
            subjects.append(Subject(scheme: scheme, label: label, stepper: stepper, adapter: adapter))
            if only == nil {
                print(String(format: "%@: %@ parameters", label, Abbreviated.count(parameters.parameterCount)))
            }
        }

        var times = Array(repeating: [Double](), count: subjects.count)
        for round in 0...repeats {
            if only == nil { Console.status(round == 0 ? "warm-up round" : "round \(round)/\(repeats)") }
            for (index, subject) in subjects.enumerated() {
                subject.adapter?.attach(to: model.weights)
                let seconds = try subject.stepper.step(round).seconds
                subject.adapter?.detach(from: model.weights)
                if round > 0 { times[index].append(seconds) }
            }
        }
        if only != nil {
            // Read by the parent process.
            print("peak_rss_bytes \(System.peakResidentBytes)")
            return
        }
        let summaries = times.map(Summary.init)
        let full = subjects[0].scheme == .full ? summaries[0] : nil
        print("")
        print("seconds per step, \(repeats) rounds after a warm-up round (interleaved):")
        for (subject, summary) in zip(subjects, summaries) {
            report.record("mezo_\(subject.scheme.rawValue)_step_median_s", summary.median)
            var comparison = ""
            if let full, subject.scheme != .full {
                let ratio = summary.median / full.median
                // The adapter issue's target on an fp32 base; the frozen-base issue's on a narrow one.
                let bound = model.weights.isAllFloat32 ? 0.6 : 0.5
                let target = subject.scheme == .lora ? String(format: " (target ≤ %.1f×: %@)", bound, ratio <= bound ? "met" : "not met") : ""
                comparison = String(format: "  → %.2f× the full step%@", ratio, target)
            }
            print(TextColumns.padded(subject.label, 28) + String(format: "%.3f median (min %.3f, max %.3f)", summary.median, summary.min, summary.max)
                  + comparison)
        }
        let peaks = try measurePeakMemory(subjects.map(\.scheme))
        print("")
        print("peak RSS, each scheme in a process of its own (model, batch, one step):")
        for subject in subjects {
            guard let peak = peaks[subject.scheme] else { continue }
            report.record("mezo_\(subject.scheme.rawValue)_peak_rss_bytes", Double(peak))
            print(TextColumns.padded(subject.label, 28) + Abbreviated.bytes(peak))
        }
        if let referenceScript {
            try compareWithPyTorch(script: referenceScript, batch: batch, subjects: subjects, summaries: summaries, peaks: peaks)
        }
    }

    /// The batch on the model loaded in fp32, when `narrow` holds a narrow base, the full step is
    /// wanted, and fp32 weights fit in half the machine's memory (else the full step is left out).
    private func float32BatchForTheFullStep(narrow: BenchmarkBatch) throws -> BenchmarkBatch? {
        guard !narrow.model.weights.isAllFloat32, only == nil || only == .full else { return nil }
        let float32Bytes = narrow.model.weights.entries.reduce(0) { $0 + $1.shape.reduce(1, *) } * 4
        guard float32Bytes < System.physicalMemoryBytes / 2 else {
            print("(the full step is left out: the model in fp32 needs \(Abbreviated.bytes(float32Bytes)), more than half this machine's memory)")
            return nil
        }
        var options = modelOptions
        options.basePrecision = .float32
        options.baseProducts = nil
        return try BenchmarkBatch(modelOptions: options, size: batch, maxTokens: TrainingSettings().maxTokens)
    }

    /// Runs this executable once per scheme with `--adapter-scheme` and reads each one's peak RSS.
    private func measurePeakMemory(_ schemes: [Scheme]) throws -> [Scheme: Int] {
        var peaks: [Scheme: Int] = [:]
        for scheme in schemes {
            Console.status("peak RSS of \(scheme.rawValue) in its own process")
            let process = Process()
            process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
            process.arguments = ["--adapter-step", "--adapter-scheme", scheme.rawValue, "--repeats", "1", "--no-reference",
                                 "--batch", String(batch), "--model", modelOptions.model,
                                 "--base-precision", scheme == .full ? "f32" : modelOptions.precision.rawValue]
                + (scheme == .full ? [] : modelOptions.baseProducts.map { ["--base-products", $0.rawValue] } ?? [])
                + (threads.map { ["--threads", String($0)] } ?? [])
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first { $0.hasPrefix("peak_rss_bytes ") }
            guard process.terminationStatus == 0, let bytes = line.flatMap({ Int($0.split(separator: " ")[1]) }) else {
                Console.status("warning: the \(scheme.rawValue) memory run failed; its peak RSS is left out")
                continue
            }
            peaks[scheme] = bytes
        }
        return peaks
    }

    private func compareWithPyTorch(
        script: String, batch: BenchmarkBatch, subjects: [Subject], summaries: [Summary], peaks: [Scheme: Int]
    ) throws {
        print("")
        for (subject, ours) in zip(subjects, summaries) {
            let extra = subject.scheme == .full ? [] : ["--\(subject.scheme.rawValue)"]
            let label = "PyTorch\(subject.scheme == .full ? "" : " + PEFT") \(subject.label)"
            guard let lines = try batch.runPyTorch(
                script, model: modelOptions.model, doing: "\(label), \(repeats) repeats after a warm-up step",
                arguments: ["--repeats", String(repeats), "--eps", "\(MeZO.Configuration().epsilon)",
                            "--lr", "\(TrainingSettings().learningRate)"] + extra),
                  let object = lines.first(where: { $0["variant"] as? String == "mezo_step" }),
                  let median = PyTorchBenchmark.number(object, "median_s")
            else { continue }
            report.record("pytorch_mezo_\(subject.scheme.rawValue)_step_median_s", median)
            let theirs = PyTorchBenchmark.number(object, "peak_rss_bytes").map { Int($0) }
            if let theirs { report.record("pytorch_mezo_\(subject.scheme.rawValue)_peak_rss_bytes", Double(theirs)) }
            let target = subject.scheme == .lora ? (median / ours.median >= 5 ? " (target ≥ 5×: met)" : " (target ≥ 5×: not met)") : ""
            let memory = theirs.map { theirs in
                "; peak RSS \(Abbreviated.bytes(theirs))" + (peaks[subject.scheme].map { String(format: " → zotune %.2f× less", Double(theirs) / Double($0)) } ?? "")
            } ?? ""
            print(String(format: "%@: %.3f s median → zotune %.2f× faster%@%@", label, median, median / ours.median, target, memory))
        }
    }
}
