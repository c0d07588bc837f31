import Foundation
import XCTest
import ZOFormats
import ZOModels
import ZOTensor

/// Prompt tuning on the tiny decoders: virtual tokens are embedded positions before the prompt (the
/// same bits as real tokens with those embeddings), PEFT's PROMPT_TUNING adapters give PEFT's logits,
/// and ZOTune's round-trip through PEFT's format.
final class PromptAdapterTests: XCTestCase {
    static let fixtures = ["tiny-llama", "tiny-qwen2", "tiny-opt", "tiny-gpt2"]
    static let sequences = [[5, 17, 42, 8, 99], [3, 11], [60, 7, 25, 31, 2, 14, 9]]

    private func model(_ fixture: String) throws -> LanguageModel {
        try LoadedModel.open(path: Fixtures.url(fixture).path).model
    }

    private func everyPosition(_ sequences: [[Int]]) -> [LogitRequest] {
        sequences.indices.flatMap { s in sequences[s].indices.map { LogitRequest(sequence: s, position: $0) } }
    }

    /// A prompt whose rows are the embeddings of ids 7, 8, 9 gives, bit for bit, the logits of the
    /// sequences with 7, 8, 9 put before them.
    func testVirtualTokensAreEmbeddedPositionsBeforeThePrompt() throws {
        for fixture in Self.fixtures {
            let model = try model(fixture)
            let real = [7, 8, 9]
            let withReal = Self.sequences.map { real + $0 }
            let expected = try model.logits(withReal, at: everyPosition(withReal))
            let prompt = try PromptAdapter(for: model, tokens: 3)
            let table = model.weights.pointer(prompt.embedding), width = prompt.embedding.shape[1]
            let rows = prompt.weights.values(prompt.weights.entries[0])
            for (row, id) in real.enumerated() {
                for column in 0..<width { rows[row * width + column] = table[id * width + column] }
            }
            prompt.attach(to: model.weights)
            let virtual = try XCTUnwrap(model.weights.virtualTokens?.tokens.ids)
            XCTAssertEqual(virtual, Array(prompt.embedding.shape[0]..<(prompt.embedding.shape[0] + 3)))
            let withVirtual = Self.sequences.map { virtual + $0 }
            XCTAssertEqual(try model.logits(withVirtual, at: everyPosition(withVirtual)), expected, fixture)
            prompt.detach(from: model.weights)
            XCTAssertThrowsError(try model.logits(withVirtual, at: everyPosition(withVirtual)), "\(fixture): detached ids are out of range")
        }
    }

    /// PEFT's PROMPT_TUNING adapters (scripts/reference/make_peft_golden.py: 3 virtual tokens trained by
    /// AdamW) applied with `--adapter`: the logits at the real positions within 1e-4 of PEFT's.
    func testPromptsSavedByPEFTGivePEFTsLogits() throws {
        let golden = try GoldenFile("peft-golden.safetensors")
        for fixture in ["tiny-llama", "tiny-opt", "tiny-gpt2"] {
            let model = try model(fixture)
            let adapter = try XCTUnwrap(try AdapterFile.apply(Fixtures.url("peft/\(fixture)-prompt").path, to: model) as? PromptAdapter)
            XCTAssertEqual(adapter.tokenCount, 3)
            let virtual = try XCTUnwrap(model.weights.virtualTokens?.tokens.ids)
            let sequences = try golden.sequences(ids: "\(fixture)-prompt.input_ids", lengths: "\(fixture)-prompt.lengths")
            let requests = sequences.indices.flatMap { s in sequences[s].indices.map { LogitRequest(sequence: s, position: 3 + $0) } }
            let logits = try model.logits(sequences.map { virtual + $0 }, at: requests)
            let difference = maxAbsDifference(logits[...], try golden.floats("\(fixture)-prompt.logits")[...])
            XCTAssertLessThan(difference, 1e-4, fixture)
            print("\(fixture) prompt: max |Δlogit| vs PEFT \(difference)")
        }
    }

    func testAPromptRoundTripsThroughPEFTsFormat() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-prompt-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try model("tiny-gpt2")
        let prompt = try PromptAdapter(for: model, tokens: 4)
        prompt.initialise(from: model.weights, seed: 1)
        try prompt.writePEFT(to: folder, baseModel: "tiny-gpt2", causalLanguageModel: true)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("adapter_config.json"))) as? [String: Any])
        XCTAssertEqual(config["peft_type"] as? String, "PROMPT_TUNING")
        XCTAssertEqual(config["num_virtual_tokens"] as? Int, 4)
        XCTAssertEqual(config["token_dim"] as? Int, 48)
        let read = try XCTUnwrap(try AdapterFile.apply(folder.path, to: try self.model("tiny-gpt2")) as? PromptAdapter)
        XCTAssertEqual(Array(read.weights.values(read.weights.entries[0])), Array(prompt.weights.values(prompt.weights.entries[0])))
        // Another width: tiny-llama's embeddings are 64 wide.
        XCTAssertThrowsError(try AdapterFile.apply(folder.path, to: try self.model("tiny-llama"))) {
            XCTAssertTrue("\($0)".contains("prompt_embeddings is 48 wide where this model's embeddings are 64"), "\($0)")
        }
        // Encoders: refused by name.
        XCTAssertThrowsError(try PromptAdapter(for: try self.model("tiny-bert-mlm"), tokens: 4)) {
            XCTAssertTrue("\($0)".contains("prompt tuning is implemented for decoders"), "\($0)")
        }
    }
}
