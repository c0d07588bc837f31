import ArgumentParser
import ZOCommandLine
import Foundation
import ZOModels
import ZORandom
import ZOTensor
import ZOTraining

/// `zotune-bench` (default): forward tokens/s on random sequences, GEMM GFLOP/s at the model's
/// shapes, the machine's fp32 peak, and the same forward in PyTorch (`bench_forward.py`) as a ratio.
/// With `--base-precision bf16|stored` the same model's fp32 forward is timed beside it, turn about.
struct ForwardBenchmark {
    static let defaultReferenceScript = "scripts/reference/bench_forward.py"

    let modelOptions: ModelOptions
    let batch: Int
    let sequenceLength: Int
    let repeats: Int
    /// PyTorch script; nil skips the comparison.
    let referenceScript: String?
    let report: BenchmarkReport

    func run() throws {
        BenchCommand.describeKernels()
        let peak = PeakThroughput.measureFP32()
        print(String(format: "FP32 peak (FMA microbenchmark, %d cores): %.0f GFLOP/s", BLAS.workerCount, peak))
        let bfloat16Peak = PeakThroughput.measureBF16()
        if let bfloat16Peak {
            report.record("peak_bf16_gflops", bfloat16Peak)
            print(String(format: "BF16 peak (vdpbf16ps microbenchmark, %d cores): %.0f GFLOP/s", BLAS.workerCount, bfloat16Peak))
        }
        let loaded = try modelOptions.load()
        guard let model = loaded.model as? LlamaModel else {
            throw ValidationError("the forward benchmark measures LLaMA-family models; \(loaded.reference) is \(loaded.model.family).")
        }
        let c = model.configuration
        var random = SplitMix64(seed: 0)
        let sequences = (0..<batch).map { _ in
            (0..<sequenceLength).map { _ in Int(random.next() % UInt64(c.vocabularySize)) }
        }
        // A narrow base is timed turn about with the same model held in fp32 (loaded second, so the
        // narrow one's load peak is not hidden under it).
        let float32Bytes = model.weights.entries.reduce(0) { $0 + $1.shape.reduce(1, *) } * 4
        let float32Fits = float32Bytes < System.physicalMemoryBytes / 2
        if modelOptions.precision != .float32, !float32Fits {
            print("(the f32 forward is left out: the model in fp32 needs \(Abbreviated.bytes(float32Bytes)), more than half this machine's memory)")
        }
        let float32Model: LlamaModel? = modelOptions.precision == .float32 || !float32Fits ? nil : try {
            var options = modelOptions
            options.basePrecision = .float32
            options.baseProducts = nil
            return try options.load().model as? LlamaModel
        }()
        _ = try model.lastPositionLogits(sequences)
        _ = try float32Model?.lastPositionLogits(sequences)
        var seconds: [Double] = [], float32Seconds: [Double] = []
        for _ in 0..<repeats {
            seconds.append(try secondsTaken { _ = try model.lastPositionLogits(sequences) })
            if let float32Model { float32Seconds.append(try secondsTaken { _ = try float32Model.lastPositionLogits(sequences) }) }
        }
        let tokens = Double(batch * sequenceLength)
        let ours = Summary(seconds)
        print(String(format: "zotune forward %d×%d (%@ base%@): %.3f s median (min %.3f, max %.3f) = %.0f tokens/s",
                     batch, sequenceLength, modelOptions.precision.rawValue,
                     float32Model == nil ? "" : model.weights.productScratch.products == .int8 ? ", int8 VNNI products"
                         : PackedBFloat16.isActive ? ", AVX512-BF16 products" : "",
                     ours.median, ours.min, ours.max, tokens / ours.median))
        if !float32Seconds.isEmpty {
            let float32 = Summary(float32Seconds)
            report.record("forward_f32_median_s", float32.median)
            report.record("speedup_vs_f32_base", float32.median / ours.median)
            print(String(format: "zotune forward, f32 base:  %.3f s median (min %.3f, max %.3f) → %@ base %.2f× (median), %.2f× (best)",
                         float32.median, float32.min, float32.max, modelOptions.precision.rawValue,
                         float32.median / ours.median, float32.min / ours.min))
        }
        let flops = forwardFLOPs(c, tokens: batch * sequenceLength, sequenceLength: sequenceLength, outputs: batch)
        report.record("peak_gflops", peak)
        report.record("forward_median_s", ours.median)
        report.record("forward_tokens_per_s", tokens / ours.median)
        report.record("forward_gflops", flops / 1e9 / ours.median)
        report.record("forward_fraction_of_peak", flops / 1e9 / ours.median / peak)
        print(String(format: "  ≈ %.1f GFLOP per forward, %.0f GFLOP/s = %.0f%% of peak", flops / 1e9,
                     flops / 1e9 / ours.median, 100 * flops / 1e9 / ours.median / peak))
        benchmarkGEMMs(c, tokens: batch * sequenceLength, peak: peak, bfloat16Peak: bfloat16Peak)
        if let referenceScript { try compareWithPyTorch(ours: ours, script: referenceScript) }
    }

    /// Multiply-adds of one forward: projections, attention and the LM head at the requested rows.
    private func forwardFLOPs(_ c: LlamaConfiguration, tokens: Int, sequenceLength: Int, outputs: Int) -> Double {
        let projections = c.hiddenSize * (2 * c.queryWidth + 2 * c.keyValueWidth) + 3 * c.hiddenSize * c.intermediateSize
        let attention = 2 * sequenceLength * c.queryWidth
        return 2 * Double(c.layerCount) * Double(tokens) * Double(projections + attention)
            + 2 * Double(outputs * c.hiddenSize * c.vocabularySize)
    }

