import Foundation
import XCTest
import ZOFormats
import ZOModels

/// Forward parity with transformers on the tiny random OPT, GPT-2 and Qwen2 checkpoints
/// (scripts/reference/make_tiny_decoders.py): logits at every position of every golden sequence
/// within 1e-4, packed in one batch and one sequence at a time.
final class TinyDecoderParityTests: XCTestCase {
    static let variants = [
        ("tiny-opt", "opt"), ("tiny-opt-post-ln", "opt_post_ln"), ("tiny-gpt2", "gpt2"),
        ("tiny-qwen2", "qwen2"), ("tiny-qwen2-untied", "qwen2_untied"),
    ]

    /// Compares `model` with golden `key.logits` on the sequences of `sequencesKey` (default `key`);
    /// returns the largest difference.
    @discardableResult
    static func assertMatchesGolden(
        _ model: LanguageModel, key: String, sequencesKey: String? = nil, file: StaticString = #filePath, line: UInt = #line
    ) throws -> Float {
        let golden = try GoldenFile("tiny-decoders-golden.safetensors")
        let base = sequencesKey ?? key
        let sequences = try golden.sequences(ids: "\(base).input_ids", lengths: "\(base).lengths")
        let reference = try golden.floats("\(key).logits")
        let vocabulary = model.outputSize
        let everyPosition = sequences.indices.flatMap { s in sequences[s].indices.map { LogitRequest(sequence: s, position: $0) } }
        let batched = try model.logits(sequences, at: everyPosition)
        XCTAssertEqual(batched.count, reference.count, key, file: file, line: line)
        var worst = maxAbsDifference(batched[...], reference[...])
        var row = 0
        for sequence in sequences {
            let single = try model.logits([sequence], at: sequence.indices.map { LogitRequest(sequence: 0, position: $0) })
            worst = max(worst, maxAbsDifference(single[...], reference[(row * vocabulary)..<((row + sequence.count) * vocabulary)]))
            row += sequence.count
        }
        XCTAssertLessThan(worst, 1e-4, "\(key): max |Δlogit| vs transformers", file: file, line: line)
        print("\(key): max |Δlogit| vs transformers \(worst) over \(row) positions")
        return worst
    }

    func testEveryPositionMatchesTransformersBatchedAndOneByOne() throws {
        for (folder, key) in Self.variants {
            try Self.assertMatchesGolden(LoadedModel.open(path: Fixtures.url(folder).path).model, key: key)
        }
    }

    /// Same weights, config edited as the reference script did: no biases and no LayerNorm
    /// parameters (the stored ones are dropped, as transformers ignores them).
    func testOPTWithoutBiasesOrNormParameters() throws {
        let copy = try FixtureCopy("tiny-opt")
        try copy.setConfig(["enable_bias": false, "layer_norm_elementwise_affine": false])
        try copy.editWeights { $0.removeAll { $0.name.hasSuffix(".bias") || $0.name.contains("layer_norm") } }
        let model = try copy.load()
        XCTAssertFalse(model.weights.entries.contains { $0.role == .bias || $0.role == .norm })
        try Self.assertMatchesGolden(model, key: "opt_plain", sequencesKey: "opt")
    }

    func testGPT2AttentionScaledByInverseLayerIndex() throws {
        let copy = try FixtureCopy("tiny-gpt2")
        try copy.setConfig(["scale_attn_by_inverse_layer_idx": true])
        try Self.assertMatchesGolden(copy.load(), key: "gpt2_layer_scaled", sequencesKey: "gpt2")
    }

    /// An untied head holding a copy of the embeddings computes the tied model's logits.
    func testUntiedHeadsOfOPTAndGPT2() throws {
        for (folder, key, embedding) in [
            ("tiny-opt-post-ln", "opt_post_ln", "model.decoder.embed_tokens.weight"), ("tiny-gpt2", "gpt2", "transformer.wte.weight"),
        ] {
            let copy = try FixtureCopy(folder)
            try copy.setConfig(["tie_word_embeddings": false])
            try copy.editWeights { tensors in
                let table = try XCTUnwrap(tensors.first { $0.name == embedding })
                tensors.append(.init(name: "lm_head.weight", shape: table.shape, floats: table.floats))
            }
            let model = try copy.load()
            XCTAssertNotNil(model.weights.entry(named: "lm_head.weight"))
            try Self.assertMatchesGolden(model, key: key)
        }
    }

