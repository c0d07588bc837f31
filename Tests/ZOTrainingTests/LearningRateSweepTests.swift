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

/// The sweep's folder contract: a new sweep never takes a folder that holds one, a bad first trial
/// leaves nothing behind, and a move of the winner interrupted half-way is finished by `resume`.
final class LearningRateSweepFolderTests: XCTestCase {
    private var folders: [URL] = []
    override func tearDown() { for folder in folders { try? FileManager.default.removeItem(at: folder) } }

    private func newFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-sweep-\(UUID())")
        folders.append(url)
        return url
    }

    private func sweep(_ folder: URL, configuration: RunConfiguration = TrainerHarness.smallRun()) -> LearningRateSweep {
        LearningRateSweep(configuration: configuration, learningRates: [1e-3, 1e-2], trialSteps: 2, folder: folder)
    }

    func testAnInterruptedMoveOfTheWinnerIsFinishedByResume() throws {
        let folder = newFolder(), reference = newFolder()
        let summary = try sweep(folder).run()
        XCTAssertEqual(summary.steps, 4)
        // Put the run back into the state of a move cut off before config.json: the winner's config and
        // seed log still in its trial folder, the rest already moved up.
        let outcome = try RunDirectory.readJSON(LearningRateSweep.Outcome.self, from: folder.appendingPathComponent("sweep/sweep.json"))
        let trial = folder.appendingPathComponent("sweep/lr\(outcome.chosen)")
        try FileManager.default.createDirectory(at: trial, withIntermediateDirectories: true)
        for name in ["config.json", "seed-log.jsonl"] {
            try FileManager.default.moveItem(at: folder.appendingPathComponent(name), to: trial.appendingPathComponent(name))
        }
        XCTAssertTrue(LearningRateSweep.isPending(folder))
        let resumed = try LearningRateSweep.resume(folder, observer: nil)
        XCTAssertEqual(resumed.steps, 4)
        XCTAssertFalse(FileManager.default.fileExists(atPath: trial.path))
        XCTAssertFalse(LearningRateSweep.isPending(folder))

        var plain = TrainerHarness.smallRun()
        plain.training.learningRate = outcome.chosen
        try FineTune(configuration: plain, folder: reference).run()
        XCTAssertEqual(try Data(contentsOf: RunDirectory(folder).latest.weights), try Data(contentsOf: RunDirectory(reference).latest.weights))
    }

    func testANewSweepRefusesAFolderHoldingOneAndABadStartLeavesNothing() throws {
        let folder = newFolder()
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("sweep"), withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: folder.appendingPathComponent("sweep/plan.json"))
        XCTAssertThrowsError(try sweep(folder).run()) { XCTAssertTrue("\($0)".contains("choose a new or empty folder"), "\($0)") }

        let fresh = newFolder()
        var broken = TrainerHarness.smallRun()
        broken.model = "/nonexistent/model"
        XCTAssertThrowsError(try sweep(fresh, configuration: broken).run())
        XCTAssertFalse(FileManager.default.fileExists(atPath: fresh.path), "a failed first trial leaves no folder")
    }
}
