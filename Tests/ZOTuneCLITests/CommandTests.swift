import Foundation
import XCTest
import ZOFormats

final class CommandTests: XCTestCase {
    private var tinyModel: String { CLI.fixtures.appendingPathComponent("tiny-llama").path }

    func testHelpListsTheCommands() throws {
        let result = try CLI.run(["--help"])
        XCTAssertEqual(result.status, 0)
        for command in ["train", "eval", "replay", "plot", "fetch", "generate", "tokenize", "forward", "inspect", "export", "examples"] {
            XCTAssertTrue(result.stdout.contains("  \(command)"), "help mentions \(command)")
        }
        // Benchmarks start PyTorch environments: they live in zotune-bench, not in the shipped CLI.
        XCTAssertFalse(result.stdout.contains("  bench"), result.stdout)
        let bench = try CLI.run(["--help"], executable: CLI.binary.deletingLastPathComponent().appendingPathComponent("zotune-bench"))
        XCTAssertEqual(bench.status, 0, bench.stderr)
        XCTAssertTrue(bench.stdout.contains("--training-step"), bench.stdout)
    }

    /// `examples` prints the splits train and eval use: every sampled example once, as JSON with the
    /// template filled in, the candidates and the label; `--split` keeps one split.
    func testExamplesPrintsTheSampledSplits() throws {
        let spec = CLI.fixtures.appendingPathComponent("tasks/custom/sentiment.spec.json").path
        let all = try CLI.run(["examples", "--task-spec", spec])
        XCTAssertEqual(all.status, 0, all.stderr)
        let lines = try all.stdout.split(separator: "\n").map {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(lines.map { $0["split"] as? String }, Array(repeating: "train", count: 4) + ["dev", "dev"]
            + Array(repeating: "test", count: 4), "the 4 / 2 / 4 examples the fixture holds")
        for line in lines {
            XCTAssertEqual(line["candidates"] as? [String], [" bad", " good"])
            XCTAssertTrue((line["prompt"] as? String ?? "").hasPrefix("Review: "), "\(line)")
            XCTAssertTrue([0, 1].contains(line["label"] as? Int), "\(line)")
        }
        let dev = try CLI.run(["examples", "--task-spec", spec, "--split", "dev"])
        let allLines = all.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(dev.stdout.split(separator: "\n").map(String.init), Array(allLines[4..<6]))
    }

    func testGenerateOnTheDefaultModel() throws {
        let result = try CLI.run(["generate", "--prompt", "The capital of France is", "--max-new-tokens", "1"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, " Paris\n")
    }

    /// `--text-file`: every line a prompt, decoded in batches with the KV cache, one JSON line each;
    /// the first is what `--prompt` gives alone.
    func testGenerateDecodesATextFileInBatchesAsJSONLines() throws {
        let file = try CLI.temporaryFile("The capital of France is\nOnce upon a time\\nthere was\n2 + 2 =\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try CLI.run(["generate", "--text-file", file.path, "--max-new-tokens", "4", "--batch-size", "2"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = try result.stdout.split(separator: "\n").map {
            try XCTUnwrap(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        XCTAssertEqual(lines.map { $0["line"] as? Int }, [1, 2, 3])
        XCTAssertEqual(lines[1]["prompt"] as? String, "Once upon a time\nthere was", "escapes are unescaped")
        XCTAssertEqual(lines[0]["continuation"] as? String, try CLI.run(
            ["generate", "--prompt", "The capital of France is", "--max-new-tokens", "4"]).stdout.dropLast(1).description)
        for line in lines { XCTAssertLessThanOrEqual((line["tokens"] as? [Int])?.count ?? 99, 4, "\(line)") }
        try assertFails(["generate", "--max-new-tokens", "2"], message: "give one of --prompt and --text-file")
        let empty = try CLI.temporaryFile("Hello\n\nWorld\n")
        defer { try? FileManager.default.removeItem(at: empty) }
        try assertFails(["generate", "--text-file", empty.path], message: "line 2 is empty")
    }

    func testTokenizePrintsOneArrayPerLineAndHonoursEscapes() throws {
        let file = try CLI.temporaryFile("The capital of France is\nline\\none\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try CLI.run(["tokenize", "--text-file", file.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n")
        XCTAssertEqual(lines.count, 2)
        XCTAssertEqual(lines[0], "[504, 3575, 282, 4649, 314]")
        XCTAssertTrue(lines[1].contains("198"), "\\n is unescaped to a newline token (id 198): \(lines[1])")
    }

    /// The tiny LLaMA checkpoint with the tiny SentencePiece tokenizer.json (LLaMA-2 layout) beside it:
    /// `tokenize` prints HF's ids, BOS included (`make_spm_tokenizer_fixtures.py` goldens).
    func testTokenizeWithASentencePieceTokenizer() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-spm-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, source) in [("config.json", "tiny-llama/config.json"), ("model.safetensors", "tiny-llama/model.safetensors"),
                               ("tokenizer.json", "tokenizer/tiny-spm/tokenizer.json")] {
            try FileManager.default.createSymbolicLink(at: folder.appendingPathComponent(name),
                                                       withDestinationURL: CLI.fixtures.appendingPathComponent(source))
        }
        let golden = try JSONSerialization.jsonObject(
            with: Data(contentsOf: CLI.fixtures.appendingPathComponent("tokenizer/tiny-spm-variants-golden.json"))) as! [[String: Any]]
        let base = try XCTUnwrap(golden.first { $0["name"] as? String == "base" }?["cases"] as? [[String: Any]])
        let texts = ["hi</s> there", " hi", "Hello, world!", "日本語", "🎉🎉 party"]
        let want = try texts.map { text in
            try XCTUnwrap(base.first { $0["text"] as? String == text }?["ids"] as? [Int], text)
        }
        let file = try CLI.temporaryFile(texts.joined(separator: "\n") + "\n")
        defer { try? FileManager.default.removeItem(at: file) }
        let result = try CLI.run(["tokenize", "--model", folder.path, "--text-file", file.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, want.map { "[" + $0.map(String.init).joined(separator: ", ") + "]\n" }.joined())
        let inspect = try CLI.run(["inspect", "--model", folder.path])
        XCTAssertTrue(inspect.stdout.contains("tokenizer  SentencePiece BPE, 1000 tokens"), inspect.stdout)
    }

    func testForwardWritesLastPositionLogits() throws {
        let input = try CLI.temporaryFile("The capital of France is\nHello\n")
        defer { try? FileManager.default.removeItem(at: input) }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: output) }
        let result = try CLI.run(["forward", "--text-file", input.path, "--output", output.path, "--batch-size", "1"])
        XCTAssertEqual(result.status, 0, result.stderr)
        let logits = try XCTUnwrap(SafetensorsFile(path: output.path).tensor(named: "logits"))
        XCTAssertEqual(logits.shape, [2, 49152])
        let values = try logits.floats()
        XCTAssertEqual(values[7042], 17.37126, accuracy: 1e-3)
        XCTAssertEqual(values[0..<49152].max(), values[7042])
    }

    /// Splitting GEMMs and attention over threads changes no bit of the result.
    func testThreadCountDoesNotChangeTheLogits() throws {
        let input = try CLI.temporaryFile("The capital of France is\nA much longer second line, so that the batch has two lengths\n")
        defer { try? FileManager.default.removeItem(at: input) }
        var files: [Data] = []
        for threads in ["1", "2", "3"] {
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-\(UUID()).safetensors")
            defer { try? FileManager.default.removeItem(at: output) }
            let result = try CLI.run(["forward", "--text-file", input.path, "--output", output.path, "--threads", threads])
            XCTAssertEqual(result.status, 0, result.stderr)
            files.append(try Data(contentsOf: output))
        }
        XCTAssertEqual(files[0], files[1])
        XCTAssertEqual(files[0], files[2])
        try assertFails(["forward", "--text-file", input.path, "--output", "/tmp/unused.safetensors", "--threads", "0"],
                        message: "--threads must be between 1 and 256.")
    }

    /// The README's main job in miniature (P-GAP on SmolLM2, whose 49,152-row embedding goes
    /// factored): `replay` rebuilds `checkpoints/latest` byte for byte. The checkpoint folds the
    /// embedding's delta block by block and replay folds it whole; both must sum alike on any BLAS.
    func testReplayRebuildsTheDefaultModelsCheckpointByteForByte() throws {
        let spec = CLI.fixtures.appendingPathComponent("tasks/custom/choice.spec.json").path
        let run = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-cli-run-\(UUID())")
        defer { try? FileManager.default.removeItem(at: run) }
        let train = try CLI.run([
            "train", "--task-spec", spec, "--method", "pgap", "--rank", "8", "--window", "2", "--probes", "2",
            "--low-rank-apply", "factored", "--steps", "3", "--eval-every", "3", "--batch-size", "2", "--lr", "1e-5",
            "--output", run.path, "--no-reuse-zero-shot",
        ])
        XCTAssertEqual(train.status, 0, train.stderr)
        let rebuilt = run.appendingPathComponent("replayed.safetensors")
        let replay = try CLI.run(["replay", "--log", run.appendingPathComponent("seed-log.jsonl").path, "--output", rebuilt.path])
        XCTAssertEqual(replay.status, 0, replay.stderr)
        XCTAssertEqual(try Data(contentsOf: rebuilt), try Data(contentsOf: run.appendingPathComponent("checkpoints/latest/model.safetensors")))
    }

    func testInspectDescribesTheTinyModel() throws {
        let result = try CLI.run(["inspect", "--model", tinyModel])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("2 layers, hidden 64, FFN 160, 4 heads / 2 KV heads × 16, vocab 512"), result.stdout)
        XCTAssertTrue(result.stdout.contains("model.layers.*.self_attn.q_proj.weight"))
        XCTAssertTrue(result.stdout.contains("matrix"))
    }

