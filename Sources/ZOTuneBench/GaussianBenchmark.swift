import Foundation
import ZOEstimators
import ZORandom
import ZOTensor

/// `zotune-bench --gaussian`: how fast ZOTune makes the Gaussian directions every ZO step needs,
/// against `torch.randn` on the same machine and thread count (`bench_randn.py`).
///
/// Two figures over a buffer the size of the default model (134.5 M floats):
/// - fill: z written to a zeroed buffer (x += 1·z), normals per second;
/// - sweep: the fused in-place perturbation θ += ε·z a MeZO step runs three times, parameters per second.
/// The first is the apples-to-apples comparison with `torch.randn`; the second with PyTorch's
/// `w.add_(torch.randn(...), alpha=ε)`, which MeZO's official code does four times per step.
struct GaussianBenchmark {
    static let defaultReferenceScript = "scripts/reference/bench_randn.py"
    /// SmolLM2-135M's parameter count.
    static let count = 134_515_008

    let repeats: Int
    let referenceScript: String?
    let report: BenchmarkReport

    func run() throws {
        let engine = PerturbationEngine()
        print("Gaussian directions over \(Self.count) floats on \(engine.workerCount) threads (Philox4x32-10 + Box–Muller, fused; SIMD kernels: \(KernelVariant.active.rawValue))")
        let buffer = FloatBuffer(count: Self.count)
        var round = 0
        func sweep(_ coefficient: Float) -> Double {
            round += 1
            return secondsTaken {
                engine.apply(DenseSweep(seed: UInt64(round), coefficient: coefficient), to: buffer.pointer, count: Self.count, tensorIndex: 0)
            }
        }
        let fill = Summary((0...repeats).map { _ -> Double in
            buffer.pointer.update(repeating: 0, count: Self.count)
            return sweep(1)
        }.dropFirst().map { $0 })
        let perturb = Summary((0...repeats).map { _ in sweep(1e-3) }.dropFirst().map { $0 })
        let n = Double(Self.count)
        report.record("fill_normals_per_s", n / fill.median)
        report.record("sweep_params_per_s", n / perturb.median)
        print(String(format: "zotune fill:  %.3f s median (min %.3f, max %.3f) = %.2f G normals/s", fill.median, fill.min, fill.max, n / fill.median / 1e9))
        print(String(format: "zotune sweep: %.3f s median (min %.3f, max %.3f) = %.2f G params/s", perturb.median, perturb.min, perturb.max, n / perturb.median / 1e9))
        guard let referenceScript,
              let lines = try PyTorchBenchmark.run(script: referenceScript, arguments: [
                  "--count", String(Self.count), "--threads", String(engine.workerCount), "--repeats", String(repeats)]),
              let object = lines.first(where: { $0["variant"] as? String == "gaussian" }),
              let randn = object["randn"] as? [String: Any], let add = object["perturb"] as? [String: Any],
              let randnMedian = PyTorchBenchmark.number(randn, "median_s"), let addMedian = PyTorchBenchmark.number(add, "median_s")
        else { return }
        report.record("torch_randn_normals_per_s", n / randnMedian)
        report.record("torch_add_randn_params_per_s", n / addMedian)
        print(String(format: "torch.randn:  %.3f s median = %.2f G normals/s  → zotune fill %.1f× faster", randnMedian, n / randnMedian / 1e9, randnMedian / fill.median))
        print(String(format: "torch add_(randn): %.3f s median = %.2f G params/s → zotune sweep %.1f× faster", addMedian, n / addMedian / 1e9, addMedian / perturb.median))
    }
}
