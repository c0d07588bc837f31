import XCTest
import ZOEstimators
import ZOModels
import ZOTraining

/// The sweep's rules: the choice order, the default grid per method and the trial length.
final class LearningRateSweepTests: XCTestCase {
    func testChoiceIsBestDevAccuracyThenLossThenSmallerRateWithDivergedLast() {
        typealias Trial = LearningRateSweep.Trial
        XCTAssertEqual(LearningRateSweep.choose([
            Trial(learningRate: 1e-5, devAccuracy: 0.70, devLoss: 0.6),
            Trial(learningRate: 3e-5, devAccuracy: 0.72, devLoss: 0.7),
            Trial(learningRate: 1e-4, stopReason: "diverged"),
        ]), 3e-5)
        XCTAssertEqual(LearningRateSweep.choose([
            Trial(learningRate: 1e-5, devAccuracy: 0.70, devLoss: 0.6),
            Trial(learningRate: 3e-5, devAccuracy: 0.70, devLoss: 0.5),
        ]), 3e-5)
        XCTAssertEqual(LearningRateSweep.choose([
            Trial(learningRate: 3e-5, devAccuracy: 0.70, devLoss: 0.5),
            Trial(learningRate: 1e-5, devAccuracy: 0.70, devLoss: 0.5),
        ]), 1e-5)
        XCTAssertEqual(LearningRateSweep.choose([Trial(learningRate: 3e-5, stopReason: "x"), Trial(learningRate: 1e-5, stopReason: "y")]), 1e-5)
    }

    func testDefaultGridFollowsTheMethodsScale() {
        func grid(_ method: MethodConfiguration, adapter: Bool = false) -> [Float] {
            var configuration = RunConfiguration(model: "m", task: "t", method: method)
            if adapter { configuration.adapter = .lora(LoRASettings()) }
            return LearningRateSweep.defaultGrid(for: configuration)
        }
        XCTAssertEqual(grid(.mezo()), [1e-6, 3e-6, 1e-5, 3e-5, 1e-4])
        XCTAssertEqual(grid(.fzoo()), [1e-4, 3e-4, 1e-3, 3e-3, 1e-2])
        XCTAssertEqual(grid(.zoMuon()), [1e-3, 3e-3, 1e-2, 3e-2, 0.1])
        XCTAssertEqual(grid(.mezo(), adapter: true), [1e-4, 3e-4, 1e-3, 3e-3, 1e-2])
    }

    func testTrialsEndOnTheFirstEvaluationAfterAFifthOfTheRun() {
        XCTAssertEqual(LearningRateSweep.defaultTrialSteps(steps: 300, evalEvery: 100), 100)
        XCTAssertEqual(LearningRateSweep.defaultTrialSteps(steps: 2000, evalEvery: 50), 400)
        XCTAssertEqual(LearningRateSweep.defaultTrialSteps(steps: 6, evalEvery: 3), 3)
        XCTAssertEqual(LearningRateSweep.defaultTrialSteps(steps: 4, evalEvery: 10), 4)
    }
}