    // MARK: - Bad input: one clear sentence, non-zero exit

    private func assertFails(_ arguments: [String], message: String, line: UInt = #line) throws {
        let result = try CLI.run(arguments)
        XCTAssertNotEqual(result.status, 0, line: line)
        XCTAssertTrue(result.stderr.contains(message), "stderr was: \(result.stderr)", line: line)
        XCTAssertFalse(result.stderr.contains("Fatal error"), line: line)
    }

    /// `forward` and `replay` never write over an existing file; the refusal comes before any work.
    func testOutputFilesAreNeverOverwritten() throws {
        let input = try CLI.temporaryFile("Hello\n")
        defer { try? FileManager.default.removeItem(at: input) }
        let existing = try CLI.temporaryFile("a user's file")
        defer { try? FileManager.default.removeItem(at: existing) }
        try assertFails(["forward", "--model", tinyModel, "--text-file", input.path, "--output", existing.path],
                        message: "--output \(existing.path) already exists; zotune does not overwrite files")
        try assertFails(["replay", "--log", "/nonexistent/seed-log.jsonl", "--output", existing.path],
                        message: "--output \(existing.path) already exists")
        XCTAssertEqual(try String(contentsOf: existing, encoding: .utf8), "a user's file")
    }

    /// Finite weights whose activations overflow fp32 (a final norm of 1e38) end in a sentence, not in
    /// a file of infinite logits and exit 0.
    func testOverflowingLogitsAreRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-overflow-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let source = CLI.fixtures.appendingPathComponent("tiny-llama")
        for name in ["config.json", "tokenizer.json"] {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let weights = try SafetensorsFile(path: source.appendingPathComponent("model.safetensors").path)
        let tensors = try weights.tensors.map { tensor in
            let values = try tensor.floats()
            return SafetensorsWriter.Tensor(name: tensor.name, shape: tensor.shape,
                                            floats: tensor.name == "model.norm.weight" ? values.map { _ in 1e38 } : values)
        }
        try SafetensorsWriter().write(tensors, to: folder.appendingPathComponent("model.safetensors"))
        let input = try CLI.temporaryFile("Hello there\n")
        defer { try? FileManager.default.removeItem(at: input) }
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-\(UUID()).safetensors")
        try assertFails(["forward", "--model", folder.path, "--text-file", input.path, "--output", output.path],
                        message: "the logits of line 1 are not finite: the model's activations overflow fp32.")
        XCTAssertFalse(FileManager.default.fileExists(atPath: output.path))
        let notFinite = "the model's logits are not finite: its activations overflow fp32"
        try assertFails(["generate", "--model", folder.path, "--prompt", "Hello", "--max-new-tokens", "2"], message: notFinite)
        try assertFails(["eval", "--model", folder.path, "--task-spec",
                         CLI.fixtures.appendingPathComponent("tasks/custom/sentiment.spec.json").path], message: notFinite)
    }

