import Foundation
import XCTest
import ZOFormats

/// The CLI with encoder models: `inspect` names the family and head, a classification head trained
/// by `train` is saved with the other trainable weights and read back by `eval --checkpoint` and
/// `replay`, and a masked LM refuses candidates it cannot read at the mask.
final class EncoderCommandTests: XCTestCase {
    private var spec: String { CLI.fixtures.appendingPathComponent("tasks/custom/sentiment.spec.json").path }
    private func fixture(_ name: String) -> String { CLI.fixtures.appendingPathComponent(name).path }
    private var folders: [URL] = []

    override func tearDown() {
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
    }

    func testInspectShowsFamilyShapeAndHeadOfMiniLM() throws {
        let result = try CLI.run(["inspect", "--model", "all-minilm-l6-v2"])
        XCTAssertEqual(result.status, 0, result.stderr)
        for text in [
            "family     bert (encoder", "shape      6 layers, hidden 384, FFN 1536, 12 heads × 32, vocab 30522, 512 positions",
            "head       sequence classifier, 2 labels, over the mean of the token hidden states (pooling from 1_Pooling/config.json)", "tokenizer  WordPiece, 30522 tokens",
            "encoder.layer.*.attention.self.query.weight", "classifier.weight",
        ] {
            XCTAssertTrue(result.stdout.contains(text), "“\(text)” in:\n\(result.stdout)")
        }
    }

    func testInspectShowsAMaskedLanguageModelHead() throws {
        let result = try CLI.run(["inspect", "--model", fixture("tiny-roberta-mlm")])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("family     roberta (encoder"), result.stdout)
        XCTAssertTrue(result.stdout.contains("head       masked LM (lm_head.dense, decoder tied to the word embeddings), mask token 4"),
                      result.stdout)
    }

    /// `zotune train` with MeZO on the tiny BERT (new classifier) and the toy sentiment task, into a new run folder.
    private func trainTinyBERT(_ options: [String]) throws -> (run: URL, result: CommandResult) {
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-cli-encoder-\(UUID())")
        folders.append(run)
        let result = try CLI.run(["train", "--model", fixture("tiny-bert"), "--task-spec", spec, "--method", "mezo",
                                  "--batch-size", "4", "--output", run.path] + options)
        return (run, result)
    }

    func testClassifierHeadIsTrainedSavedAndEvaluatedFromTheCheckpoint() throws {
        let model = fixture("tiny-bert")
        let (run, train) = try trainTinyBERT(["--steps", "4", "--eval-every", "2", "--lr", "1e-2"])
        XCTAssertEqual(train.status, 0, train.stderr)
        let best = try SafetensorsFile(path: run.appendingPathComponent("checkpoints/best/model.safetensors").path)
        XCTAssertEqual(best.tensor(named: "classifier.weight")?.shape, [2, 48])
        XCTAssertNotNil(best.tensor(named: "pooler.dense.weight"))

        // eval --checkpoint reproduces the run's test accuracy at its best dev step.
        let summary = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("summary.json"))) as! [String: Any]
        let test = try XCTUnwrap((summary["test"] as? [String: Any])?["accuracy"] as? Double)
        let eval = try CLI.run(["eval", "--model", model, "--task-spec", spec, "--checkpoint", run.path])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let testLine = try XCTUnwrap(eval.stdout.split(separator: "\n").first { $0.hasPrefix("test ") })
        XCTAssertTrue(testLine.contains(String(format: "%.4f", test)), "\(testLine) vs \(test)")

        let rebuilt = run.appendingPathComponent("replayed.safetensors")
        let replay = try CLI.run(["replay", "--base", model, "--log", run.appendingPathComponent("seed-log.jsonl").path,
                                  "--output", rebuilt.path])
        XCTAssertEqual(replay.status, 0, replay.stderr)
        XCTAssertEqual(try Data(contentsOf: rebuilt),
                       try Data(contentsOf: run.appendingPathComponent("checkpoints/latest/model.safetensors")))
    }

    /// `--trainable head`: only the classifier trains and is saved; the untrained encoder is the base.
    func testLinearProbeTrainsAndSavesOnlyTheHead() throws {
        let model = fixture("tiny-bert")
        let (run, train) = try trainTinyBERT(["--trainable", "head", "--steps", "2", "--eval-every", "2", "--lr", "1e-1"])
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stderr.contains("mezo on 98 trainable parameters"), train.stderr)
        let latest = try SafetensorsFile(path: run.appendingPathComponent("checkpoints/latest/model.safetensors").path)
        XCTAssertEqual(latest.tensors.map(\.name).sorted(), ["classifier.bias", "classifier.weight"])
        let eval = try CLI.run(["eval", "--model", model, "--task-spec", spec, "--checkpoint", run.path])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        XCTAssertTrue(eval.stderr.contains("loaded 2 tensors"), eval.stderr)

        let masked = try CLI.run(["train", "--model", fixture("tiny-roberta-mlm"), "--task-spec", spec, "--trainable", "head",
                                  "--output", run.appendingPathComponent("mlm").path])
        XCTAssertNotEqual(masked.status, 0)
        XCTAssertTrue(masked.stderr.contains("--trainable head selects no parameter of this model"), masked.stderr)
    }

    func testMaskedLanguageModelRefusesMultiTokenCandidates() throws {
        let result = try CLI.run(["eval", "--model", fixture("tiny-bert-mlm"), "--task-spec", spec])
        XCTAssertNotEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("candidate \" bad\" is 2 tokens, but a masked LM reads one token at the mask"),
                      result.stderr)
    }
}
