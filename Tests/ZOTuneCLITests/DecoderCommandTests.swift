import Foundation
import XCTest
import ZOFormats

/// `inspect`, `forward`, `generate`, `train` and `replay` on the tiny OPT, GPT-2 and Qwen2 folders.
final class DecoderCommandTests: XCTestCase {
    private static let decoders: [(fixture: String, family: String, layerTensor: String, vocabulary: Int)] = [
        ("tiny-opt", "opt (decoder, learned positions, pre-LN", "model.decoder.layers.*.fc1.weight", 512),
        ("tiny-opt-post-ln", "opt (decoder, learned positions, post-LN", "model.decoder.project_in.weight", 512),
        ("tiny-gpt2", "gpt2 (decoder, learned positions, pre-LN", "transformer.h.*.attn.c_attn.weight", 500),
        ("tiny-qwen2", "qwen2 (decoder, RMSNorm, RoPE, SwiGLU", "model.layers.*.self_attn.q_proj.bias", 528),
    ]
    private var folders: [URL] = []

    override func tearDown() {
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
    }

    private func path(_ fixture: String) -> String { CLI.fixtures.appendingPathComponent(fixture).path }

    func testInspectShowsTheFamily() throws {
        for decoder in Self.decoders {
            let result = try CLI.run(["inspect", "--model", path(decoder.fixture)])
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertTrue(result.stdout.contains("family     \(decoder.family)"), result.stdout)
            XCTAssertTrue(result.stdout.contains(decoder.layerTensor), result.stdout)
        }
    }

    /// A folder with only torch.save shards (pytorch_model-*.bin) inspects like its safetensors twin.
    func testInspectReadsPyTorchWeights() throws {
        let result = try CLI.run(["inspect", "--model", path("tiny-opt-bin")])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stdout.contains("format     Hugging Face folder (PyTorch pytorch_model.bin)"), result.stdout)
        XCTAssertTrue(result.stdout.contains("stored as  F32 ×37"), result.stdout)
        XCTAssertTrue(result.stdout.contains("family     opt (decoder, learned positions, pre-LN"), result.stdout)
    }

    func testForwardAndGenerate() throws {
        let input = try CLI.temporaryFile("The movie was great\nHi\n")
        defer { try? FileManager.default.removeItem(at: input) }
        for decoder in Self.decoders {
            let output = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-\(UUID()).safetensors")
            folders.append(output)
            let forward = try CLI.run(["forward", "--model", path(decoder.fixture), "--text-file", input.path, "--output", output.path])
            XCTAssertEqual(forward.status, 0, forward.stderr)
            let logits = try XCTUnwrap(SafetensorsFile(path: output.path).tensor(named: "logits"))
            XCTAssertEqual(logits.shape, [2, decoder.vocabulary])
            XCTAssertTrue(try logits.floats().allSatisfy(\.isFinite))

            let generate = try CLI.run(["generate", "--model", path(decoder.fixture), "--prompt", "Once upon a time",
                                        "--max-new-tokens", "4"])
            XCTAssertEqual(generate.status, 0, generate.stderr)
            XCTAssertTrue(generate.stderr.contains(" new tokens in "), generate.stderr)
        }
    }

    /// Training writes checkpoints in the checkpoint's own layout (GPT-2's Conv1D weights stay
    /// inputs × outputs) that the seed log rebuilds byte for byte.
    func testTrainAndReplay() throws {
        let spec = CLI.fixtures.appendingPathComponent("tasks/custom/choice.spec.json").path
        for fixture in ["tiny-opt", "tiny-gpt2"] {
            let run = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-cli-run-\(UUID())")
            folders.append(run)
            let train = try CLI.run([
                "train", "--model", path(fixture), "--task-spec", spec, "--method", "mezo", "--steps", "4",
                "--eval-every", "2", "--batch-size", "4", "--lr", "1e-3", "--output", run.path,
            ])
            XCTAssertEqual(train.status, 0, train.stderr)
            let latest = run.appendingPathComponent("checkpoints/latest/model.safetensors")
            if fixture == "tiny-gpt2" {
                XCTAssertEqual(try SafetensorsFile(path: latest.path).tensor(named: "transformer.h.0.mlp.c_fc.weight")?.shape, [48, 192])
            }
            let rebuilt = run.appendingPathComponent("replayed.safetensors")
            let replay = try CLI.run(["replay", "--base", path(fixture), "--log", run.appendingPathComponent("seed-log.jsonl").path,
                                      "--output", rebuilt.path])
            XCTAssertEqual(replay.status, 0, replay.stderr)
            XCTAssertEqual(try Data(contentsOf: rebuilt), try Data(contentsOf: latest), "\(fixture): replayed weights")
        }
    }
}
