import Foundation
import XCTest
import ZOFormats
import ZOModels

/// Sizes read from config.json and GGUF metadata: typed, positive, within `DeclaredSize` limits, and
/// compared with the file's tensors before the model is built (the CLI's bad-input corpus runs the
/// same cases end to end with a memory bound).
final class DeclaredSizeTests: XCTestCase {
    private func reason(_ fixture: String, _ edit: [String: Any]) throws -> String? {
        try FixtureCopy(fixture).configurationError(after: edit)
    }

    func testWrongJSONTypesAreNamedAsWrong() throws {
        XCTAssertEqual(try reason("tiny-llama", ["hidden_size": "64"]), #"hidden_size must be an integer, found the string "64""#)
        XCTAssertEqual(try reason("tiny-llama", ["hidden_size": 64.5]), "hidden_size must be an integer, found the number 64.5")
        XCTAssertEqual(try reason("tiny-llama", ["num_hidden_layers": true]), "num_hidden_layers must be an integer, found true")
        XCTAssertEqual(try reason("tiny-llama", ["vocab_size": [512]]), "vocab_size must be an integer, found an array")
        XCTAssertEqual(try reason("tiny-llama", ["rms_norm_eps": "tiny"]), #"rms_norm_eps must be a number, found the string "tiny""#)
        XCTAssertEqual(try reason("tiny-opt", ["enable_bias": 1]), "enable_bias must be true or false, found the number 1")
        XCTAssertEqual(try reason("tiny-gpt2", ["n_embd": "48"]), #"n_embd must be an integer, found the string "48""#)
        // An integral number written as a float is the integer; null is absent (the default applies).
        XCTAssertNil(try reason("tiny-llama", ["hidden_size": 64.0, "rms_norm_eps": NSNull()]))
    }

    func testSizesMustBePositiveAndWithinTheirLimit() throws {
        XCTAssertEqual(try reason("tiny-bert", ["hidden_size": -48]), "hidden_size must be positive, got -48")
        XCTAssertEqual(try reason("tiny-llama", ["num_hidden_layers": 1 << 11]),
                       "num_hidden_layers is 2048, more than the 1024 ZOTune accepts for it")
        XCTAssertEqual(try reason("tiny-llama", ["vocab_size": 1 << 40]),
                       "vocab_size is 1099511627776, more than the 4194304 ZOTune accepts for it")
        XCTAssertEqual(try reason("tiny-qwen2", ["intermediate_size": 1 << 30]),
                       "intermediate_size is 1073741824, more than the 262144 ZOTune accepts for it")
    }

    /// A layer count the weights do not hold is named by its key, before any layer is allocated.
    func testMissingLayersNameTheLayerCount() throws {
        let copy = try FixtureCopy("tiny-opt")
        try copy.setConfig(["num_hidden_layers": 1000])
        XCTAssertThrowsError(try copy.load()) {
            XCTAssertEqual($0 as? ModelError, .missingLayers(key: "num_hidden_layers", declared: 1000, present: 2, source: copy.folder.path))
        }
        let gguf = try GGUFCopy("formats/tiny-gpt2.gguf")
        gguf.set("gpt2.block_count", .uint32(1000))
        XCTAssertThrowsError(try LoadedModel.open(path: try gguf.write())) {
            XCTAssertEqual("\($0)", "metadata gpt2.block_count declares 1000 layers but \(gguf.path) holds the weights of 2")
        }
    }

    func testGGUFMetadataOfTheWrongTypeIsNamedAsWrong() throws {
        let copy = try GGUFCopy("formats/tiny-qwen2.gguf")
        copy.set("qwen2.block_count", .string("2"))
        XCTAssertThrowsError(try LoadedModel.open(path: try copy.write())) {
            XCTAssertEqual($0 as? ModelError, .invalidConfiguration(
                source: copy.path, reason: #"metadata qwen2.block_count must be an integer, found "2""#))
        }
        copy.set("qwen2.block_count", .uint32(2))
        copy.set("qwen2.attention.layer_norm_rms_epsilon", .string("tiny"))
        XCTAssertThrowsError(try LoadedModel.open(path: try copy.write())) {
            XCTAssertEqual($0 as? ModelError, .invalidConfiguration(
                source: copy.path, reason: #"metadata qwen2.attention.layer_norm_rms_epsilon must be a number, found "tiny""#))
        }
    }

    /// A NaN or infinite weight is refused at load, named as the file names it.
    func testNonFiniteWeightsAreRefused() throws {
        let copy = try GGUFCopy("formats/tiny-gpt2.gguf")
        copy.setTensor("output_norm.weight", shape: [48], floats: [1, .infinity] + .init(repeating: 1, count: 46))
        XCTAssertThrowsError(try LoadedModel.open(path: try copy.write())) {
            XCTAssertEqual($0 as? ModelError, .nonFiniteWeight(name: "output_norm.weight", index: 1, value: .infinity, source: copy.path))
        }
    }
}
