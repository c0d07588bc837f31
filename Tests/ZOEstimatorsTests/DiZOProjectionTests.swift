import XCTest
import ZOEstimators
import ZOTensor

/// DiZO's projection phase: selection by pattern, anchors, and the effect of one phase.
final class DiZOProjectionTests: XCTestCase {
    func testProjectedSetIsSelectedByNamePattern() {
        let parameters = TrainableSet(arena: makeSmallArena())
        XCTAssertEqual(
            DiZO().anchorTensors(in: parameters).map(\.entry.name),
            ["model.layers.0.self_attn.k_proj.weight", "model.layers.0.self_attn.v_proj.weight"])
        let glob = DiZO(configuration: .init(projectedTensors: ["model.layers.*.self_attn.*_proj.weight"]))
        XCTAssertEqual(glob.anchorTensors(in: parameters).count, 2)
        let suffix = DiZO(configuration: .init(projectedTensors: ["k_proj.weight", "embed_tokens.weight"]))
        XCTAssertEqual(
            suffix.anchorTensors(in: parameters).map(\.entry.name),
            ["model.embed_tokens.weight", "model.layers.0.self_attn.k_proj.weight"])
        // A suffix must start at a name component: "proj.weight" is not "k_proj.weight"'s component.
        XCTAssertTrue(DiZO(configuration: .init(projectedTensors: ["_proj.weight"])).anchorTensors(in: parameters).isEmpty)
    }

    func testEmptyProjectedSetIsRefused() {
        let parameters = TrainableSet(arena: makeSmallArena())
        let dizo = DiZO(configuration: .init(projectedTensors: ["attention.self.query.weight"]))
        XCTAssertThrowsError(try dizo.makeState(for: parameters, runSeed: 1)) { error in
            XCTAssertTrue("\(error)".contains("DiZO projects no tensor"), "\(error)")
        }
    }

    func testMissingAnchorIsReported() {
        let parameters = TrainableSet(arena: makeSmallArena())
        XCTAssertThrowsError(try DiZO().makeState(for: parameters, runSeed: 0)) { error in
            XCTAssertEqual(error as? EstimatorError, .missingAnchor("model.layers.0.self_attn.k_proj.weight"))
        }
    }

    /// θ = θ₀ + Δ with the loss minimal at θ₀ + 0.9Δ along that line: one phase moves γ/t below 1,
    /// within [1 − τ, 1 + τ], leaves θ − θ₀ parallel to Δ and lowers the loss. Δ is small (t ≈ 0.2):
    /// the γ steps α_p·t·ĝ·u grow like t², and at t ≈ 2 they jump across the ±τ window each iteration.
    func testProjectionPhaseRescalesTheDistanceFromTheAnchor() throws {
        let arena = makeSmallArena()
        fillArena(arena, seed: 8)
        let parameters = TrainableSet(arena: arena)
        let dizo = DiZO(configuration: .init(projectionInterval: 5, projectionIterations: 10))
        setAnchors(dizo, parameters)
        let projected = dizo.anchorTensors(in: parameters)
        let oracle = QuadraticOracle(parameters: parameters, seed: 1, curvatureRange: 1...1)
        var rng = SplitMix(2)
        var deltas: [[Float]] = []
        var offset = 0
        for tensor in parameters.tensors {
            let p = parameters.pointer(tensor)
            let isProjected = projected.contains(tensor)
            var delta: [Float] = []
            for k in 0..<tensor.entry.count {
                let d = isProjected ? Float(rng.unit() * 2 - 1) * 0.03 : 0
                delta.append(d)
                p[k] += d
                oracle.target[offset + k] = Double(p[k] - d) + 0.9 * Double(d)
            }
            if isProjected { deltas.append(delta) }
            offset += tensor.entry.count
        }
        let before = try oracle.loss()
        var state = try dizo.makeState(for: parameters, runSeed: 3)
        // Step 4 is a projection step ((4 + 1) mod 5 = 0); η = 0 leaves only the phase's effect.
        let outcome = try dizo.step(
            parameters, state: &state, context: StepContext(step: 4, totalSteps: 10, learningRate: 0, runSeed: 3),
            oracle: oracle)
        let after = try oracle.loss()
        let ratios = try XCTUnwrap(outcome.record.scalars[RecordKey.projectionRatios])
        print("DiZO projection: ratios γ/t = \(ratios), loss \(before) → \(after), \(outcome.forwardPasses) forward passes")
        XCTAssertEqual(outcome.forwardPasses, 2 + 2 * 10)
        XCTAssertEqual(oracle.batch, 10)
        XCTAssertEqual(state.projections, 1)
        XCTAssertEqual(ratios.count, 2)
        for ratio in ratios {
            XCTAssertLessThan(ratio, 1)
            XCTAssertGreaterThanOrEqual(ratio, 0.8 - 1e-6)
        }
        XCTAssertLessThan(after, before)
        for (index, tensor) in projected.enumerated() {
            let anchor = try XCTUnwrap(parameters.anchor(tensor))
            let p = parameters.pointer(tensor)
            for k in 0..<tensor.entry.count {
                // The MeZO part's restore leaves ≈ 1 ulp; the phase scales Δ exactly by the ratio.
                XCTAssertEqual(p[k] - anchor[k], ratios[index] * deltas[index][k], accuracy: 1e-6)
            }
        }
    }
}
