import XCTest
import ZOModels

/// Forward parity with transformers on tiny random LLaMA checkpoints (HF folders, fp32 safetensors).
final class TinyLlamaParityTests: XCTestCase {
    func testLastPositionLogitsMatchTransformersOneByOneAndBatched() throws {
        let golden = try GoldenFile("tiny-llama-golden.safetensors")
        let sequences = try golden.sequences()
        for (folder, key) in [("tiny-llama", "logits_tied"), ("tiny-llama-untied", "logits_untied")] {
            let model = try LoadedModel.open(path: Fixtures.url(folder).path).model
            try assertLastPositionLogits(of: model, sequences, match: try golden.floats(key), folder)
        }
    }

    func testLogitsAtEveryPositionOfASequence() throws {
        let golden = try GoldenFile("tiny-llama-golden.safetensors")
        let sequence = try golden.sequences()[0]
        let model = try LoadedModel.open(path: Fixtures.url("tiny-llama").path).model
        let requests = sequence.indices.map { LogitRequest(sequence: 0, position: $0) }
        let logits = try model.logits([sequence], at: requests)
        let reference = try golden.floats("all_logits_tied")
        XCTAssertEqual(logits.count, reference.count)
        XCTAssertLessThan(maxAbsDifference(logits[...], reference[...]), 1e-4)
    }

    func testConfigurationIsReadFromTransformers5ConfigJSON() throws {
        let untied = try XCTUnwrap(LoadedModel.open(path: Fixtures.url("tiny-llama-untied").path).model as? LlamaModel).configuration
        XCTAssertEqual(untied.ropeTheta, 500_000)
        XCTAssertFalse(untied.tieWordEmbeddings)
        XCTAssertEqual(untied.headDim, 16)
        XCTAssertEqual(untied.keyValueHeadCount, 2)
    }
}
