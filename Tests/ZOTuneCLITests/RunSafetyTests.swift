import Foundation
import XCTest
import ZOFormats

/// `zotune train` as an outside probe tried it: divergence stops the run with usable checkpoints,
/// a user's files are never overwritten, a run folder has one writer, and every refused option
/// is refused before anything is written.
final class RunSafetyTests: XCTestCase {
    private var tinyModel: String { CLI.fixtures.appendingPathComponent("tiny-llama").path }
    private var spec: String { CLI.fixtures.appendingPathComponent("tasks/custom/sentiment.spec.json").path }
    private var folders: [URL] = []

    override func tearDown() {
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
    }

    private func newFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-safety-\(UUID())")
        folders.append(url)
        return url
    }

    private func train(_ output: URL, _ options: [String]) throws -> CommandResult {
        try CLI.run(["train", "--model", tinyModel, "--task-spec", spec, "--method", "mezo", "--batch-size", "4",
                     "--output", output.path, "--no-reuse-zero-shot"] + options)
    }

    private func summary(_ run: URL) throws -> [String: Any] {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("summary.json"))) as? [String: Any])
    }

    /// A learning rate of 1e6 blows the weights up within the first evaluation window: the run stops
    /// with a sentence and a non-zero exit, saves nothing from the ruined weights, and says why in
    /// summary.json; `checkpoints/latest` and `best` hold the pretrained weights (step 0).
    func testARunThatDivergesStopsWithoutSavingRuinedWeights() throws {
        let run = newFolder()
        let result = try train(run, ["--steps", "40", "--eval-every", "10", "--lr", "1e6"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("training diverged at step 10:"), result.stderr)
        XCTAssertTrue(result.stderr.contains("checkpoints/latest keeps step 0"), result.stderr)
        XCTAssertFalse(result.stderr.contains("EncodingError") || result.stderr.contains("Fatal error"), result.stderr)
        let latest = run.appendingPathComponent("checkpoints/latest/model.safetensors")
        let best = run.appendingPathComponent("checkpoints/best/model.safetensors")
        XCTAssertTrue(try SafetensorsFile(path: best.path).tensors.allSatisfy { try $0.floats().allSatisfy { $0.isFinite && abs($0) < 100 } })
        XCTAssertEqual(try SafetensorsFile(path: latest.path).tensors.map { try $0.floats() },
                       try SafetensorsFile(path: best.path).tensors.map { try $0.floats() })
        XCTAssertTrue((try summary(run)["stopReason"] as? String)?.hasPrefix("diverged at step 10") == true)
    }

    /// Divergence after a good evaluation keeps that evaluation's checkpoint as `latest`.
    func testDivergenceKeepsTheLastGoodCheckpoint() throws {
        let run = newFolder()
        let first = try train(run, ["--steps", "40", "--eval-every", "10", "--lr", "1e-4", "--pause-after", "10"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let latest = run.appendingPathComponent("checkpoints/latest/model.safetensors")
        let saved = try Data(contentsOf: latest)
        // Resume with the learning rate raised by hand in config.json, as a user might.
        let config = run.appendingPathComponent("config.json")
        let text = try String(contentsOf: config, encoding: .utf8)
        try text.replacingOccurrences(of: "\"learningRate\" : 0.0001", with: "\"learningRate\" : 1000000")
            .write(to: config, atomically: true, encoding: .utf8)
        let resumed = try CLI.run(["train", "--resume", run.path])
        XCTAssertNotEqual(resumed.status, 0)
        XCTAssertTrue(resumed.stderr.contains("checkpoints/latest keeps step 10"), resumed.stderr)
        XCTAssertEqual(try Data(contentsOf: latest), saved)
    }

    /// Zero-shot is the first best point: a run that never beats it reports step 0 and its test score.
    func testTheBestPointIsNeverWorseThanZeroShot() throws {
        let run = newFolder()
        let result = try train(run, ["--steps", "4", "--eval-every", "2", "--lr", "1e-9"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let summary = try summary(run)
        let zeroShot = try XCTUnwrap((summary["zeroShotDev"] as? [String: Any])?["accuracy"] as? Double)
        let best = try XCTUnwrap((summary["bestDev"] as? [String: Any])?["accuracy"] as? Double)
        XCTAssertGreaterThanOrEqual(best, zeroShot)
        if summary["bestStep"] as? Int == 0 {
            XCTAssertEqual((summary["test"] as? [String: Any])?["accuracy"] as? Double,
                           (summary["zeroShotTest"] as? [String: Any])?["accuracy"] as? Double)
            XCTAssertTrue(result.stdout.contains("the best model is the pretrained one"), result.stdout)
        }
        XCTAssertFalse(result.stderr.contains("new best dev accuracy at step 0"))
    }

    /// Folders that are not an empty or new one are refused, and nothing in them changes.
    func testOutputNeverOverwritesAUsersFiles() throws {
        let folder = newFolder()
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let notes = folder.appendingPathComponent("summary.json")
        try Data("mine".utf8).write(to: notes)
        let result = try train(folder, ["--steps", "2"])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("cannot use \(folder.path) as a run folder: it already holds 1 other file"), result.stderr)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["summary.json"])
        XCTAssertEqual(try Data(contentsOf: notes), Data("mine".utf8))

        let file = newFolder()
        try Data("x".utf8).write(to: file)
        let onFile = try train(file, ["--steps", "2"])
        XCTAssertTrue(onFile.stderr.contains("it is a file, not a folder"), onFile.stderr)
        let inProc = try train(URL(fileURLWithPath: "/proc/zotune-\(UUID())"), ["--steps", "2"])
        XCTAssertNotEqual(inProc.status, 0)
        XCTAssertTrue(inProc.stderr.contains("No such file or directory"), inProc.stderr)
        XCTAssertFalse(inProc.stderr.contains("NSCocoaErrorDomain"), inProc.stderr)
    }

    /// A finished run is refused as a new --output; a folder without a run is refused by --resume.
    func testAnExistingRunNeedsResume() throws {
        let run = newFolder()
        XCTAssertEqual(try train(run, ["--steps", "2", "--eval-every", "2", "--lr", "1e-4"]).status, 0)
        let again = try train(run, ["--steps", "2"])
        XCTAssertTrue(again.stderr.contains("already holds a run; pass --resume"), again.stderr)
        let empty = newFolder()
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let resumed = try CLI.run(["train", "--resume", empty.path])
        XCTAssertTrue(resumed.stderr.contains("--resume \(empty.path) holds no run (no config.json)"), resumed.stderr)
    }

    /// While one process trains in a folder, a second `--resume` is refused with the holder's pid,
    /// and the first run's files stay whole.
    func testARunFolderHasOneWriter() throws {
        let run = newFolder()
        let first = Process()
        first.executableURL = CLI.binary
        first.arguments = ["train", "--model", tinyModel, "--task-spec", spec, "--method", "mezo", "--batch-size", "4",
                           "--steps", "100000", "--eval-every", "50000", "--lr", "1e-5", "--output", run.path, "--no-reuse-zero-shot"]
        first.standardOutput = FileHandle.nullDevice
        first.standardError = FileHandle.nullDevice
        try first.run()
        defer { if first.isRunning { first.terminate(); first.waitUntilExit() } }
        // Wait until the first process holds the folder (its config.json is written under the lock).
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: run.appendingPathComponent("seed-log.jsonl").path), Date() < deadline {
            Thread.sleep(forTimeInterval: 0.05)
        }
        let second = try CLI.run(["train", "--resume", run.path])
        XCTAssertNotEqual(second.status, 0)
        XCTAssertTrue(second.stderr.contains("is in use by another zotune process (pid \(first.processIdentifier))"), second.stderr)
    }

    /// Impossible option values are refused with the limit, before a run folder exists.
    func testRefusedOptionsWriteNothing() throws {
        let cases: [([String], String)] = [
            (["--lr", "-1"], "--lr must be a finite number > 0 or auto, got -1.0."),
            (["--lr", "fast"], "--lr"),
            (["--lr", "nan"], "--lr must be a finite number > 0"),
            (["--epsilon", "nan"], "--epsilon must be a finite number > 0, got nan."),
            (["--epsilon", "inf"], "--epsilon must be a finite number > 0, got inf."),
            (["--epsilon", "0"], "--epsilon must be a finite number > 0, got 0.0."),
            (["--method", "pgap", "--probe-epsilon", "nan"], "--probe-epsilon must be a finite number > 0, got nan."),
            (["--method", "pgap", "--rank", "0"], "--rank must be between 1 and 4096, got 0."),
            (["--method", "pgap", "--rank", "100000"], "--rank must be between 1 and 4096, got 100000."),
            (["--batch-size", "1000000"], "--batch-size 1000000 is larger than the 4 training examples; choose at most 4."),
            (["--max-tokens", "100000"], "--max-tokens 100000 exceeds the model's context of 256 tokens."),
            (["--steps", "0"], "--steps must be at least 1, got 0."),
        ]
        for (options, message) in cases {
            let run = newFolder()
            let result = try train(run, ["--steps", "2"] + options)
            XCTAssertNotEqual(result.status, 0, "\(options)")
            XCTAssertTrue(result.stderr.contains(message), "\(options): \(result.stderr)")
            XCTAssertFalse(FileManager.default.fileExists(atPath: run.path), "\(options) created \(run.path)")
        }
    }

    /// Asking for more examples than the task holds says so with the numbers.
    func testFewerExamplesThanAskedAreReported() throws {
        let run = newFolder()
        let result = try train(run, ["--steps", "2", "--eval-every", "2", "--lr", "1e-4", "--train-examples", "50",
                                     "--dev-examples", "1", "--test-examples", "1"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("warning: the task holds fewer examples than asked: 8 train / 1 dev / 1 test instead of 50 / 1 / 1"),
                      result.stderr)
    }

    /// A seed log with a record removed cannot be resumed (replay could not rebuild the weights).
    func testResumeRefusesASeedLogWithMissingRecords() throws {
        let run = newFolder()
        XCTAssertEqual(try train(run, ["--steps", "8", "--eval-every", "4", "--lr", "1e-4", "--pause-after", "4"]).status, 0)
        let log = run.appendingPathComponent("seed-log.jsonl")
        var lines = try String(contentsOf: log, encoding: .utf8).split(separator: "\n")
        lines.remove(at: 1)
        try (lines.joined(separator: "\n") + "\n").write(to: log, atomically: true, encoding: .utf8)
        let resumed = try CLI.run(["train", "--resume", run.path])
        XCTAssertNotEqual(resumed.status, 0)
        XCTAssertTrue(resumed.stderr.contains("it lacks the records of 1 of the 4 steps before the checkpoint (from step 1)"), resumed.stderr)
    }
}