    /// GEMM speed at the model's projection shapes under each threading policy; the default
    /// (`BLAS.Threading.splitColumns`, blocks fixed by the shape so that results do not depend on the
    /// thread count) must be no slower than one block per thread, and this is the measurement that
    /// keeps it honest.
    private func benchmarkGEMMs(_ c: LlamaConfiguration, tokens m: Int, peak: Double, bfloat16Peak: Double?) {
        let shapes = [
            ("q|k|v", c.hiddenSize, c.queryWidth + 2 * c.keyValueWidth),
            ("o_proj", c.queryWidth, c.hiddenSize),
            ("gate|up", c.hiddenSize, 2 * c.intermediateSize),
            ("down_proj", c.intermediateSize, c.hiddenSize),
        ]
        let policy = BLAS.threading
        defer { BLAS.setThreading(policy) }
        print(String(format: "GEMM GFLOP/s at the model's shapes (M = %d tokens; median, best; fp32 peak %.0f%@):", m, peak,
                     bfloat16Peak.map { String(format: ", bf16 peak %.0f", $0) } ?? ""))
        print("  shape                          fixed blocks     block per thread OpenBLAS threads  bf16 packed")
        for (name, k, n) in shapes {
            let a = FloatBuffer(count: m * k), b = FloatBuffer(count: n * k), out = FloatBuffer(count: m * n)
            for i in 0..<a.count { a[i] = Float(i % 7) * 0.1 }
            for i in 0..<b.count { b[i] = Float(i % 5) * 0.1 }
            var cells: [String] = []
            for threading in [BLAS.Threading.splitColumns, .blockPerThread, .openBLAS] {
                BLAS.setThreading(threading)
                BLAS.linear(a.pointer, rows: m, inner: k, weight: b.pointer, columns: n, into: out.pointer)
                var times: [Double] = []
                for _ in 0..<max(repeats, 5) {
                    times.append(secondsTaken {
                        BLAS.linear(a.pointer, rows: m, inner: k, weight: b.pointer, columns: n, into: out.pointer)
                    })
                }
                let t = Summary(times), flop = 2 * Double(m * k * n)
                cells.append(String(format: "%6.0f, %6.0f", flop / t.median / 1e9, flop / t.min / 1e9))
            }
            // Back to the default policy first: OpenBLAS's own threads keep spinning after its calls.
            BLAS.setThreading(policy)
            cells.append(packedBFloat16(a, rows: m, inner: k, weight: b, columns: n, into: out))
            print("  " + TextColumns.padded("\(name) \(m)×\(k)×\(n)", 30) + cells.joined(separator: "     "))
        }
    }

    /// The same product with the weight in bf16 on the AVX512-BF16 path (`PackedBFloat16`: packing,
    /// activation rounding and the kernel, as a frozen bf16 base runs it).
    private func packedBFloat16(_ a: FloatBuffer, rows m: Int, inner k: Int, weight b: FloatBuffer, columns n: Int,
                                into out: FloatBuffer) -> String {
        guard PackedBFloat16.isRunnable else { return "    (no AVX512-BF16)" }
        // Measured even where the forward does not use it (slower than fp32 there): the column is why.
        let usedByTheForward = PackedBFloat16.isActive
        PackedBFloat16.choice = .always
        defer { PackedBFloat16.choice = .whenFaster }
        let narrow = BFloat16Buffer(count: b.count)
        BFloat16.round(b.pointer, into: narrow.pointer, count: b.count)
        let scratch = ProductScratch()
        func product() {
            BFloat16Linear.linear(a.pointer, rows: m, inner: k, weight: narrow.pointer, columns: n, into: out.pointer, scratch: scratch)
        }
        product()
        let t = Summary((0..<max(repeats, 5)).map { _ in secondsTaken(product) }), flop = 2 * Double(m * k * n)
        return String(format: "%6.0f, %6.0f", flop / t.median / 1e9, flop / t.min / 1e9) + (usedByTheForward ? "" : " (unused: slower than fp32 here)")
    }

    private func compareWithPyTorch(ours: Summary, script: String) throws {
        let modelPath = try ModelReference.resolve(modelOptions.model)
        guard let lines = try PyTorchBenchmark.run(script: script, arguments: [
            "--gguf", modelPath, "--batch", String(batch), "--seq", String(sequenceLength),
            "--repeats", String(repeats), "--threads", "2",
        ]) else { return }
        for object in lines {
            guard let variant = object["variant"] as? String,
                  let median = PyTorchBenchmark.number(object, "median_s"),
                  let best = PyTorchBenchmark.number(object, "min_s"),
                  let worst = PyTorchBenchmark.number(object, "max_s")
            else { continue }
            let tokens = Double(batch * sequenceLength)
            report.record("pytorch_\(variant)_median_s", median)
            report.record("speedup_vs_pytorch_\(variant)", median / ours.median)
            print(String(
                format: "PyTorch %@: %.3f s median (min %.3f, max %.3f) = %.0f tokens/s → zotune %.2f× (median), %.2f× (best)",
                variant, median, best, worst, tokens / median, median / ours.median, best / ours.min))
        }
    }
}
