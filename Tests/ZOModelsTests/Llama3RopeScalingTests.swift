import XCTest
import ZOFormats
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
            try assertLastPositionLogits(of: model, sequences, match: reference, path)
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

    /// GGUF files llama.cpp would compute differently are refused with one sentence each: a rope_freqs
    /// of the wrong length, rope_freqs in a `qwen2` file (its graph has none), and metadata rope
    /// scaling (a type other than "none", or a linear factor without a type).
    func testGGUFRopeScalingThatWouldBeComputedDifferentlyIsRefused() throws {
        let fixture = "formats/tiny-llama3-rope.gguf"
        func assertRefused(_ copy: GGUFCopy, _ expected: (String) -> ModelError, line: UInt = #line) throws {
            let path = try copy.write()
            XCTAssertThrowsError(try LoadedModel.open(path: path), line: line) {
                XCTAssertEqual($0 as? ModelError, expected(path), line: line)
            }
        }
        let short = try GGUFCopy(fixture)
        short.setTensor("rope_freqs.weight", shape: [4], floats: [1, 2, 3, 4])
        try assertRefused(short) {
            .invalidConfiguration(source: $0, reason: "rope frequency factors have 4 values for 8 rotary frequencies")
        }
        for (key, value, reason) in [
            ("llama.rope.scaling.type", GGUFValue.string("yarn"), "rope scaling type yarn is not supported"),
            ("llama.rope.scaling.type", .uint32(1), "rope.scaling.type is not a string"),
            ("llama.rope.scaling.factor", .float32(4), "rope scaling (rope.scaling.factor 4.0) is not supported"),
            ("llama.rope.scale_linear", .float32(2), "rope scaling (rope.scale_linear 2.0) is not supported"),
        ] {
            let copy = try GGUFCopy(fixture)
            copy.set(key, value)
            try assertRefused(copy) { .invalidConfiguration(source: $0, reason: reason) }
        }
        let noneWithFactor = try GGUFCopy(fixture)
        noneWithFactor.set("llama.rope.scaling.type", .string("none"))
        noneWithFactor.set("llama.rope.scaling.factor", .float32(4))
        XCTAssertNoThrow(try LoadedModel.open(path: try noneWithFactor.write()), "type none wins over a factor, as in llama.cpp")

        let qwen2 = try GGUFCopy("formats/tiny-qwen2.gguf")
        qwen2.setTensor("rope_freqs.weight", shape: [8], floats: .init(repeating: 2, count: 8))
        try assertRefused(qwen2) { .unusedWeight(name: "rope_freqs.weight", source: $0) }
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