    func testUnknownModel() throws {
        try assertFails(["inspect", "--model", "/nonexistent/model.gguf"], message: "no model at /nonexistent/model.gguf")
    }

    /// A folder's weights or config file passed as --model: the error names the folder to pass instead.
    func testFileOfAFolderNamesTheFolder() throws {
        let folder = CLI.fixtures.appendingPathComponent("tiny-opt").path
        for file in ["model.safetensors", "config.json"] {
            try assertFails(["inspect", "--model", folder + "/" + file],
                            message: "is one file of a Hugging Face folder: pass the folder \(folder)")
            try assertFails(["tokenize", "--model", folder + "/" + file, "--text-file", folder + "/config.json"],
                            message: "pass the folder \(folder)")
        }
    }

    func testTruncatedGGUF() throws {
        let truncated = try CLI.temporaryFile("GGUF\u{3}\0\0\0", suffix: ".gguf")
        defer { try? FileManager.default.removeItem(at: truncated) }
        try assertFails(["inspect", "--model", truncated.path], message: "is truncated")
    }

    func testBadEscapeNamesTheLine() throws {
        let file = try CLI.temporaryFile("fine\nbad \\q escape\n")
        defer { try? FileManager.default.removeItem(at: file) }
        try assertFails(["tokenize", "--model", tinyModel, "--text-file", file.path],
                        message: "line 2: unknown escape \\q")
    }

    func testEmptyLineInForward() throws {
        let file = try CLI.temporaryFile("fine\n\n")
        defer { try? FileManager.default.removeItem(at: file) }
        try assertFails(["forward", "--model", tinyModel, "--text-file", file.path, "--output", "/tmp/unused.safetensors"],
                        message: "line 2 is empty")
    }
}
