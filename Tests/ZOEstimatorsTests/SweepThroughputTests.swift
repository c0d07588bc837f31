import Dispatch
import XCTest
import ZOEstimators
import ZOTensor

/// Throughput of the fused sweep θ += c·z at SmolLM2-135M scale, on 1 and 2 threads (prints; timing is
/// not asserted).
final class SweepThroughputTests: XCTestCase {
    func testFusedSweepThroughputAt135MParameters() {
        let arena = smolLM2ShapedArena()
        let parameters = TrainableSet(arena: arena)
        let count = parameters.parameterCount
        for workers in [1, 2] {
            let engine = PerturbationEngine(workerCount: workers)
            var times: [Double] = []
            for trial in 0..<4 {
                let start = DispatchTime.now().uptimeNanoseconds
                engine.apply(DenseSweep(seed: UInt64(trial), coefficient: 1e-3), to: parameters.tensors, in: parameters)
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            let best = times.dropFirst().min()!
            print(String(format: "fused sweep θ += c·z, %d params, %d thread(s): %.1f ms, %.2f G params/s", count, workers, best * 1e3, Double(count) / best / 1e9))
        }
    }
}
