import Foundation
import XCTest
import ZOEstimators
import ZOTraining

/// A step whose loss is not finite is discarded with the exact weights of the step before put back
/// (not MeZO's +ε −2ε +ε restore, which is off by up to ~1.5 ulp), and replay leaves it out.
final class NonFiniteStepTests: XCTestCase {
    /// MeZO, except that the second loss of the chosen steps is NaN.
    struct FlakyMeZO: ZerothOrderEstimator {
        static let name = "flaky-mezo"
        let inner: MeZO
        let failingSteps: Set<Int>

        func makeState(for parameters: TrainableSet, runSeed: UInt64) throws -> MeZO.State {
            try inner.makeState(for: parameters, runSeed: runSeed)
        }

        func step(_ parameters: TrainableSet, state: inout MeZO.State, context: StepContext, oracle: LossOracle) throws -> StepOutcome {
            try inner.step(parameters, state: &state, context: context,
                           oracle: failingSteps.contains(context.step) ? NaNOnSecondLoss(oracle) : oracle)
        }

        func replay(_ record: StepRecord, parameters: TrainableSet, state: inout MeZO.State, context: StepContext) throws {
            try inner.replay(record, parameters: parameters, state: &state, context: context)
        }
    }

    final class NaNOnSecondLoss: LossOracle {
        let wrapped: LossOracle
        var calls = 0
        init(_ wrapped: LossOracle) { self.wrapped = wrapped }
        func loss() throws -> Float {
            calls += 1
            let loss = try wrapped.loss()
            return calls == 2 ? .nan : loss
        }
        func advanceBatch() throws { try wrapped.advanceBatch() }
    }

    func testADiscardedStepLeavesTheWeightsOfTheStepBefore() throws {
        let harness = try TrainerHarness()
        let flakyRun = harness.newRun(), cleanRun = harness.newRun()
        defer { for run in [flakyRun, cleanRun] { try? FileManager.default.removeItem(at: run.url) } }
        let mezo = MeZO(configuration: .init())
        // Steps 0–4 with 3 and 4 failing (after the checkpoint at step 2) = steps 0–2 of a clean run.
        let flaky = try harness.trainer(FlakyMeZO(inner: mezo, failingSteps: [3, 4]), run: flakyRun, steps: 8)
        try flaky.train(pauseAfter: 5)
        let clean = try harness.trainer(mezo, run: cleanRun, steps: 8)
        try clean.train(pauseAfter: 3)
        XCTAssertEqual(TrainerHarness.bytes(flaky.model.weights), TrainerHarness.bytes(clean.model.weights))

        let records = try SeedLogReplay.records(from: flakyRun.seedLog)
        XCTAssertEqual(records.map { $0.discarded == true }, [false, false, false, true, true])
        XCTAssertTrue(records[3].skipped)
        // Replay of the whole log (discarded steps left out) rebuilds the trained weights.
        let base = try harness.model()
        try SeedLogReplay.replay(records, estimator: mezo, parameters: TrainableSet(arena: base.weights), runSeed: 3, totalSteps: 8)
        XCTAssertEqual(TrainerHarness.bytes(base.weights), TrainerHarness.bytes(flaky.model.weights))
    }
}
