import Foundation
import XCTest

/// `train --tuning lora`, `export` and `--adapter` as a user runs them: a run leaves a PEFT folder,
/// exports a llama.cpp adapter, both apply to the base with the same logits, and wrong options end
/// in one sentence.
final class AdapterCommandTests: XCTestCase {
    private var folders: [URL] = []
    override func tearDown() { for folder in folders { try? FileManager.default.removeItem(at: folder) } }

    private func newPath(_ suffix: String = "") -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-cli-adapter-\(UUID())\(suffix)")
        folders.append(url)
        return url.path
    }

    private let model = CLI.fixtures.appendingPathComponent("tiny-llama").path
    private let spec = CLI.fixtures.appendingPathComponent("tasks/custom/sentiment.spec.json").path

    func testTrainExportAndApplyAnAdapter() throws {
        let run = newPath()
        let train = try CLI.run([
            "train", "--model", model, "--task-spec", spec, "--method", "mezo", "--tuning", "lora", "--lora-rank", "4",
            "--lora-targets", "q,v,mlp", "--steps", "4", "--eval-every", "2", "--batch-size", "2", "--lr", "1e-2",
            "--output", run,
        ])
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stderr.contains("adapter (PEFT, best dev weights): \(run)/adapter"), train.stderr)
        let config = try String(contentsOfFile: run + "/config.json", encoding: .utf8)
        XCTAssertTrue(config.contains("\"scheme\" : \"lora\""), config)

        let gguf = newPath(".gguf")
        let export = try CLI.run(["export", run, "--format", "gguf-lora", "--checkpoint", "latest", "--output", gguf])
        XCTAssertEqual(export.status, 0, export.stderr)
        let peft = newPath()
        XCTAssertEqual(try CLI.run(["export", run, "--checkpoint", "latest", "--output", peft]).status, 0)

        let texts = try CLI.temporaryFile("a good film\nthe worst\n")
        defer { try? FileManager.default.removeItem(at: texts) }
        var outputs: [Data] = []
        for adapter in [peft, gguf] {
            let output = newPath(".safetensors")
            let forward = try CLI.run(["forward", "--model", model, "--adapter", adapter, "--text-file", texts.path, "--output", output])
            XCTAssertEqual(forward.status, 0, forward.stderr)
            XCTAssertTrue(forward.stderr.contains("applied LoRA adapter"), forward.stderr)
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: output)))
        }
        XCTAssertEqual(outputs[0], outputs[1], "the same logits from both files")

        let eval = try CLI.run(["eval", "--model", model, "--task-spec", spec, "--checkpoint", run])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let again = try CLI.run(["export", run, "--output", peft])
        XCTAssertNotEqual(again.status, 0)
        XCTAssertTrue(again.stderr.contains("already holds files"), again.stderr)
        let onAFile = try CLI.run(["export", run, "--format", "merged", "--output", texts.path])
        XCTAssertNotEqual(onAFile.status, 0)
        XCTAssertTrue(onAFile.stderr.contains("\(texts.path) is a file; choose a new folder"), onAFile.stderr)
    }

    func testWrongAdapterOptionsEndInOneSentence() throws {
        let cases: [([String], String)] = [
            (["--lora-rank", "4"], "--lora-rank, --lora-alpha and --lora-targets need --tuning lora."),
            (["--tuning", "lora", "--lora-targets", "q,wq"], "unknown LoRA target \"wq\""),
            (["--tuning", "lora", "--lora-targets", "gate", "--model", CLI.fixtures.appendingPathComponent("tiny-opt").path],
             "the model has no linear weight of kind \"gate\" to put LoRA on"),
            (["--tuning", "lora", "--lora-rank", "4096"], "LoRA rank 4096 is larger than model.layers.0.self_attn.q_proj.weight"),
            (["--tuning", "lora", "--trainable", "norm"], "with --tuning lora only the adapter trains"),
            (["--prefix-tokens", "3"], "--prefix-tokens needs --tuning prefix."),
            (["--base-precision", "bf16"], "a base held as bf16 or stored is frozen: it trains adapters only (--tuning lora, prefix or prompt)"),
            (["--base-precision", "f16"], "The value 'f16' is invalid for '--base-precision"),
            (["--tuning", "prefix", "--prefix-tokens", "0"], "--prefix-tokens must be at least 1, got 0."),
            (["--tuning", "prefix", "--model", CLI.fixtures.appendingPathComponent("tiny-bert-mlm").path],
             "prefix tuning is implemented for decoders"),
        ]
        for (arguments, message) in cases {
            var full = ["train", "--task-spec", spec, "--steps", "2", "--output", newPath()] + arguments
            if !arguments.contains("--model") { full += ["--model", model] }
            let result = try CLI.run(full)
            XCTAssertNotEqual(result.status, 0, "\(arguments)")
            XCTAssertTrue(result.stderr.contains(message), "\(arguments): \(result.stderr)")
            XCTAssertLessThanOrEqual(result.stderr.split(separator: "\n").filter { $0.contains("Error") || $0.contains("error") }.count, 2,
                                     result.stderr)
        }
        let missing = try CLI.run(["forward", "--model", model, "--adapter", "/nonexistent", "--text-file", spec, "--output", newPath()])
        XCTAssertNotEqual(missing.status, 0)
        XCTAssertTrue(missing.stderr.contains("there is no such file or folder"), missing.stderr)
    }

    /// A prompt-tuning folder (PEFT's, from the fixtures) changes what forward and generate compute:
    /// its virtual tokens come before every input.
    func testForwardAndGeneratePutAPromptAdaptersTokensFirst() throws {
        let texts = try CLI.temporaryFile("a good film\n")
        defer { try? FileManager.default.removeItem(at: texts) }
        let prompt = CLI.fixtures.appendingPathComponent("peft/tiny-llama-prompt").path
        var outputs: [Data] = []
        for extra in [[], ["--adapter", prompt]] {
            let output = newPath(".safetensors")
            let forward = try CLI.run(["forward", "--model", model, "--text-file", texts.path, "--output", output] + extra)
            XCTAssertEqual(forward.status, 0, forward.stderr)
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: output)))
        }
        XCTAssertNotEqual(outputs[0], outputs[1])
        let generate = try CLI.run(["generate", "--model", model, "--adapter", prompt, "--prompt", "a good", "--max-new-tokens", "3"])
        XCTAssertEqual(generate.status, 0, generate.stderr)
        XCTAssertTrue(generate.stderr.contains("applied prompt-tuning adapter: 3 virtual tokens"), generate.stderr)
    }

    /// `--tuning prefix`: the run leaves PEFT's PREFIX_TUNING folder, which forward, generate and eval
    /// apply; llama.cpp has no prefix adapters, and export says so.
    func testTrainAndApplyAPrefix() throws {
        let run = newPath()
        let train = try CLI.run([
            "train", "--model", model, "--task-spec", spec, "--method", "mezo", "--tuning", "prefix", "--prefix-tokens", "3",
            "--steps", "4", "--eval-every", "2", "--batch-size", "2", "--lr", "1e-2", "--output", run,
        ])
        XCTAssertEqual(train.status, 0, train.stderr)
        XCTAssertTrue(train.stderr.contains("prefix-tuning adapter: 3 key/value rows in each of 2 layers"), train.stderr)
        let adapterConfig = try String(contentsOfFile: run + "/adapter/adapter_config.json", encoding: .utf8)
        XCTAssertTrue(adapterConfig.contains("\"peft_type\" : \"PREFIX_TUNING\""), adapterConfig)
        let gguf = try CLI.run(["export", run, "--format", "gguf-lora", "--output", newPath(".gguf")])
        XCTAssertNotEqual(gguf.status, 0)
        XCTAssertTrue(gguf.stderr.contains("llama.cpp adapters are LoRA only; export a prefix-tuning adapter as peft."), gguf.stderr)

        let texts = try CLI.temporaryFile("a good film\n")
        defer { try? FileManager.default.removeItem(at: texts) }
        var outputs: [Data] = []
        for extra in [[], ["--adapter", run + "/adapter"]] {
            let output = newPath(".safetensors")
            let forward = try CLI.run(["forward", "--model", model, "--text-file", texts.path, "--output", output] + extra)
            XCTAssertEqual(forward.status, 0, forward.stderr)
            outputs.append(try Data(contentsOf: URL(fileURLWithPath: output)))
        }
        XCTAssertNotEqual(outputs[0], outputs[1])
        let prefix = CLI.fixtures.appendingPathComponent("peft/tiny-llama-prefix").path
        let generate = try CLI.run(["generate", "--model", model, "--adapter", prefix, "--prompt", "a good", "--max-new-tokens", "3"])
        XCTAssertEqual(generate.status, 0, generate.stderr)
        XCTAssertTrue(generate.stderr.contains("applied prefix-tuning adapter"), generate.stderr)
        let eval = try CLI.run(["eval", "--model", model, "--task-spec", spec, "--checkpoint", run])
        XCTAssertEqual(eval.status, 0, eval.stderr)
    }

    /// `--base-precision bf16`: an adapter run on a bfloat16 base records it, and eval and forward load
    /// the base the same way.
    func testAnAdapterTrainsOnABFloat16Base() throws {
        let run = newPath()
        let train = try CLI.run([
            "train", "--model", model, "--task-spec", spec, "--tuning", "lora", "--lora-rank", "2", "--base-precision", "bf16",
            "--steps", "2", "--eval-every", "2", "--batch-size", "2", "--lr", "1e-2", "--output", run,
        ])
        XCTAssertEqual(train.status, 0, train.stderr)
        let config = try String(contentsOfFile: run + "/config.json", encoding: .utf8)
        XCTAssertTrue(config.contains("\"basePrecision\" : \"bf16\""), config)
        let eval = try CLI.run(["eval", "--model", model, "--base-precision", "bf16", "--task-spec", spec, "--checkpoint", run])
        XCTAssertEqual(eval.status, 0, eval.stderr)
        let texts = try CLI.temporaryFile("a good film\n")
        defer { try? FileManager.default.removeItem(at: texts) }
        let forward = try CLI.run(["forward", "--model", model, "--base-precision", "bf16", "--adapter", run + "/adapter",
                                   "--text-file", texts.path, "--output", newPath(".safetensors")])
        XCTAssertEqual(forward.status, 0, forward.stderr)
    }

    /// Without `--base-precision`, adapter runs keep a decoder's base as stored (full tuning and
    /// encoders stay fp32, without an error), and config.json records what the base loaded in.
    func testAdapterRunsKeepTheBaseAsStoredByDefault() throws {
        func recordedPrecision(_ arguments: [String], model: String, spec: String? = nil) throws -> String? {
            let run = newPath()
            let train = try CLI.run(["train", "--model", model, "--task-spec", spec ?? self.spec, "--steps", "1", "--eval-every", "1",
                                     "--batch-size", "2", "--output", run] + arguments)
            XCTAssertEqual(train.status, 0, train.stderr)
            let config = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: run + "/config.json")))
            return (config as? [String: Any])?["basePrecision"] as? String
        }
        XCTAssertEqual(try recordedPrecision(["--tuning", "lora", "--lora-rank", "2"], model: model), "stored")
        XCTAssertNil(try recordedPrecision([], model: model), "full tuning: f32")
        // The masked LM reads one token at the mask: candidates its tiny vocabulary holds whole.
        let encoder = CLI.fixtures.appendingPathComponent("tiny-bert-mlm").path
        let folder = newPath()
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let data = CLI.fixtures.appendingPathComponent("tasks/custom/sentiment.jsonl").path
        let maskedSpec = folder + "/spec.json"
        try #"{"name": "one-token", "template": "Review: {text} It was", "candidates": [" a", " the"], "label_field": "label", "label_map": {"neg": 0, "pos": 1, " bad": 0, "good": 1, "bad": 0, " good": 1}, "data": "\#(data)"}"#
            .write(toFile: maskedSpec, atomically: true, encoding: .utf8)
        XCTAssertNil(try recordedPrecision(["--tuning", "lora", "--lora-rank", "2"], model: encoder, spec: maskedSpec), "encoders: f32")
        let asked = try CLI.run(["train", "--model", encoder, "--task-spec", maskedSpec, "--tuning", "lora", "--base-precision", "stored",
                                 "--steps", "1", "--output", newPath()])
        XCTAssertNotEqual(asked.status, 0)
        XCTAssertTrue(asked.stderr.contains("a stored base is implemented for decoders; encoders load in f32"), asked.stderr)
    }
}
