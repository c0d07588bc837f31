import XCTest
import ZOModels
import ZOTensor

/// Llama 3.1/3.2's rope scaling (`"rope_type": "llama3"`) against transformers, from an HF folder and
/// from a GGUF file carrying llama.cpp's `rope_freqs.weight`. tiny-llama3-rope has tiny-llama-untied's
/// weights and rope_theta, with original_max_position_embeddings 64 so its 8 frequencies fall in all
/// three bands (scripts/reference/make_tiny_llama.py; the GGUF by make_tiny_gguf.py).
final class Llama3RopeScalingTests: XCTestCase {
    func testFolderLogitsMatchTransformersOneByOneAndBatched() throws {
        let golden = try GoldenFile("tiny-llama-golden.safetensors")
        let sequences = try golden.sequences()
        let reference = try golden.floats("logits_llama3")
        for path in ["tiny-llama3-rope", "formats/tiny-llama3-rope.gguf"] {
            let model = try LoadedModel.open(path: Fixtures.url(path).path).model
            let vocabulary = model.outputSize
            let batched = try model.lastPositionLogits(sequences)
            for (i, sequence) in sequences.enumerated() {
                let single = try model.lastPositionLogits([sequence])
                let row = (i * vocabulary)..<((i + 1) * vocabulary)
                XCTAssertLessThan(maxAbsDifference(single[...], reference[row]), 1e-4, "\(path) sequence \(i)")
                XCTAssertLessThan(maxAbsDifference(batched[row], reference[row]), 1e-4, "\(path) batched \(i)")
            }
        }
    }

    /// The same weights without the scaling give clearly different logits: the test above has teeth.
    func testScalingChangesTheLogits() throws {
        let golden = try GoldenFile("tiny-llama-golden.safetensors")
        let longest = try golden.sequences()[0]
        let plain = try LoadedModel.open(path: Fixtures.url("tiny-llama-untied").path).model
        let scaled = try LoadedModel.open(path: Fixtures.url("tiny-llama3-rope").path).model
        XCTAssertGreaterThan(
            maxAbsDifference(try plain.lastPositionLogits([longest])[...], try scaled.lastPositionLogits([longest])[...]), 0.05)
    }

    func testInverseFrequenciesMatchTransformersFromFolderAndGGUF() throws {
        let reference = try GoldenFile("tiny-llama-golden.safetensors").floats("inv_freq_llama3")
        for path in ["tiny-llama3-rope", "formats/tiny-llama3-rope.gguf"] {
            let model = try XCTUnwrap(LoadedModel.open(path: Fixtures.url(path).path).model as? LlamaModel)
            let c = model.configuration
            XCTAssertNotNil(c.ropeFrequencyDivisors, path)
            let frequencies = RotaryEmbedding(headDim: c.headDim, base: c.ropeTheta, frequencyDivisors: c.ropeFrequencyDivisors)
                .inverseFrequencies
            XCTAssertEqual(frequencies.count, reference.count)
            for (ours, theirs) in zip(frequencies, reference) {
                XCTAssertEqual(ours, theirs, accuracy: theirs * 2e-6, path)
            }
        }
    }

    func testFactorsOfTheWrongCountAreRefused() throws {
        let model = try XCTUnwrap(LoadedModel.open(path: Fixtures.url("tiny-llama3-rope").path).model as? LlamaModel)
        var configuration = model.configuration
        configuration.ropeFrequencyDivisors = [1, 2, 3]
        XCTAssertThrowsError(try configuration.validate(source: "config.json")) {
            XCTAssertEqual($0 as? ModelError, .invalidConfiguration(
                source: "config.json", reason: "rope frequency factors have 3 values for 8 rotary frequencies"))
        }
        configuration.ropeFrequencyDivisors = [1, 1, 1, 1, 1, 1, 1, 0]
        XCTAssertThrowsError(try configuration.validate(source: "config.json"))
    }
}
