import Foundation
import XCTest
import ZOFormats
import ZOModels
import ZORandom

/// GGUF in, GGUF out: a tuned model written as a GGUF of its base (metadata and tokenizer copied,
/// llama's q/k rows permuted back) loads again with the tuned logits.
final class GGUFModelFileTests: XCTestCase {
    static let sequences = [[5, 17, 42, 8, 99], [3, 11], [60, 7, 25, 31, 2, 14, 9]]

    func testAnAdaptedGGUFModelIsWrittenAsAGGUFThatLoadsWithItsLogits() throws {
        for base in ["tiny-llama3-rope", "tiny-qwen2"] {
            let path = Fixtures.url("formats/\(base).gguf").path
            let loaded = try LoadedModel.open(path: path)
            let adapter = try LoRAAdapter(for: loaded.model.weights, settings: LoRASettings(rank: 4, targets: ["q", "k", "v", "mlp"]))
            adapter.initialise(seed: 4)
            for (index, target) in adapter.targets.enumerated() {
                let values = adapter.weights.values(target.up)
                let normals = GaussianStream(seed: 8, tensor: index).normals(0..<values.count)
                for i in values.indices { values[i] = 0.05 * normals[i] }
            }
            adapter.attach(to: loaded.model.weights)
            let base0 = try LoadedModel.open(path: path).model.lastPositionLogits(Self.sequences)
            let adapted = try loaded.model.lastPositionLogits(Self.sequences)
            XCTAssertGreaterThan(maxAbsDifference(adapted[...], base0[...]), 1e-2, "\(base): the adapter changes the logits")

            // F32 gives the tuned logits to rounding; Q8_0's own error is checked on the weights below.
            for (type, tolerance) in [(GGMLType.f32, Float(1e-4)), (.q8_0, .infinity)] {
                let url = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-model-\(UUID()).gguf")
                defer { try? FileManager.default.removeItem(at: url) }
                let copy = try LoadedModel.open(path: path)
                adapter.detach(from: loaded.model.weights)
                try GGUFModelFile.write(copy, adapter: try rebuilt(adapter, on: copy), type: type, to: url)
                adapter.attach(to: loaded.model.weights)
                let written = try LoadedModel.open(path: url.path)
                let difference = maxAbsDifference(try written.model.lastPositionLogits(Self.sequences)[...], adapted[...])
                XCTAssertLessThan(difference, tolerance, "\(base) as \(type)")
                XCTAssertEqual(try written.tokenizer().encode("hello world 42"), try loaded.tokenizer().encode("hello world 42"))
                let file = try GGUFFile(path: url.path)
                XCTAssertEqual(file.metadata["general.architecture"], try GGUFFile(path: path).metadata["general.architecture"])
                XCTAssertEqual(file.tensor(named: "blk.0.attn_norm.weight")?.encoding.description, "F32")
                print("\(base) as \(type): max |Δlogit| \(difference)")
                if type == .q8_0 {
                    // Each value within half a quantization step d = max |x| / 127 of its block, plus what storing
                    // d as f16 moves 127 steps (≤ 127 · 2⁻¹¹ · d): llama.cpp's reference quantizer does the same.
                    let source = Array(copy.model.weights.values(copy.model.weights.entry(named: "model.layers.0.mlp.down_proj.weight")!))
                    let decoded = try XCTUnwrap(file.tensor(named: "blk.0.ffn_down.weight")).floats()
                    XCTAssertEqual(file.tensor(named: "blk.0.ffn_down.weight")?.encoding.description, "Q8_0")
                    for start in stride(from: 0, to: source.count, by: 32) {
                        let block = source[start..<(start + 32)]
                        let step = Float(Float16(block.map(abs).max()! / 127))
                        for i in block.indices { XCTAssertLessThanOrEqual(abs(decoded[i] - source[i]), (0.5 + 127 / 2048) * step * 1.001 + 1e-7) }
                    }
                }
            }
        }
    }

    /// The same pairs attached to another load of the base.
    private func rebuilt(_ adapter: LoRAAdapter, on loaded: LoadedModel) throws -> LoRAAdapter {
        let copy = try LoRAAdapter(for: loaded.model.weights, settings: adapter.settings)
        for (entry, source) in zip(copy.weights.entries, adapter.weights.entries) {
            _ = copy.weights.values(entry).update(from: adapter.weights.values(source))
        }
        copy.attach(to: loaded.model.weights)
        return copy
    }

    func testAHuggingFaceBaseIsRefused() throws {
        let loaded = try LoadedModel.open(path: Fixtures.url("tiny-llama").path)
        XCTAssertThrowsError(try GGUFModelFile.write(loaded, adapter: nil, type: .f16,
                                                     to: FileManager.default.temporaryDirectory.appendingPathComponent("x.gguf"))) {
            XCTAssertTrue("\($0)".contains("export it as merged"), "\($0)")
        }
    }
}
