import ArgumentParser
import ZOCommandLine
import Foundation
import ZOTensor

/// `zotune-bench`: ZOTune's speed and memory beside PyTorch's, kept out of the shipped `zotune` so
/// that the product does not start Python environments.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zotune-bench",
        abstract: "Measure speed and memory side by side with PyTorch: the forward pass (default), training steps, scoring, Gaussians, memory, decoding.",
        discussion: """
            Prints forward tokens/s for a batch of random token sequences, GEMM GFLOP/s at the model's \
            shapes, and, if the reference environment exists ($ZOTUNE_HOME/reference-venv, made by \
            scripts/reference/setup), the same forward in PyTorch on the same weights as a ratio.

            With --gaussian: Gaussian directions per second (fill and the fused θ += ε·z sweep) against \
            torch.randn and w.add_(torch.randn(...)) (scripts/reference/bench_randn.py).

            With --memory: peak RSS of --repeats MeZO steps on the --training-step batch against weights + \
            activations, and of a PyTorch AdamW backprop step (scripts/reference/bench_adam_memory.py).

            With --training-step: times one step of each estimator (mezo, subzero, dizo, pgap; default \
            configurations) on a fixed batch of the first --batch rt-sentiment training examples, with \
            window refreshes and projection phases timed separately and amortised, then the same MeZO step \
            in PyTorch (scripts/reference/bench_mezo_step.py) on the same batch, and prints the ratios.

            With --adapter-step: a MeZO step with LoRA (r 8, α 16 on q and v) against a full MeZO step on the \
            --training-step batch, then both in PyTorch (+ PEFT for LoRA; bench_mezo_step.py [--lora]).

            With --scoring: multiple-choice scoring of --batch copa-like examples (answers of several \
            tokens) with each prompt run once and its answers as continuations, against one sequence per \
            answer, and the same in PyTorch (scripts/reference/bench_scoring.py); all three give the same scores.

            With --decoding: ns per weight of turning each GGUF block type into fp32 on one thread, ZOFormats' \
            reference decoder against the vectorised kernel a stored base's forward uses (no model, no PyTorch).

            For full speed run it as `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE zotune-bench`.
            """)

    /// Measures with the kernels a user's run gets (`OpenBLASCoreChoice`).
    static func main() {
        OpenBLASCoreChoice.reexecuteWithFittingKernels()
        main(nil)
    }

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var resourceOptions: ResourceOptions

    @Flag(name: .long, help: "Time one training step of each estimator (and PyTorch's MeZO step) instead of the forward pass.")
    var trainingStep = false

    @Flag(name: .long, help: "Time Gaussian direction generation (fill and fused sweep) against torch.randn instead of the forward pass.")
    var gaussian = false

    @Flag(name: .long, help: "Measure peak memory of MeZO steps against weights + activations and a PyTorch AdamW backprop step.")
    var memory = false

    @Flag(name: .long, help: "Time MeZO steps on LoRA, prefix and prompt adapters against a full MeZO step, with each one's peak RSS (and all in PyTorch + PEFT).")
    var adapterStep = false

    @Option(name: .long, help: "With --adapter-step: run only this scheme (full, lora, prefix, prompt) and print its peak RSS.")
    var adapterScheme: AdapterStepBenchmark.Scheme?

    @Flag(name: .long, help: "Time multiple-choice scoring with shared prompts against one sequence per answer (and PyTorch).")
    var scoring = false

    @Flag(name: .long, help: "Cosine between each method's step and the true gradient from PyTorch backprop on the same batch (--repeats steps per method).")
    var gradientAlignment = false

    @Flag(name: .long, help: "Greedy decoding speed with and without the key/value cache, against transformers' generate (--new-tokens per prompt).")
    var generate = false

    @Flag(name: .long, help: "Decoding speed of every GGUF block type: the reference decoder against the stored base's kernel.")
    var decoding = false

    @Option(name: .long, help: "New tokens per prompt (with --generate).")
    var newTokens = 32

    @Option(name: .long, help: "Sequences per forward pass (with --training-step or --scoring: examples).")
    var batch = 16

    @Option(name: .long, help: "Tokens per sequence (forward benchmark only).")
    var sequenceLength = 64

    @Option(name: .long, help: "Timed repetitions (after one warm-up).")
    var repeats = 5

    @Option(name: .long, help: ArgumentHelp(
        "PyTorch reference script (skipped if missing; default: the mode's own, e.g. \(ForwardBenchmark.defaultReferenceScript)).",
        valueName: "reference-script"))
    var referenceScript: String?

    @Flag(name: .long, help: "Skip the PyTorch comparison.")
    var noReference = false

    @Option(name: .long, help: ArgumentHelp("Also write the key figures as JSON to this file (used by scripts/bench).", valueName: "file"))
    var report: String?

    func validate() throws {
        guard batch > 0, sequenceLength > 0, repeats > 0, newTokens > 0 else {
            throw ValidationError("--batch, --sequence-length, --new-tokens and --repeats must be positive.")
        }
        if adapterScheme != nil, !adapterStep { throw ValidationError("--adapter-scheme needs --adapter-step.") }
        if modelOptions.precision != .float32, trainingStep || memory || gaussian || scoring || gradientAlignment {
            throw ValidationError("--base-precision \(modelOptions.precision.rawValue) goes with the forward benchmark or --adapter-step (a narrow base is not tuned whole).")
        }
    }

    func run() throws {
        resourceOptions.apply()
        let figures = BenchmarkReport()
        guard [trainingStep, adapterStep, gaussian, memory, scoring, gradientAlignment, generate, decoding].filter({ $0 }).count <= 1 else {
            throw ValidationError("choose one of --training-step, --adapter-step, --gaussian, --memory, --scoring, --gradient-alignment, --generate and --decoding.")
        }
        if decoding {
            try DecodingBenchmark(repeats: repeats, report: figures).run()
        } else if generate {
            try GenerationBenchmark(
                modelOptions: modelOptions, batch: batch, newTokens: newTokens, repeats: repeats,
                referenceScript: reference(GenerationBenchmark.defaultReferenceScript),
                report: figures
            ).run()
        } else if gradientAlignment {
            try GradientAlignmentBenchmark(
                modelOptions: modelOptions, batch: batch, samples: repeats,
                referenceScript: reference(GradientAlignmentBenchmark.defaultReferenceScript),
                report: figures
            ).run()
        } else if scoring {
            try ScoringBenchmark(
                modelOptions: modelOptions, batch: batch, repeats: repeats,
                referenceScript: reference(ScoringBenchmark.defaultReferenceScript),
                report: figures
            ).run()
        } else if memory {
            try MemoryBenchmark(
                modelOptions: modelOptions, batch: batch, steps: repeats,
                referenceScript: reference(MemoryBenchmark.defaultReferenceScript),
                report: figures
            ).run()
        } else if gaussian {
            try GaussianBenchmark(
                repeats: repeats,
                referenceScript: reference(GaussianBenchmark.defaultReferenceScript),
                report: figures
            ).run()
        } else if adapterStep {
            try AdapterStepBenchmark(
                modelOptions: modelOptions, batch: batch, repeats: repeats, only: adapterScheme, threads: resourceOptions.threads,
                referenceScript: adapterScheme == nil ? reference(TrainingStepBenchmark.defaultReferenceScript) : nil,
                report: figures
            ).run()
        } else if trainingStep {
            try TrainingStepBenchmark(
                modelOptions: modelOptions, batch: batch, repeats: repeats,
                referenceScript: reference(TrainingStepBenchmark.defaultReferenceScript),
                report: figures
            ).run()
        } else {
            try ForwardBenchmark(
                modelOptions: modelOptions, batch: batch, sequenceLength: sequenceLength, repeats: repeats,
                referenceScript: reference(ForwardBenchmark.defaultReferenceScript),
                report: figures
            ).run()
        }
        if let report { try figures.write(to: report) }
    }

    /// The PyTorch script a mode compares with: --reference-script, else the mode's own; nil with --no-reference.
    private func reference(_ defaultScript: String) -> String? {
        noReference ? nil : referenceScript ?? defaultScript
    }

    /// Which BLAS kernel, GEMM threading and SIMD variant the figures that follow come from.
    static func describeKernels() {
        print("OpenBLAS kernel: \(BLAS.coreName); GEMM threading: \(BLAS.threading) over \(BLAS.workerCount) threads; SIMD kernels: \(KernelVariant.active.rawValue)")
        warnAboutSlowKernel()
    }

    /// Only when the environment forces the kernel: on a CPU without AVX-512, Zen or Haswell is
    /// OpenBLAS's own (and best) choice.
    static func warnAboutSlowKernel() {
        if ProcessInfo.processInfo.environment["OPENBLAS_CORETYPE"] != nil, ["Haswell", "Zen", "Prescott"].contains(BLAS.coreName) {
            print("warning: OPENBLAS_CORETYPE forces a slow kernel; run with `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`")
        }
    }
}
