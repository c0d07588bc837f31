import Foundation
import XCTest
import ZOFormats
import ZOModels
import ZOTensor

/// Prefix tuning on the tiny decoders: a prefix holding the keys and values of real tokens acts as
/// those tokens read first (attention and positions both right), PEFT's PREFIX_TUNING adapters give
/// PEFT's logits, and ZOTune's prefixes round-trip through PEFT's format.
final class PrefixAdapterTests: XCTestCase {
    static let fixtures = ["tiny-llama", "tiny-qwen2", "tiny-opt", "tiny-gpt2"]
    static let sequences = [[5, 17, 42, 8, 99], [3, 11], [60, 7, 25, 31, 2, 14, 9]]

    private func model(_ fixture: String) throws -> LanguageModel {
        try LoadedModel.open(path: Fixtures.url(fixture).path).model
    }

    private func everyPosition(_ sequences: [[Int]], from first: Int = 0) -> [LogitRequest] {
        sequences.indices.flatMap { s in sequences[s].indices.map { LogitRequest(sequence: s, position: first + $0) } }
    }

    /// Sets `prefix` to the keys and values `model` computes for `tokens`.
    private func fill(_ prefix: PrefixAdapter, from model: LanguageModel, tokens: [Int]) throws {
        let layers = try XCTUnwrap(try model.attentionKeyValues(tokens))
        XCTAssertEqual(layers.count, prefix.shape.layers)
        for (layer, keysAndValues) in layers.enumerated() {
            _ = prefix.weights.values(prefix.weights.entries[2 * layer]).update(fromContentsOf: keysAndValues.keys)
            _ = prefix.weights.values(prefix.weights.entries[2 * layer + 1]).update(fromContentsOf: keysAndValues.values)
        }
    }

    /// A prefix holding the keys and values of tokens 7, 8, 9 gives the logits of the sequences with
    /// 7, 8, 9 put before them: every layer attends to the rows, and the real tokens take positions 3, 4, …
    /// (RoPE for llama/qwen2, learned tables for OPT and GPT-2). Not bit for bit: the prefix's keys came
    /// from a product over 3 rows, the joined sequence's from one over more.
    func testAPrefixOfRealTokensActsAsThoseTokensReadFirst() throws {
        for fixture in Self.fixtures {
            let model = try model(fixture)
            let real = [7, 8, 9]
            let joined = Self.sequences.map { real + $0 }
            let expected = try model.logits(joined, at: everyPosition(Self.sequences, from: 3))
            let prefix = try PrefixAdapter(for: model, tokens: 3)
            try fill(prefix, from: model, tokens: real)
            prefix.attach(to: model.weights)
            let logits = try model.logits(Self.sequences, at: everyPosition(Self.sequences))
            XCTAssertLessThan(maxAbsDifference(logits[...], expected[...]), 1e-4, fixture)
            // Shared prompts: continuations see the prefix, then their prompt.
            let shared = [SharedPromptSequence(prompt: [5, 17], continuations: [[42, 8], [99]])]
            let sharedLogits = try model.logits(sharing: shared, at: [LogitRequest(sequence: 0, position: 3), LogitRequest(sequence: 0, position: 4)])
            let flat = try model.logits([[5, 17, 42, 8], [5, 17, 99]], at: [LogitRequest(sequence: 0, position: 3), LogitRequest(sequence: 1, position: 2)])
            XCTAssertLessThan(maxAbsDifference(sharedLogits[...], flat[...]), 1e-5, fixture)
            // The prefix takes the first positions of the context.
            XCTAssertEqual(model.contextRoom, model.maxPositions - 3)
            XCTAssertThrowsError(try model.lastPositionLogits([Array(repeating: 5, count: model.maxPositions - 2)]), fixture)
            prefix.detach(from: model.weights)
            XCTAssertEqual(try model.logits(Self.sequences, at: everyPosition(Self.sequences)),
                           try self.model(fixture).logits(Self.sequences, at: everyPosition(Self.sequences)), "\(fixture): detached")
        }
    }

