import XCTest
import ZOEstimators
import ZOTensor

/// Each method trains: 300 steps on the quadratic from θ = 0 (optimum at b ∈ [−1, 1], curvature
/// 0.5–2, 318 parameters) reduce the loss well below its start.
final class LossDecreaseTests: XCTestCase {
    func train<E: ZerothOrderEstimator>(_ estimator: E, learningRate: Float, steps: Int = 300) throws -> (Float, Float) {
        let arena = makeSmallArena()
        let parameters = TrainableSet(arena: arena)
        setAnchors(estimator, parameters)
        let oracle = QuadraticOracle(parameters: parameters, seed: 21)
        let initial = try oracle.loss()
        var state = try estimator.makeState(for: parameters, runSeed: 1)
        var forwardPasses = 0
        for step in 0..<steps {
            let context = StepContext(step: step, totalSteps: steps, learningRate: learningRate, runSeed: 1)
            forwardPasses += try estimator.step(parameters, state: &state, context: context, oracle: oracle).forwardPasses
        }
        let final = try oracle.loss()
        print("\(E.name): loss \(initial) → \(final) after \(steps) steps (\(forwardPasses) forward passes)")
        return (initial, final)
    }

    func testMeZOReducesTheLoss() throws {
        let (initial, final) = try train(MeZO(configuration: .init(epsilon: 1e-3)), learningRate: 1.5e-3)
        XCTAssertLessThan(final, 0.6 * initial)
    }

    func testSubZeroReducesTheLoss() throws {
        let (initial, final) = try train(
            SubZero(configuration: .init(epsilon: 1e-3, rank: 3, window: 20)), learningRate: 1.5e-3)
        XCTAssertLessThan(final, 0.6 * initial)
    }

    func testDiZOReducesTheLoss() throws {
        let (initial, final) = try train(
            DiZO(configuration: .init(epsilon: 1e-3, projectionInterval: 50)), learningRate: 1.5e-3)
        XCTAssertLessThan(final, 0.6 * initial)
    }

    func testPGAPReducesTheLoss() throws {
        let (initial, final) = try train(
            PGAP(configuration: .init(epsilon: 1e-3, rank: 3, window: 20, probes: 10)),
            learningRate: 1.5e-3)
        XCTAssertLessThan(final, 0.6 * initial)
    }

    /// ZO-Muon's step has a fixed size η·‖P·NS(M)‖ (its length is η's alone, like FZOO's).
    func testZOMuonReducesTheLoss() throws {
        let (initial, final) = try train(
            ZOMuon(configuration: .init(epsilon: 1e-3, rank: 3, window: 20, vectorLearningRate: 1.5e-3)), learningRate: 0.1, steps: 600)
        XCTAssertLessThan(final, 0.6 * initial)
    }

    /// FZOO's step is a normalised direction (its size is η's alone), so its η is not MeZO's.
    func testFZOOReducesTheLoss() throws {
        let (initial, final) = try train(FZOO(configuration: .init(epsilon: 1e-3, directions: 8)), learningRate: 5e-2, steps: 150)
        XCTAssertLessThan(final, 0.6 * initial)
    }
}
