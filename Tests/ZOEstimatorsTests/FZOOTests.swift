import XCTest
import ZOEstimators
import ZORandom
import ZOTensor

/// FZOO against its authors' update rule, computed here independently in double precision from
/// the same Rademacher directions: l₀ = L(θ), lᵢ = L(θ + εzᵢ), σ = std(l₁…l_N),
/// θ' = θ − η Σᵢ (lᵢ − l₀)/(N σ) zᵢ.
final class FZOOTests: XCTestCase {
    func testOneStepFollowsTheAuthorsUpdateRule() throws {
        let arena = makeSmallArena()
        fillArena(arena, seed: 8)
        let parameters = TrainableSet(arena: arena)
        let oracle = QuadraticOracle(parameters: parameters, seed: 12)
        let fzoo = FZOO(configuration: .init(epsilon: 1e-2, directions: 5))
        let runSeed: UInt64 = 4242, step = 3, learningRate: Float = 0.05
        let start = flatValues(parameters)

        // The directions, element for element, from their streams.
        let directions: [[Double]] = (0..<5).map { probe in
            let seed = FZOO.directionSeed(runSeed: runSeed, step: step, direction: probe)
            return parameters.tensors.flatMap { tensor in
                GaussianStream(seed: seed, tensor: tensor.index, kind: .rademacher).normals(0..<tensor.entry.count).map(Double.init)
            }
        }
        XCTAssertTrue(directions.allSatisfy { $0.allSatisfy { abs($0) == 1 } })
        let base = Double(try oracle.loss())
        let losses: [Double] = try directions.map { z in
            setFlatValues(parameters, zip(start, z).map { Float(Double($0) + 0.01 * $1) })
            return Double(try oracle.loss())
        }
        setFlatValues(parameters, start)
        let average = losses.reduce(0, +) / 5
        let sigma = (losses.reduce(0) { $0 + ($1 - average) * ($1 - average) } / 5).squareRoot()
        var expected = start.map(Double.init)
        for (z, loss) in zip(directions, losses) {
            let coefficient = Double(learningRate) * (loss - base) / (5 * sigma)
            for i in expected.indices { expected[i] -= coefficient * z[i] }
        }

        var state = try fzoo.makeState(for: parameters, runSeed: runSeed)
        let context = StepContext(step: step, totalSteps: 10, learningRate: learningRate, runSeed: runSeed)
        let outcome = try fzoo.step(parameters, state: &state, context: context, oracle: oracle)
        XCTAssertFalse(outcome.record.skipped)
        XCTAssertEqual(outcome.forwardPasses, 6)
        XCTAssertEqual(outcome.record.gradients.count, 5)
        let after = flatValues(parameters)
        var worst = 0.0, moved = 0.0
        for i in after.indices {
            worst = max(worst, abs(Double(after[i]) - expected[i]))
            moved = max(moved, abs(expected[i] - Double(start[i])))
        }
        print("FZOO one step: max |θ' − rule| = \(worst), largest move \(moved)")
        XCTAssertGreaterThan(moved, 1e-3)
        XCTAssertLessThan(worst, 1e-5)
    }

    func testNormalisedDifferencesDivideBySpreadAndRefuseNoSpread() throws {
        // losses 1, 3: mean 2, σ 1; g = (l − 2)/(2·1).
        XCTAssertEqual(FZOO.normalisedDifferences(losses: [1, 3], base: 2), [-0.5, 0.5])
        XCTAssertNil(FZOO.normalisedDifferences(losses: [2, 2, 2], base: 1))
        XCTAssertNil(FZOO.normalisedDifferences(losses: [2, 2.0000005], base: 2.001), "σ at rounding level")
        XCTAssertNil(FZOO.normalisedDifferences(losses: [1, .nan], base: 1))
        XCTAssertNil(FZOO.normalisedDifferences(losses: [1, 2], base: .infinity))
    }

    func testOneProbeIsRefused() throws {
        var fzoo = MethodConfiguration.fzoo()
        XCTAssertThrowsError(try fzoo.set(flag: "--directions", values: ["1"])) {
            XCTAssertEqual("\($0)", "--directions must be between 2 and 4096, got 1")
        }
        try fzoo.set(flag: "--directions", values: ["16"])
        XCTAssertEqual((fzoo.settings as? FZOO.Configuration)?.directions, 16)
    }
}
