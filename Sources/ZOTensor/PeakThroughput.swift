import Dispatch

/// Measures this machine's fp32 FMA peak: 12 independent SIMD16 fused multiply-add chains per core,
/// enough to keep both FMA pipes busy, on every core at once. Used to state GEMM and forward speed
/// as a fraction of what the hardware can do (virtual machines vary a lot: see BENCHMARKS.md).
public enum PeakThroughput {
    /// GFLOP/s over all `workers` cores (2 FLOP per lane per FMA): the best of `trials` runs, so that
    /// a scheduler hiccup or a late-starting worker thread does not understate the peak.
    public static func measureFP32(workers: Int = BLAS.workerCount, iterations: Int = 5_000_000, trials: Int = 4) -> Double {
        (0..<trials).map { _ in measureOnce(workers: workers, iterations: iterations) }.max() ?? 0
    }

    static func measureOnce(workers: Int, iterations: Int) -> Double {
        var seconds = [Double](repeating: 0, count: workers)
        var sink = [Float](repeating: 0, count: workers)
        seconds.withUnsafeMutableBufferPointer { times in
            sink.withUnsafeMutableBufferPointer { sinks in
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let start = DispatchTime.now().uptimeNanoseconds
                    sinks[worker] = fmaChains(iterations)
                    times[worker] = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                }
            }
        }
        let flops = Double(iterations) * 12 * 16 * 2
        return seconds.reduce(0) { $0 + flops / $1 } / 1e9 + Double(sink.reduce(0, +) * 0)
    }

    @inline(never)
    static func fmaChains(_ iterations: Int) -> Float {
        let b = SIMD16<Float>(repeating: 1.000_000_1), c = SIMD16<Float>(repeating: 1e-7)
        var a0 = SIMD16<Float>(repeating: 0), a1 = SIMD16<Float>(repeating: 1), a2 = SIMD16<Float>(repeating: 2)
        var a3 = SIMD16<Float>(repeating: 3), a4 = SIMD16<Float>(repeating: 4), a5 = SIMD16<Float>(repeating: 5)
        var a6 = SIMD16<Float>(repeating: 6), a7 = SIMD16<Float>(repeating: 7), a8 = SIMD16<Float>(repeating: 8)
        var a9 = SIMD16<Float>(repeating: 9), a10 = SIMD16<Float>(repeating: 10), a11 = SIMD16<Float>(repeating: 11)
        for _ in 0..<iterations {
            a0 = c.addingProduct(a0, b); a1 = c.addingProduct(a1, b); a2 = c.addingProduct(a2, b)
            a3 = c.addingProduct(a3, b); a4 = c.addingProduct(a4, b); a5 = c.addingProduct(a5, b)
            a6 = c.addingProduct(a6, b); a7 = c.addingProduct(a7, b); a8 = c.addingProduct(a8, b)
            a9 = c.addingProduct(a9, b); a10 = c.addingProduct(a10, b); a11 = c.addingProduct(a11, b)
        }
        let sum = ((a0 + a1) + (a2 + a3)) + ((a4 + a5) + (a6 + a7)) + ((a8 + a9) + (a10 + a11))
        return horizontalSum(sum)
    }
}
