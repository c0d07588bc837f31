import Foundation
import XCTest

/// `zotune train`, `eval` and `replay` end to end on the tiny LLaMA and a custom task spec:
/// the run folder is complete, an interrupted-and-resumed run equals a straight one, and the seed
/// log rebuilds the trained weights byte for byte.
final class TrainCommandTests: XCTestCase {
    private var tinyModel: String { CLI.fixtures.appendingPathComponent("tiny-llama").path }
    private var spec: String { CLI.fixtures.appendingPathComponent("tasks/custom/choice.spec.json").path }
    private var folders: [URL] = []

    override func tearDown() {
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
    }

    private func newFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-cli-run-\(UUID())")
        folders.append(url)
        return url
    }

    private func train(_ method: String, output: URL, extra: [String] = []) throws -> CommandResult {
        try CLI.run([
            "train", "--model", tinyModel, "--task-spec", spec, "--method", method, "--steps", "6",
            "--eval-every", "3", "--batch-size", "4", "--lr", "1e-3", "--output", output.path,
        ] + extra)
    }

    func testTrainWritesARunFolderAndReplayRebuildsTheWeights() throws {
        for (method, extra) in [("mezo", [String]()), ("pgap", ["--rank", "4", "--window", "4", "--probes", "2"])] {
            let run = newFolder()
            let result = try train(method, output: run, extra: extra)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.contains("\(method) on choice"), result.stdout)
            XCTAssertTrue(result.stdout.contains("test accuracy"))
            for file in ["config.json", "metrics.jsonl", "seed-log.jsonl", "summary.json", "training.svg",
                         "checkpoints/latest/model.safetensors", "checkpoints/best/model.safetensors"] {
                XCTAssertTrue(FileManager.default.fileExists(atPath: run.appendingPathComponent(file).path), file)
            }
            let rebuilt = run.appendingPathComponent("replayed.safetensors")
            let replay = try CLI.run(["replay", "--base", tinyModel, "--log", run.appendingPathComponent("seed-log.jsonl").path,
                                      "--output", rebuilt.path])
            XCTAssertEqual(replay.status, 0, replay.stderr)
            XCTAssertEqual(try Data(contentsOf: rebuilt),
                           try Data(contentsOf: run.appendingPathComponent("checkpoints/latest/model.safetensors")),
                           "\(method): replayed weights are byte-identical")

            let eval = try CLI.run(["eval", "--model", tinyModel, "--task-spec", spec, "--checkpoint", run.path])
            XCTAssertEqual(eval.status, 0, eval.stderr)
            XCTAssertTrue(eval.stdout.contains("test "), eval.stdout)
        }
    }

    /// FZOO and ZO-Muon train through the CLI and replay byte for byte like the others.
    func testNewMethodsTrainAndReplay() throws {
        for (method, extra) in [("fzoo", ["--directions", "3"]), ("zo-muon", ["--rank", "2", "--window", "4"])] {
            let run = newFolder()
            let result = try train(method, output: run, extra: extra)
            XCTAssertEqual(result.status, 0, result.stderr)
            let rebuilt = run.appendingPathComponent("replayed.safetensors")
            let replay = try CLI.run(["replay", "--base", tinyModel, "--log", run.appendingPathComponent("seed-log.jsonl").path,
                                      "--output", rebuilt.path])
            XCTAssertEqual(replay.status, 0, replay.stderr)
            XCTAssertEqual(try Data(contentsOf: rebuilt),
                           try Data(contentsOf: run.appendingPathComponent("checkpoints/latest/model.safetensors")), method)
        }
    }

    /// Without --lr a method trains at its own usual rate (FZOO's and ZO-Muon's steps are normalised,
    /// so MeZO's 1e-5 would barely move them); config.json records it.
    func testDefaultLearningRateIsTheMethods() throws {
        for (method, rate) in [("mezo", 1e-5), ("fzoo", 1e-3), ("zo-muon", 1e-2)] {
            let run = newFolder()
            let result = try CLI.run([
                "train", "--model", tinyModel, "--task-spec", spec, "--method", method, "--steps", "1",
                "--eval-every", "1", "--batch-size", "4", "--output", run.path,
            ])
            XCTAssertEqual(result.status, 0, result.stderr)
            let config = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("config.json"))) as! [String: Any]
            let training = config["training"] as! [String: Any]
            XCTAssertEqual((training["learningRate"] as! NSNumber).doubleValue, rate, accuracy: rate * 1e-6, method)
        }
    }

    /// --lr auto: trials in sweep/, the choice is the trial with the best last dev evaluation, and the
    /// run continued from the winning trial is byte-identical to a plain run at that rate.
    func testLearningRateSweepChoosesOnDevAndContinuesTheWinner() throws {
        let swept = newFolder()
        let result = try train("mezo", output: swept, extra: ["--lr", "auto", "--lr-grid", "1e-4", "3e-2", "--sweep-steps", "3"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("learning-rate sweep: 0.0001, 0.03, 3 of 6 steps each"), result.stderr)
        let outcome = try JSONSerialization.jsonObject(
            with: Data(contentsOf: swept.appendingPathComponent("sweep/sweep.json"))) as! [String: Any]
        let trials = outcome["trials"] as! [[String: Any]]
        XCTAssertEqual(trials.count, 2)
        let best = trials.max { a, b in
            let (x, y) = (a["devAccuracy"] as? Double ?? -1, b["devAccuracy"] as? Double ?? -1)
            return x != y ? x < y : (a["devLoss"] as? Double ?? .infinity) > (b["devLoss"] as? Double ?? .infinity)
        }!
        let chosen = (outcome["chosen"] as! NSNumber).floatValue
        XCTAssertEqual(chosen, (best["learningRate"] as! NSNumber).floatValue)
        let loser = trials.map { ($0["learningRate"] as! NSNumber).floatValue }.first { $0 != chosen }!
        XCTAssertTrue(FileManager.default.fileExists(atPath: swept.appendingPathComponent("sweep/lr\(loser)/config.json").path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: swept.appendingPathComponent("sweep/lr\(chosen)").path))

        let plain = newFolder()
        let direct = try train("mezo", output: plain, extra: ["--lr", "\(chosen)"])
        XCTAssertEqual(direct.status, 0, direct.stderr)
        for file in ["checkpoints/latest/model.safetensors", "seed-log.jsonl"] {
            XCTAssertEqual(try Data(contentsOf: swept.appendingPathComponent(file)), try Data(contentsOf: plain.appendingPathComponent(file)), file)
        }
        let misuse = try train("mezo", output: newFolder(), extra: ["--sweep-steps", "3"])
        XCTAssertEqual(misuse.status, 64)
        XCTAssertTrue(misuse.stderr.contains("--lr-grid and --sweep-steps go with --lr auto."), misuse.stderr)
        let hopeless = try train("mezo", output: newFolder(), extra: ["--lr", "auto", "--lr-grid", "1e6", "--sweep-steps", "3"])
        XCTAssertNotEqual(hopeless.status, 0)
        XCTAssertTrue(hopeless.stderr.contains("every rate of the sweep diverged (1000000.0); try smaller ones with --lr-grid"), hopeless.stderr)
        let uneven = try train("mezo", output: newFolder(), extra: ["--lr", "auto", "--sweep-steps", "2"])
        XCTAssertNotEqual(uneven.status, 0)
        XCTAssertTrue(uneven.stderr.contains("--sweep-steps must be a multiple of --eval-every (3)"), uneven.stderr)
    }

    /// A second run on the same weights and examples takes its zero-shot numbers from the first
    /// (in $ZOTUNE_HOME/zero-shot) and writes the same zero-shot metrics line; --no-reuse-zero-shot
    /// evaluates again.
    func testZeroShotEvaluationsAreReusedBetweenRuns() throws {
        let home = newFolder()
        let environment = ["ZOTUNE_HOME": home.path]
        func run(_ extra: [String]) throws -> (CommandResult, URL) {
            let output = newFolder()
            let result = try CLI.run([
                "train", "--model", tinyModel, "--task-spec", spec, "--method", "mezo", "--steps", "2",
                "--eval-every", "2", "--batch-size", "4", "--output", output.path,
            ] + extra, environment: environment)
            XCTAssertEqual(result.status, 0, result.stderr)
            return (result, output)
        }
        func zeroShotLine(_ run: URL) throws -> Substring? {
            try String(contentsOf: run.appendingPathComponent("metrics.jsonl"), encoding: .utf8).split(separator: "\n").first
        }
        let (first, firstRun) = try run(["--seed", "1"])
        XCTAssertTrue(first.stderr.contains("evaluating dev (zero-shot)"), first.stderr)
        let (second, secondRun) = try run(["--seed", "2", "--lr", "1e-2"])
        XCTAssertTrue(second.stderr.contains("zero-shot (reused"), second.stderr)
        XCTAssertFalse(second.stderr.contains("evaluating dev (zero-shot)"), second.stderr)
        XCTAssertEqual(try zeroShotLine(secondRun), try zeroShotLine(firstRun))
        let (fresh, _) = try run(["--no-reuse-zero-shot"])
        XCTAssertTrue(fresh.stderr.contains("evaluating dev (zero-shot)"), fresh.stderr)
        let (otherExamples, _) = try run(["--dev-examples", "5"])
        XCTAssertTrue(otherExamples.stderr.contains("evaluating dev (zero-shot)"), "other dev examples: " + otherExamples.stderr)
    }

    func testPausedAndResumedRunEqualsAStraightRun() throws {
        let straight = newFolder(), resumed = newFolder()
        let options = ["--rank", "4", "--window", "4"]
        XCTAssertEqual(try train("subzero", output: straight, extra: options).status, 0)
        let paused = try train("subzero", output: resumed, extra: options + ["--pause-after", "4"])
        XCTAssertEqual(paused.status, 0, paused.stderr)
        XCTAssertTrue(paused.stdout.contains("paused after step 4 of 6"), paused.stdout)
        let again = try CLI.run(["train", "--resume", resumed.path])
        XCTAssertEqual(again.status, 0, again.stderr)
        for file in ["checkpoints/latest/model.safetensors", "seed-log.jsonl"] {
            XCTAssertEqual(try Data(contentsOf: straight.appendingPathComponent(file)),
                           try Data(contentsOf: resumed.appendingPathComponent(file)), file)
        }
    }

    func testBadOptionsAreOneSentenceErrors() throws {
        let cases: [([String], String)] = [
            (["train", "--model", tinyModel, "--task-spec", spec, "--method", "adam"], "unknown method adam"),
            (["train", "--model", tinyModel, "--task-spec", spec, "--method", "mezo", "--rank", "4"],
             "--rank does not apply to --method mezo"),
            (["train", "--model", tinyModel, "--task", "no-such-task"], "unknown task no-such-task"),
            (["train", "--model", tinyModel, "--task-spec", "/nonexistent/spec.json"], "/nonexistent/spec.json"),
        ]
        for (arguments, message) in cases {
            let result = try CLI.run(arguments + ["--output", newFolder().path])
            XCTAssertNotEqual(result.status, 0, arguments.joined(separator: " "))
            XCTAssertTrue(result.stderr.contains(message), "expected “\(message)” in: \(result.stderr)")
        }
    }
}