    /// MeZO's initialisation: the prefix starts as the keys and values of distinct real tokens drawn
    /// by the seed (the same seed, the same prefix; another seed, another prefix).
    func testInitialisationUsesRealTokensActivations() throws {
        let model = try model("tiny-llama")
        let first = try PrefixAdapter(for: model, tokens: 4), again = try PrefixAdapter(for: model, tokens: 4)
        let other = try PrefixAdapter(for: model, tokens: 4)
        try first.initialise(from: model, seed: 3)
        try again.initialise(from: model, seed: 3)
        try other.initialise(from: model, seed: 4)
        XCTAssertEqual(first.flattened(), again.flattened())
        XCTAssertNotEqual(first.flattened(), other.flattened())
        XCTAssertFalse(first.flattened().contains(0), "every row holds activations")
    }

    /// PEFT's PREFIX_TUNING adapters (scripts/reference/make_peft_golden.py: 3 rows per layer trained
    /// by AdamW) applied with `--adapter`: the logits within 1e-4 of PEFT's.
    func testPrefixesSavedByPEFTGivePEFTsLogits() throws {
        let golden = try GoldenFile("peft-golden.safetensors")
        for fixture in Self.fixtures {
            let model = try model(fixture)
            let adapter = try XCTUnwrap(try AdapterFile.apply(Fixtures.url("peft/\(fixture)-prefix").path, to: model) as? PrefixAdapter)
            XCTAssertEqual(adapter.tokenCount, 3)
            let sequences = try golden.sequences(ids: "\(fixture)-prefix.input_ids", lengths: "\(fixture)-prefix.lengths")
            let logits = try model.logits(sequences, at: everyPosition(sequences))
            let difference = maxAbsDifference(logits[...], try golden.floats("\(fixture)-prefix.logits")[...])
            XCTAssertLessThan(difference, 1e-4, fixture)
            print("\(fixture) prefix: max |Δlogit| vs PEFT \(difference)")
        }
    }

    func testAPrefixRoundTripsThroughPEFTsFormat() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-prefix-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = try model("tiny-qwen2")
        let prefix = try PrefixAdapter(for: model, tokens: 4)
        try prefix.initialise(from: model, seed: 1)
        try prefix.writePEFT(to: folder, baseModel: "tiny-qwen2", causalLanguageModel: true)
        let config = try XCTUnwrap(JSONSerialization.jsonObject(
            with: Data(contentsOf: folder.appendingPathComponent("adapter_config.json"))) as? [String: Any])
        XCTAssertEqual(config["peft_type"] as? String, "PREFIX_TUNING")
        XCTAssertEqual(config["num_virtual_tokens"] as? Int, 4)
        XCTAssertEqual(config["num_layers"] as? Int, prefix.shape.layers)
        XCTAssertEqual(config["token_dim"] as? Int, prefix.shape.width, "sized by key/value heads, as PEFT sizes it")
        XCTAssertEqual(config["num_attention_heads"] as? Int, prefix.shape.heads)
        let read = try XCTUnwrap(try AdapterFile.apply(folder.path, to: try self.model("tiny-qwen2")) as? PrefixAdapter)
        XCTAssertEqual(read.flattened(), prefix.flattened())
        // Another model's layers: refused by name.
        XCTAssertThrowsError(try AdapterFile.apply(folder.path, to: try self.model("tiny-gpt2"))) {
            XCTAssertTrue("\($0)".contains("prompt_embeddings rows hold"), "\($0)")
        }
        // Encoders: refused by name.
        XCTAssertThrowsError(try PrefixAdapter(for: try self.model("tiny-bert-mlm"), tokens: 4)) {
            XCTAssertTrue("\($0)".contains("prefix tuning is implemented for decoders"), "\($0)")
        }
    }
}