    /// Checkpoints as first uploaded: GPT2Model / OPTModel names without the causal-LM prefix, GPT-2's
    /// causal-mask buffers, OPT's stored copy of its tied head.
    func testOriginalUploadNamingLoads() throws {
        let gpt2 = try FixtureCopy("tiny-gpt2")
        try gpt2.editWeights { tensors in
            tensors = tensors.map { .init(name: String($0.name.dropFirst("transformer.".count)), shape: $0.shape, floats: $0.floats) }
            tensors.append(.init(name: "h.0.attn.bias", shape: [1, 1, 4, 4], floats: [Float](repeating: 1, count: 16)))
            tensors.append(.init(name: "h.1.attn.masked_bias", shape: [1], floats: [-1e4]))
        }
        try Self.assertMatchesGolden(gpt2.load(), key: "gpt2")

        let opt = try FixtureCopy("tiny-opt")
        try opt.editWeights { tensors in
            let table = try XCTUnwrap(tensors.first { $0.name == "model.decoder.embed_tokens.weight" })
            tensors = tensors.map { .init(name: String($0.name.dropFirst("model.".count)), shape: $0.shape, floats: $0.floats) }
            tensors.append(.init(name: "lm_head.weight", shape: table.shape, floats: table.floats))
        }
        try Self.assertMatchesGolden(opt.load(), key: "opt")
    }

    func testFamiliesPromptPrefixesAndSummaries() throws {
        let expectations: [(String, String, [Int], String)] = [
            ("tiny-opt", "opt", [2], "opt (decoder, learned positions, pre-LN LayerNorm, ReLU MLP, multi-head attention, biases)"),
            ("tiny-opt-post-ln", "opt", [2], "opt (decoder, learned positions, post-LN LayerNorm, ReLU MLP, multi-head attention, biases)"),
            ("tiny-gpt2", "gpt2", [], "gpt2 (decoder, learned positions, pre-LN LayerNorm, GELU (tanh) MLP, multi-head attention, biases)"),
            ("tiny-qwen2", "qwen2", [], "qwen2 (decoder, RMSNorm, RoPE, SwiGLU, grouped-query attention, q/k/v biases)"),
        ]
        for (folder, family, prefix, summary) in expectations {
            let model = try LoadedModel.open(path: Fixtures.url(folder).path).model
            XCTAssertEqual(model.family, family)
            XCTAssertEqual(model.promptPrefix, prefix, folder)
            XCTAssertEqual(model.architectureSummary.first?.value, summary)
        }
        let postLN = try XCTUnwrap(LoadedModel.open(path: Fixtures.url("tiny-opt-post-ln").path).model as? GPTStyleDecoderModel)
        XCTAssertEqual(postLN.configuration.wordEmbeddingSize, 32)
        XCTAssertFalse(postLN.configuration.hasFinalNorm)
        XCTAssertEqual(postLN.weights.entry(named: "model.decoder.embed_positions.weight")?.shape, [130, 64])
        let gpt2 = try XCTUnwrap(LoadedModel.open(path: Fixtures.url("tiny-gpt2").path).model as? GPTStyleDecoderModel)
        XCTAssertEqual(gpt2.configuration.intermediateSize, 192, "n_inner null means 4 × n_embd")
        XCTAssertEqual(gpt2.weights.entry(named: "transformer.h.0.mlp.c_fc.weight")?.shape, [48, 192], "Conv1D layout kept")
    }

    /// The OPT tokenizer prepends its BOS like transformers', so `forward` and `generate` see what
    /// transformers sees.
    func testOPTTokenizerPrependsBOSLikeTransformers() throws {
        let golden = try GoldenFile("tiny-decoders-golden.safetensors")
        let text = try XCTUnwrap(golden.file.metadata["text"])
        let tokenizer = try LoadedModel.open(path: Fixtures.url("tiny-opt").path).tokenizer()
        XCTAssertEqual(tokenizer.encode(text), try golden.integers("opt.text_ids"))
        XCTAssertEqual(tokenizer.specialTokenIDs.bos, 2)
    }
}
