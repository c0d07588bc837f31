import Foundation
import XCTest
import ZOFormats
import ZOModels

/// A `gpt2` GGUF (llama.cpp layout: Conv1D weights transposed to outputs × inputs, output.weight a
/// copy of token_embd, one tensor Q8_0) loads into the same arena as the tiny-gpt2 HF folder, in
/// Conv1D layout. The file is written from the folder by scripts/reference/make_tiny_gguf.py, whose
/// golden holds transformers' GPT2LMHeadModel loaded from the same file (its own dequantization and
/// transposition).
final class GPT2GGUFTests: XCTestCase {
    private let fixture = "formats/tiny-gpt2.gguf"
    private let quantized = "transformer.h.1.mlp.c_proj.weight"

    private func open(_ path: String) throws -> GPTStyleDecoderModel {
        try XCTUnwrap(LoadedModel.open(path: path).model as? GPTStyleDecoderModel)
    }

    func testWeightsAreTheFoldersInConv1DLayoutAndTheQuantizedOneIsTransformersDequantization() throws {
        let fromGGUF = try open(Fixtures.url(fixture).path)
        let fromFolder = try open(Fixtures.url("tiny-gpt2").path)
        XCTAssertEqual(fromGGUF.family, "gpt2")
        XCTAssertEqual(fromGGUF.configuration, fromFolder.configuration, "tied head, no BOS prefix, 128 positions, …")
        XCTAssertEqual(fromGGUF.weights.entries.map(\.name), fromFolder.weights.entries.map(\.name))
        XCTAssertEqual(fromGGUF.weights.entries.map(\.shape), fromFolder.weights.entries.map(\.shape))
        for entry in fromFolder.weights.entries where entry.name != quantized {
            let other = try XCTUnwrap(fromGGUF.weights.entry(named: entry.name))
            XCTAssertEqual(Array(fromGGUF.weights.values(other)), Array(fromFolder.weights.values(entry)), entry.name)
        }
        let dequantized = Array(fromGGUF.weights.values(try XCTUnwrap(fromGGUF.weights.entry(named: quantized))))
        XCTAssertEqual(dequantized, try GoldenFile("tiny-gguf-golden.safetensors").floats("gpt2.h1_mlp_c_proj"))
        let original = Array(fromFolder.weights.values(try XCTUnwrap(fromFolder.weights.entry(named: quantized))))
        XCTAssertNotEqual(dequantized, original, "Q8_0 is lossy")
        XCTAssertLessThan(maxAbsDifference(dequantized[...], original[...]), 0.01 * original.map(abs).max()!)
        withExtendedLifetime((fromGGUF, fromFolder)) {}
    }

    func testLogitsMatchTransformersRunningTheSameFile() throws {
        let golden = try GoldenFile("tiny-gguf-golden.safetensors")
        let sequences = try golden.sequences(ids: "gpt2.input_ids", lengths: "gpt2.lengths")
        let reference = try golden.floats("gpt2.logits")
        let model = try open(Fixtures.url(fixture).path)
        let requests = sequences.indices.flatMap { s in sequences[s].indices.map { LogitRequest(sequence: s, position: $0) } }
        let logits = try model.logits(sequences, at: requests)
        XCTAssertEqual(logits.count, reference.count)
        XCTAssertLessThan(maxAbsDifference(logits[...], reference[...]), 1e-5)
        print("tiny-gpt2.gguf: max |Δlogit| vs transformers \(maxAbsDifference(logits[...], reference[...]))")
    }

    /// An output.weight that is not the embedding table again is a separate head, as llama.cpp reads it.
    func testADifferentOutputWeightIsASeparateHead() throws {
        let copy = try GGUFCopy(fixture)
        let embedding = try XCTUnwrap(try GGUFFile(path: Fixtures.url(fixture).path).tensor(named: "token_embd.weight"))
        let head = try embedding.floats().map { $0 * 0.5 }
        copy.setTensor("output.weight", shape: embedding.shape, floats: head)
        let untied = try open(try copy.write())
        XCTAssertFalse(untied.configuration.tieWordEmbeddings)
        XCTAssertEqual(Array(untied.weights.values(try XCTUnwrap(untied.weights.entry(named: "lm_head.weight")))), head)
        let tied = try open(Fixtures.url(fixture).path)
        XCTAssertTrue(tied.configuration.tieWordEmbeddings)
        XCTAssertNil(tied.weights.entry(named: "lm_head.weight"))
        // Without output.weight (newer converters) the head is tied too.
        copy.removeTensor("output.weight")
        XCTAssertTrue(try open(try copy.write()).configuration.tieWordEmbeddings)
    }

    /// Prompts start with BOS only when the file asks for it, as llama.cpp does; GPT-2's own files
    /// (and the HF route) add none.
    func testAddBOSTokenMetadataSetsThePromptPrefix() throws {
        XCTAssertEqual(try open(Fixtures.url(fixture).path).promptPrefix, [])
        let copy = try GGUFCopy(fixture)
        copy.set("tokenizer.ggml.add_bos_token", .bool(true))
        XCTAssertEqual(try open(try copy.write()).promptPrefix, [0])
        copy.set("tokenizer.ggml.add_bos_token", .bool(false))
        XCTAssertEqual(try open(try copy.write()).promptPrefix, [])
    }

    func testErrorsNameTheFilesTensors() throws {
        let copy = try GGUFCopy(fixture)
        copy.removeTensor("blk.0.attn_qkv.weight")
        XCTAssertThrowsError(try LoadedModel.open(path: try copy.write())) {
            XCTAssertEqual($0 as? ModelError, .missingWeight(name: "blk.0.attn_qkv.weight", source: copy.path))
            XCTAssertEqual("\($0)", "weight blk.0.attn_qkv.weight is missing from \(copy.path)")
        }
        let shaped = try GGUFCopy(fixture)
        shaped.setTensor("blk.1.ffn_up.weight", shape: [48, 192], floats: .init(repeating: 0, count: 48 * 192))
        XCTAssertThrowsError(try LoadedModel.open(path: try shaped.write())) {
            // Stored outputs × inputs: the file must hold [192, 48].
            XCTAssertEqual($0 as? ModelError, .wrongShape(name: "blk.1.ffn_up.weight", expected: [192, 48], actual: [48, 192]))
        }
        let missingMetadata = try GGUFCopy(fixture)
        missingMetadata.metadata.removeAll { $0.key == "gpt2.block_count" }
        XCTAssertThrowsError(try LoadedModel.open(path: try missingMetadata.write())) {
            XCTAssertEqual($0 as? ModelError, .invalidConfiguration(
                source: missingMetadata.path, reason: "metadata gpt2.block_count is missing"))
        }
    }
}
