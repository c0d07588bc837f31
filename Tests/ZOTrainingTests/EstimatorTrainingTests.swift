import XCTest
import ZOEstimators
import ZOTraining

/// Every real method through the trainer on the tiny LLaMA: stopping mid-window and resuming gives
/// the same bytes as running straight through, and the seed log replays the trained weights exactly.
/// Windows are shortened so that bases are rebuilt (and a projection phase runs) within 8 steps.
final class EstimatorTrainingTests: XCTestCase {
    func testMeZO() throws {
        try TrainerHarness.assertResumeAndReplayAreBitExact(estimator: MeZO(configuration: .init(directions: 2)), steps: 8)
    }

    func testSubZero() throws {
        try TrainerHarness.assertResumeAndReplayAreBitExact(
            estimator: SubZero(configuration: .init(rank: 4, window: 3)), steps: 8)
    }

    func testDiZO() throws {
        try TrainerHarness.assertResumeAndReplayAreBitExact(
            estimator: DiZO(configuration: .init(projectionInterval: 3, projectionIterations: 2)), steps: 8)
    }

    func testPGAP() throws {
        try TrainerHarness.assertResumeAndReplayAreBitExact(
            estimator: PGAP(configuration: .init(rank: 4, window: 3, probes: 2)), steps: 8)
    }

    func testSubZeroFactored() throws {
        try TrainerHarness.assertResumeAndReplayAreBitExact(
            estimator: SubZero(configuration: .init(rank: 4, window: 3, lowRankApply: .factored)), steps: 8)
    }

    func testPGAPFactored() throws {
        try TrainerHarness.assertResumeAndReplayAreBitExact(
            estimator: PGAP(configuration: .init(rank: 4, window: 3, probes: 2, lowRankApply: .factored)),
            steps: 8)
    }

    func testSubZeroWithActivationSubspaces() throws {
        try TrainerHarness.assertResumeAndReplayAreBitExact(
            estimator: SubZero(configuration: .init(rank: 4, window: 3, subspaceSource: .activations)), steps: 8)
    }

    func testSubZeroWithActivationSubspacesFactoredOnGPT2() throws {
        try TrainerHarness.assertResumeAndReplayAreBitExact(
            estimator: SubZero(configuration: .init(rank: 4, window: 3, lowRankApply: .factored, subspaceSource: .activations,
                                                    powerIterations: 1)),
            steps: 8, fixture: "tiny-gpt2")
    }

    func testPGAPWithActivationSubspaces() throws {
        try TrainerHarness.assertResumeAndReplayAreBitExact(
            estimator: PGAP(configuration: .init(rank: 4, window: 3, probes: 2, subspaceSource: .activations)), steps: 8)
    }

    func testPGAPWithActivationSubspacesFactoredOnGPT2() throws {
        try TrainerHarness.assertResumeAndReplayAreBitExact(
            estimator: PGAP(configuration: .init(rank: 4, window: 3, probes: 2, lowRankApply: .factored, subspaceSource: .activations,
                                                 activationIterations: 1)),
            steps: 8, fixture: "tiny-gpt2")
    }

    func testPGAPWithConstantAlignmentPerStepSignAndDenseEmbeddings() throws {
        try TrainerHarness.assertResumeAndReplayAreBitExact(
            estimator: PGAP(configuration: .init(rank: 4, window: 3, probes: 2, alignmentSchedule: .constant,
                                                 sign: .perStep, directionScale: .none, lowRankEmbeddings: false)),
            steps: 8)
    }
}
