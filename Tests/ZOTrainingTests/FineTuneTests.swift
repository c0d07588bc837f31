import Foundation
import XCTest
import ZOEstimators
import ZOTasks
import ZOTraining

/// The library entry a consumer package uses: a run described by a `RunConfiguration`, trained into
/// a folder, paused and resumed to the same bytes, and rebuilt from its seed log.
final class FineTuneTests: XCTestCase {
    private static let fixtures = TrainerHarness.fixtures

    private func configuration(steps: Int = 4) -> RunConfiguration { TrainerHarness.smallRun(steps: steps) }

    private func newFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("zotune-finetune-\(UUID())")
    }

    func testPausedAndResumedRunEqualsAStraightRunAndReplaysByteForByte() throws {
        let straight = newFolder(), paused = newFolder(), replayed = newFolder().appendingPathExtension("safetensors")
        defer { for url in [straight, paused, replayed] { try? FileManager.default.removeItem(at: url) } }
        let notices = NoticeRecorder()
        var fineTune = FineTune(configuration: configuration(), folder: straight)
        fineTune.observer = notices
        let summary = try fineTune.run()
        XCTAssertEqual(summary.method, "mezo")
        XCTAssertEqual(summary.task, "my-sentiment")
        XCTAssertEqual(summary.steps, 4)
        XCTAssertNotNil(summary.test)
        XCTAssertTrue(notices.lines.contains { $0.hasPrefix("run folder: ") }, "\(notices.lines)")

        XCTAssertEqual(try FineTune(configuration: configuration(), folder: paused).run(pauseAfter: 2).steps, 2)
        XCTAssertEqual(try FineTune.resume(paused).steps, 4)
        let weights = { (folder: URL) in try Data(contentsOf: RunDirectory(folder).latest.weights) }
        XCTAssertEqual(try weights(straight), try weights(paused))
        XCTAssertEqual(try Data(contentsOf: RunDirectory(straight).seedLog), try Data(contentsOf: RunDirectory(paused).seedLog))

        let rebuilt = try SeedLogReplay.rebuild(log: RunDirectory(straight).seedLog, output: replayed)
        XCTAssertEqual(rebuilt.steps, 4)
        XCTAssertEqual(try Data(contentsOf: replayed), try weights(straight))
    }

    /// A run folder whose config.json has the previous method format (`{"mezo": {"_0": {…}}}`, old
    /// key names) resumes to the same bytes as a straight run.
    func testARunWithThePreviousConfigurationFormatResumes() throws {
        let straight = newFolder(), old = newFolder()
        defer { for url in [straight, old] { try? FileManager.default.removeItem(at: url) } }
        try FineTune(configuration: configuration(), folder: straight).run()
        try FineTune(configuration: configuration(), folder: old).run(pauseAfter: 2)
        let file = RunDirectory(old).configuration
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
        XCTAssertEqual((object["method"] as? [String: Any])?["name"] as? String, "mezo")
        object["method"] = ["mezo": ["_0": ["perturbationScale": 0.001, "directions": 2, "weightDecay": 0]]]
        try JSONSerialization.data(withJSONObject: object).write(to: file)
        XCTAssertEqual(try FineTune.resume(old).steps, 4)
        XCTAssertEqual(try Data(contentsOf: RunDirectory(straight).latest.weights), try Data(contentsOf: RunDirectory(old).latest.weights))
    }

    /// A folder that holds anything is refused before the model loads, and is left as it was.
    func testANonEmptyFolderIsRefusedAndKept() throws {
        let folder = newFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let note = folder.appendingPathComponent("notes.txt")
        try Data("mine".utf8).write(to: note)
        XCTAssertThrowsError(try FineTune(configuration: configuration(), folder: folder).run()) {
            XCTAssertTrue("\($0)".contains("already holds 1 other file"), "\($0)")
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["notes.txt"])
    }

    /// `resume` of a folder that holds no run says so.
    func testResumingAFolderWithoutARunIsRefused() throws {
        XCTAssertThrowsError(try FineTune.resume(newFolder())) {
            XCTAssertTrue("\($0)".contains("holds no run"), "\($0)")
        }
    }
}

private final class NoticeRecorder: TrainingObserver {
    var lines: [String] = []
    func notice(_ message: String) { lines.append(message) }
}
