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
        func logits(_ precision: String, environment: [String: String] = [:]) throws -> [Float] {
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
    }
}
