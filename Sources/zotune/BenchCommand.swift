import ArgumentParser
import Foundation
import ZOAssets
import ZOModels
import ZOTensor

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure forward throughput and GEMM speed, side by side with PyTorch when available.",
        discussion: """
            Prints forward tokens/s for a batch of random token sequences, GEMM GFLOP/s at the model's \
            shapes, and, if the reference environment exists ($ZOTUNE_HOME/reference-venv, made by \
            scripts/reference/setup), the same forward in PyTorch on the same weights as a ratio. \
            For full speed run it as `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE zotune bench`.
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "Sequences per forward pass.")
    var batch = 16

    @Option(name: .long, help: "Tokens per sequence.")
    var sequenceLength = 64

    @Option(name: .long, help: "Timed repetitions (after one warm-up).")
    var repeats = 5

    @Option(name: .long, help: "PyTorch reference script (skipped if missing).")
    var referenceScript = "scripts/reference/bench_forward.py"

    @Flag(name: .long, help: "Skip the PyTorch comparison.")
    var noReference = false

    func validate() throws {
        guard batch > 0, sequenceLength > 0, repeats > 0 else {
            throw ValidationError("--batch, --sequence-length and --repeats must be positive.")
        }
    }

    func run() throws {
        print("OpenBLAS kernel: \(BLAS.coreName); GEMM threading: \(BLAS.threading) over \(BLAS.workerCount) threads")
        if ["Haswell", "Zen", "Prescott"].contains(BLAS.coreName) {
            print("warning: OPENBLAS_CORETYPE forces a slow kernel; run with `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`")
        }
        let peak = PeakThroughput.measureFP32()
        print(String(format: "FP32 peak (FMA microbenchmark, %d cores): %.0f GFLOP/s", BLAS.workerCount, peak))
        let loaded = try modelOptions.load()
        let model = loaded.model
        let c = model.configuration
        var random = SplitMix64(seed: 0)
        let sequences = (0..<batch).map { _ in
            (0..<sequenceLength).map { _ in Int(random.next() % UInt64(c.vocabularySize)) }
        }
        _ = try model.lastPositionLogits(sequences)
        var seconds: [Double] = []
        for _ in 0..<repeats {
            let start = DispatchTime.now().uptimeNanoseconds
            _ = try model.lastPositionLogits(sequences)
            seconds.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
        }
        let tokens = Double(batch * sequenceLength)
        let ours = Summary(seconds)
        print(String(format: "zotune forward %d×%d: %.3f s median (min %.3f, max %.3f) = %.0f tokens/s",
                     batch, sequenceLength, ours.median, ours.min, ours.max, tokens / ours.median))
        let flops = forwardFLOPs(c, tokens: batch * sequenceLength, sequenceLength: sequenceLength, outputs: batch)
        print(String(format: "  ≈ %.1f GFLOP per forward, %.0f GFLOP/s = %.0f%% of peak", flops / 1e9,
                     flops / 1e9 / ours.median, 100 * flops / 1e9 / ours.median / peak))
        benchmarkGEMMs(c, tokens: batch * sequenceLength, peak: peak)
        if !noReference { try compareWithPyTorch(ours: ours) }
    }

    /// Multiply-adds of one forward: projections, attention and the LM head at the requested rows.
    private func forwardFLOPs(_ c: LlamaConfiguration, tokens: Int, sequenceLength: Int, outputs: Int) -> Double {
        let projections = c.hiddenSize * (2 * c.queryWidth + 2 * c.keyValueWidth) + 3 * c.hiddenSize * c.intermediateSize
        let attention = 2 * sequenceLength * c.queryWidth
        return 2 * Double(c.layerCount) * Double(tokens) * Double(projections + attention)
            + 2 * Double(outputs * c.hiddenSize * c.vocabularySize)
    }

    /// GEMM speed at the model's projection shapes under both threading policies; the faster one
    /// is the default (`BLAS.Threading.splitColumns`), and this is the measurement that keeps it honest.
    private func benchmarkGEMMs(_ c: LlamaConfiguration, tokens m: Int, peak: Double) {
        let shapes = [
            ("q|k|v", c.hiddenSize, c.queryWidth + 2 * c.keyValueWidth),
            ("o_proj", c.queryWidth, c.hiddenSize),
            ("gate|up", c.hiddenSize, 2 * c.intermediateSize),
            ("down_proj", c.intermediateSize, c.hiddenSize),
        ]
        let policy = BLAS.threading
        defer { BLAS.setThreading(policy) }
        print(String(format: "GEMM GFLOP/s at the model's shapes (M = %d tokens; median, best; peak %.0f):", m, peak))
        print("  shape                          split columns    OpenBLAS threads")
        for (name, k, n) in shapes {
            let a = FloatBuffer(count: m * k), b = FloatBuffer(count: n * k), out = FloatBuffer(count: m * n)
            for i in 0..<a.count { a[i] = Float(i % 7) * 0.1 }
            for i in 0..<b.count { b[i] = Float(i % 5) * 0.1 }
            var cells: [String] = []
            for threading in [BLAS.Threading.splitColumns, .openBLAS] {
                BLAS.setThreading(threading)
                BLAS.linear(a.pointer, rows: m, inner: k, weight: b.pointer, columns: n, into: out.pointer)
                var times: [Double] = []
                for _ in 0..<max(repeats, 5) {
                    let start = DispatchTime.now().uptimeNanoseconds
                    BLAS.linear(a.pointer, rows: m, inner: k, weight: b.pointer, columns: n, into: out.pointer)
                    times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                }
                let t = Summary(times), flop = 2 * Double(m * k * n)
                cells.append(String(format: "%6.0f, %6.0f", flop / t.median / 1e9, flop / t.min / 1e9))
            }
            print("  " + InspectCommand.padded("\(name) \(m)×\(k)×\(n)", 30) + cells[0] + "     " + cells[1])
        }
    }

    private func compareWithPyTorch(ours: Summary) throws {
        let python = AssetStore().root.appendingPathComponent("reference-venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            print("PyTorch reference: skipped (no reference environment; run scripts/reference/setup)")
            return
        }
        guard FileManager.default.fileExists(atPath: referenceScript) else {
            print("PyTorch reference: skipped (\(referenceScript) not found; run from the repository root)")
            return
        }
        let modelPath = try ModelReference.resolve(modelOptions.model)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [
            referenceScript, "--gguf", modelPath, "--batch", String(batch), "--seq", String(sequenceLength),
            "--repeats", String(repeats), "--threads", "2",
        ]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            print("PyTorch reference: failed (exit \(process.terminationStatus))")
            return
        }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let variant = object["variant"] as? String,
                  let median = (object["median_s"] as? NSNumber)?.doubleValue,
                  let best = (object["min_s"] as? NSNumber)?.doubleValue,
                  let worst = (object["max_s"] as? NSNumber)?.doubleValue
            else { continue }
            let tokens = Double(batch * sequenceLength)
            print(String(
                format: "PyTorch %@: %.3f s median (min %.3f, max %.3f) = %.0f tokens/s → zotune %.2f× (median), %.2f× (best)",
                variant, median, best, worst, tokens / median, median / ours.median, best / ours.min))
        }
    }
}

/// min / median / max of repeated timings.
struct Summary {
    let min: Double, median: Double, max: Double
    init(_ values: [Double]) {
        let sorted = values.sorted()
        min = sorted.first ?? 0
        max = sorted.last ?? 0
        median = sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }
}
