import CZOKernels
import Dispatch

/// Measures this machine's fp32 FMA peak: 12 independent 16-lane fused multiply-add chains per core,
/// enough to keep both FMA pipes busy, on every core at once. Used to state GEMM and forward speed
/// as a fraction of what the hardware can do (virtual machines vary a lot: see BENCHMARKS.md).
public enum PeakThroughput {
    /// GFLOP/s over all `workers` cores (2 FLOP per lane per FMA): the best of `trials` runs, so that
    /// a scheduler hiccup or a late-starting worker thread does not understate the peak.
    public static func measureFP32(workers: Int = BLAS.workerCount, iterations: Int = 5_000_000, trials: Int = 4) -> Double {
        (0..<trials).map { _ in measureOnce(workers: workers, iterations: iterations) }.max() ?? 0
    }

    /// The same for AVX512-BF16's `vdpbf16ps` (64 FLOP per instruction: 32 bf16 products, summed in
    /// pairs into 16 fp32 lanes); nil on CPUs without it.
    public static func measureBF16(workers: Int = BLAS.workerCount, iterations: Int = 5_000_000, trials: Int = 4) -> Double? {
        guard zo_bf16_products_available() else { return nil }
        return (0..<trials).map { _ in measureOnce(workers: workers, iterations: iterations, flopsPerChainStep: 64, probe: zo_bf16_dot_chains) }.max()
    }

    static func measureOnce(
        workers: Int, iterations: Int, flopsPerChainStep: Double = 32, probe: (Int64) -> Float = zo_fma_chains
    ) -> Double {
        var seconds = [Double](repeating: 0, count: workers)
        var sink = [Float](repeating: 0, count: workers)
        seconds.withUnsafeMutableBufferPointer { times in
            sink.withUnsafeMutableBufferPointer { sinks in
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let start = DispatchTime.now().uptimeNanoseconds
                    sinks[worker] = probe(Int64(iterations))
                    times[worker] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                }
            }
        }
        let flops = Double(iterations) * 12 * flopsPerChainStep
        return seconds.reduce(0) { $0 + flops / $1 } / 1e9 + Double(sink.reduce(0, +) * 0)
    }
}
