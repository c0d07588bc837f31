import XCTest
import ZOEstimators
import ZORandom
import ZOTensor

/// Dense sweeps against their naive twin, across thread splits, with weight decay by role, and the
/// rounding left by a perturb/restore cycle.
final class PerturbationEngineCorrectnessTests: XCTestCase {
    /// Tensors with awkward sizes so that thread cuts fall inside 64-element groups.
    func makeArena() -> WeightArena {
        let arena = WeightArena([
            ParameterSpec(name: "a.weight", shape: [37, 53], role: .matrix, layer: 0, kind: .up, activationUse: .everyToken),
            ParameterSpec(name: "b.weight", shape: [1000], role: .norm, layer: 0, kind: .norm, activationUse: []),
            ParameterSpec(name: "c.bias", shape: [7], role: .bias, layer: 0, kind: .up, activationUse: []),
            ParameterSpec(name: "d.weight", shape: [300, 129], role: .embedding, layer: nil, kind: .tokenEmbedding, activationUse: .lookup),
        ])
        fillArena(arena, seed: 17, scale: 2)
        return arena
    }

    /// x ← κx + Σ c_j z_j element by element with scalar operations in the documented order.
    func naiveSweep(_ sweep: DenseSweep, _ parameters: TrainableSet) {
        for tensor in parameters.tensors {
            let decayed = sweep.decay != nil && WeightDecay.applies(to: tensor.entry.role)
            let coefficients = decayed ? sweep.decay!.coefficients : sweep.coefficients
            let streams = sweep.seeds.map { GaussianStream(seed: $0, tensor: tensor.index) }
            let p = parameters.pointer(tensor)
            for k in 0..<tensor.entry.count {
                var x = p[k]
                if decayed && sweep.decay!.factor != 1 { x = x * sweep.decay!.factor }
                for (stream, c) in zip(streams, coefficients) { x = x.addingProduct(c, stream.normal(at: k)) }
                p[k] = x
            }
        }
    }

    func testFusedSweepEqualsNaiveTwinBitForBitOnAnyThreadSplit() {
        let sweeps = [
            DenseSweep(seed: 1, coefficient: 1e-3),
            DenseSweep(seeds: [5, 6, 7], coefficients: [0.5, -0.25, 2]),
            DenseSweep(seeds: [9, 10], coefficients: [1e-3, -3e-4], decay: WeightDecay(factor: 0.99, coefficients: [0.9e-3, -3e-4])),
        ]
        for sweep in sweeps {
            let reference = makeArena()
            naiveSweep(sweep, TrainableSet(arena: reference))
            for workers in [1, 2, 3, 5] {
                let arena = makeArena()
                let parameters = TrainableSet(arena: arena)
                PerturbationEngine(workerCount: workers, minimumParallelCount: 0).apply(sweep, to: parameters.tensors, in: parameters)
                XCTAssertEqual(arenaBytes(arena), arenaBytes(reference), "\(workers) workers, \(sweep.seeds.count) seeds")
            }
        }
    }

    func testWeightDecayTouchesOnlyMatricesAndEmbeddings() {
        let arena = makeArena()
        let parameters = TrainableSet(arena: arena)
        let before = parameters.tensors.map { Array(arena.values($0.entry)) }
        let sweep = DenseSweep(seeds: [3], coefficients: [0], decay: WeightDecay(factor: 0.5, coefficients: [0]))
        PerturbationEngine().apply(sweep, to: parameters.tensors, in: parameters)
        for (tensor, old) in zip(parameters.tensors, before) {
            let new = Array(arena.values(tensor.entry))
            let expected = WeightDecay.applies(to: tensor.entry.role) ? old.map { $0 * 0.5 } : old
            XCTAssertEqual(new, expected, tensor.entry.name)
        }
        XCTAssertFalse(WeightDecay.applies(to: .norm))
        XCTAssertFalse(WeightDecay.applies(to: .bias))
    }

    /// +εz, −2εz, +εz: each element ends within 1.5 ulp of where it started (one rounding per sweep,
    /// so exact restoration is not guaranteed; the bound is ½ ulp per sweep).
    func testPerturbAndRestoreLeavesUlpScaleError() {
        let arena = WeightArena([ParameterSpec(name: "w", shape: [1 << 16], role: .matrix, layer: 0, kind: .up, activationUse: [])])
        var rng = SplitMix(1)
        let values = arena.values(arena.entries[0])
        for k in values.indices {  // magnitudes from 1e-4 to 10, both signs
            values[k] = Float((rng.unit() * 2 - 1) * pow(10, rng.unit() * 5 - 4))
        }
        let parameters = TrainableSet(arena: arena)
        let before = Array(values)
        let engine = PerturbationEngine()
        for epsilon: Float in [1e-3, 1e-2] {
            values.baseAddress!.update(from: before, count: before.count)
            for c in [epsilon, -2 * epsilon, epsilon] {
                engine.apply(DenseSweep(seed: 42, coefficient: c), to: parameters.tensors, in: parameters)
            }
            let z = GaussianStream(seed: 42, tensor: 0).normals(0..<before.count)
            var worst: Float = 0, exact = 0
            for k in before.indices {
                if before[k] == values[k] { exact += 1 }
                // One rounding per sweep: |error| ≤ ½ ulp of each intermediate ≤ 1.5 ulp of the largest.
                let largest = max(abs(before[k]), abs(before[k] + epsilon * z[k]), abs(before[k] - epsilon * z[k]))
                let error = abs(values[k] - before[k])
                worst = max(worst, error / largest.ulp)
                XCTAssertLessThanOrEqual(error, 1.5 * largest.ulp)
            }
            print("perturb/restore ε = \(epsilon): \(exact)/\(before.count) elements bit-exact, worst \(worst) ulp (of the largest intermediate)")
        }
    }
}