/// A generation task through the CLI: `train` defaults to answer-lm, reports F1 and exact match and
/// leaves its test answers; `neg-f1` trains; `eval` and `examples` show answers; a mismatched
/// objective is one sentence.
final class GenerationCommandTests: XCTestCase {
    private var tinyModel: String { CLI.fixtures.appendingPathComponent("tiny-llama").path }
    private var spec: String { CLI.fixtures.appendingPathComponent("tasks/custom/capitals.spec.json").path }

    func testAGenerationTaskTrainsEvaluatesAndLeavesItsAnswers() throws {
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-cli-generation-\(UUID())")
        defer { try? FileManager.default.removeItem(at: run) }
        let sizes = ["--train-examples", "6", "--dev-examples", "3", "--test-examples", "3"]
        let result = try CLI.run(["train", "--model", tinyModel, "--task-spec", spec, "--method", "mezo", "--steps", "2",
                                  "--eval-every", "1", "--batch-size", "2", "--output", run.path] + sizes)
        XCTAssertEqual(result.status, 0, result.stderr)
        for row in ["dev F1", "dev exact match", "test F1", "test exact match", "test answers: "] {
            XCTAssertTrue(result.stdout.contains(row), "\(row): \(result.stdout)")
        }
        let config = try String(contentsOf: run.appendingPathComponent("config.json"), encoding: .utf8)
        XCTAssertTrue(config.contains("\"answer-lm\""), "the default objective of a generation task: \(config)")
        XCTAssertEqual(try String(contentsOf: run.appendingPathComponent("test-answers.jsonl"), encoding: .utf8)
            .split(separator: "\n").count, 3)

        let negF1 = run.appendingPathComponent("neg-f1")
        let trained = try CLI.run(["train", "--model", tinyModel, "--task-spec", spec, "--method", "mezo", "--steps", "2",
                                   "--eval-every", "1", "--batch-size", "2", "--objective", "neg-f1", "--output", negF1.path] + sizes)
        XCTAssertEqual(trained.status, 0, trained.stderr)

        let eval = try CLI.run(["eval", "--model", tinyModel, "--task-spec", spec, "--checkpoint", run.path] + sizes)
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssertTrue(eval.stdout.contains("F1   exact match"), eval.stdout)

        let examples = try CLI.run(["examples", "--task-spec", spec, "--split", "test"] + sizes)
        XCTAssertEqual(examples.status, 0, examples.stderr)
        XCTAssertTrue(examples.stdout.contains("\"answers\":["), examples.stdout)

        let refused = try CLI.run(["train", "--model", tinyModel, "--task-spec", spec, "--objective", "candidate-ce", "--steps", "1",
                                   "--output", run.appendingPathComponent("refused").path] + sizes)
        XCTAssertNotEqual(refused.status, 0)
        XCTAssertTrue(refused.stderr.contains("--objective candidate-ce needs candidates, but task capitals has free-form answers"),
                      refused.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.appendingPathComponent("refused").path), "no run folder is left")
    }
}
