import Foundation
import XCTest
import ZOFormats
import ZOTensor

/// `--base-products int8`: products on a stored base in int8 (AVX512-VNNI) give logits close to the
/// fp32 model's, a run records the choice and `eval --checkpoint` computes as the run trained; where
/// the CPU has no VNNI, or the base is fp32, the choice is refused in one sentence.
final class Int8BaseProductsCommandTests: XCTestCase {
    private var paths: [URL] = []
    override func tearDown() { for path in paths { try? FileManager.default.removeItem(at: path) } }

    private func newPath(_ suffix: String = "") -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-cli-int8-\(UUID())\(suffix)")
        paths.append(url)
        return url.path
    }

    private let model = CLI.fixtures.appendingPathComponent("formats/tiny-llama3-rope.gguf").path
    private let spec = CLI.fixtures.appendingPathComponent("tasks/custom/sentiment.spec.json").path

    private func logits(_ arguments: [String]) throws -> (status: Int32, stderr: String, logits: [Float]) {
        let texts = try CLI.temporaryFile("a good film\nthe worst film I have seen in years\n")
        defer { try? FileManager.default.removeItem(at: texts) }
        let output = newPath(".safetensors")
        let forward = try CLI.run(["forward", "--model", model, "--text-file", texts.path, "--output", output] + arguments)
        guard forward.status == 0 else { return (forward.status, forward.stderr, []) }
        return (0, forward.stderr, try XCTUnwrap(SafetensorsFile(path: output).tensor(named: "logits")).floats())
    }

    func testInt8ProductsGiveLogitsCloseToFloat32OrAreRefusedWithoutVNNI() throws {
        let int8 = try logits(["--base-precision", "stored", "--base-products", "int8"])
        guard PackedInt8.isRunnable else {
            XCTAssertNotEqual(int8.status, 0)
            XCTAssertTrue(int8.stderr.contains("int8 base products need AVX512-VNNI"), int8.stderr)
            return
        }
        XCTAssertEqual(int8.status, 0, int8.stderr)
        let float32 = try logits(["--base-precision", "f32"]).logits
        let scale = float32.map(abs).max() ?? 0
        let difference = zip(int8.logits, float32).map { abs($0 - $1) }.max() ?? .infinity
        XCTAssertLessThan(difference, 0.05 * scale, "int8 products within 5 % of the largest logit")
        XCTAssertGreaterThan(difference, 0, "the int8 path ran (quantization moves the logits)")
        let unkept = try logits(["--base-precision", "stored", "--base-products", "int8", "--packed-base-memory", "0"])
        XCTAssertEqual(unkept.status, 0, unkept.stderr)
        XCTAssertEqual(unkept.logits, int8.logits, "re-packing in every product instead of keeping the panels changes no bit")

        let onFloat32 = try logits(["--base-precision", "f32", "--base-products", "int8"])
        XCTAssertNotEqual(onFloat32.status, 0)
        XCTAssertTrue(onFloat32.stderr.contains("int8 base products apply to a base held in bf16 or stored"), onFloat32.stderr)
    }

    func testARunRecordsInt8ProductsAndEvalUsesThem() throws {
        try XCTSkipUnless(PackedInt8.isRunnable, "the refusal without VNNI is checked by the test above")
        let run = newPath()
        let train = try CLI.run([
            "train", "--model", model, "--task-spec", spec, "--tuning", "lora", "--lora-rank", "2",
            "--base-products", "int8", "--steps", "2", "--eval-every", "2", "--batch-size", "2", "--output", run,
        ])
        XCTAssertEqual(train.status, 0, train.stderr)
        let config = try String(contentsOfFile: run + "/config.json", encoding: .utf8)
        XCTAssertTrue(config.contains("\"baseProducts\" : \"int8\""), config)
        let recorded = try CLI.run(["eval", "--model", model, "--task-spec", spec, "--checkpoint", run])
        let explicit = try CLI.run(["eval", "--model", model, "--task-spec", spec, "--checkpoint", run, "--base-products", "int8"])
        let automatic = try CLI.run(["eval", "--model", model, "--task-spec", spec, "--checkpoint", run, "--base-products", "auto"])
        for result in [recorded, explicit, automatic] { XCTAssertEqual(result.status, 0, result.stderr) }
        XCTAssertEqual(recorded.stdout, explicit.stdout)
        XCTAssertNotEqual(recorded.stdout, automatic.stdout, "auto products compute differently (a different loss)")
    }
}
