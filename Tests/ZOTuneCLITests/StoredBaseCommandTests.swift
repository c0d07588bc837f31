import Foundation
import XCTest
import ZOFormats

/// A quantized GGUF base kept as stored: its blocks decoded by the vector kernels, llama's q/k rows
/// read through llama.cpp's permutation, give the logits of the same file loaded in fp32 — to 1e-5
/// with fp32 products (`ZOTUNE_KERNELS=avx2`), and within 2 % of the largest logit with the default
/// products (bf16 on CPUs with AVX512-BF16).
final class StoredBaseCommandTests: XCTestCase {
    private var paths: [URL] = []
    override func tearDown() { for path in paths { try? FileManager.default.removeItem(at: path) } }

    private func newPath(_ suffix: String = "") -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-cli-stored-\(UUID())\(suffix)")
        paths.append(url)
        return url.path
    }

    func testAQ8_0BaseKeptAsStoredGivesTheFloat32Logits() throws {
        // A Q8_0 GGUF of the tiny llama: one training step, then export (q/k rows permuted as llama.cpp stores them).
        let run = newPath(), gguf = newPath(".gguf")
        let train = try CLI.run([
            "train", "--model", CLI.fixtures.appendingPathComponent("formats/tiny-llama3-rope.gguf").path,
            "--task-spec", CLI.fixtures.appendingPathComponent("tasks/custom/sentiment.spec.json").path,
            "--steps", "1", "--eval-every", "1", "--batch-size", "2", "--output", run,
        ])
        XCTAssertEqual(train.status, 0, train.stderr)
        let export = try CLI.run(["export", run, "--format", "gguf", "--gguf-type", "q8_0", "--output", gguf])
        XCTAssertEqual(export.status, 0, export.stderr)
        let inspect = try CLI.run(["inspect", "--model", gguf])
        XCTAssertTrue(inspect.stdout.contains("Q8_0 ×16"), inspect.stdout)

        let texts = try CLI.temporaryFile("a good film\nthe worst film I have seen in years\n")
        defer { try? FileManager.default.removeItem(at: texts) }
        func logits(_ precision: String, environment: [String: String] = [:], texts: URL = texts) throws -> [Float] {
            let output = newPath(".safetensors")
            let forward = try CLI.run(["forward", "--model", gguf, "--base-precision", precision, "--text-file", texts.path,
                                       "--output", output], environment: environment)
            XCTAssertEqual(forward.status, 0, forward.stderr)
            return try XCTUnwrap(SafetensorsFile(path: output).tensor(named: "logits")).floats()
        }
        let float32 = try logits("f32")
        let scale = float32.map(abs).max() ?? 0
        XCTAssertGreaterThan(scale, 0.1)
        let exact = try logits("stored", environment: ["ZOTUNE_KERNELS": "avx2"])
        XCTAssertLessThan(zip(exact, float32).map { abs($0 - $1) }.max() ?? .infinity, 1e-5, "fp32 products")
        let fast = try logits("stored")
        XCTAssertLessThan(zip(fast, float32).map { abs($0 - $1) }.max() ?? .infinity, 0.02 * scale, "default products")

        // A few tokens (a decoding step's shape): the row kernel multiplies the blocks a row at a time
        // and gives exactly the fp32 model's bits, the permuted q/k rows included.
        let word = try CLI.temporaryFile("good\n")
        defer { try? FileManager.default.removeItem(at: word) }
        let fp32Products = ["ZOTUNE_KERNELS": "avx2"]
        let fewRows = try logits("f32", environment: fp32Products, texts: word)
        XCTAssertTrue(try logits("stored", environment: fp32Products, texts: word) == fewRows, "a few rows, stored = f32 bit for bit")
    }

    /// GPT-2 in, GPT-2 out: a LoRA run on a gpt2 GGUF exported whole (adapter folded, the Conv1D weights
    /// transposed back to the file's outputs × inputs) gives the logits of the base with the run's PEFT adapter.
    func testAGPT2BaseExportsAsAWholeGGUF() throws {
        let base = CLI.fixtures.appendingPathComponent("formats/tiny-gpt2.gguf").path
        let run = newPath(), gguf = newPath(".gguf")
        let train = try CLI.run([
            "train", "--model", base, "--tuning", "lora", "--lora-targets", "q,v,o,mlp", "--base-precision", "f32",
            "--task-spec", CLI.fixtures.appendingPathComponent("tasks/custom/sentiment.spec.json").path,
            "--steps", "2", "--eval-every", "2", "--batch-size", "2", "--lr", "5e-2", "--output", run,
        ])
        XCTAssertEqual(train.status, 0, train.stderr)
        let export = try CLI.run(["export", run, "--format", "gguf", "--gguf-type", "f32", "--checkpoint", "latest", "--output", gguf])
        XCTAssertEqual(export.status, 0, export.stderr)

        let texts = try CLI.temporaryFile("a good film\nthe worst film I have seen in years\n")
        defer { try? FileManager.default.removeItem(at: texts) }
        func logits(_ arguments: [String]) throws -> [Float] {
            let output = newPath(".safetensors")
            let forward = try CLI.run(["forward"] + arguments + ["--text-file", texts.path, "--output", output])
            XCTAssertEqual(forward.status, 0, forward.stderr)
            return try XCTUnwrap(SafetensorsFile(path: output).tensor(named: "logits")).floats()
        }
        let peft = newPath()
        let adapter = try CLI.run(["export", run, "--format", "peft", "--checkpoint", "latest", "--output", peft])
        XCTAssertEqual(adapter.status, 0, adapter.stderr)
        let withAdapter = try logits(["--model", base, "--base-precision", "f32", "--adapter", peft])
        let exported = try logits(["--model", gguf, "--base-precision", "f32"])
        let original = try logits(["--model", base, "--base-precision", "f32"])
        XCTAssertGreaterThan(zip(withAdapter, original).map { abs($0 - $1) }.max() ?? 0, 1e-4, "the adapter changed the logits")
        XCTAssertLessThan(zip(exported, withAdapter).map { abs($0 - $1) }.max() ?? .infinity, 1e-4)
    }
}
