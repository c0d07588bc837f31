import XCTest
import ZOModels

/// config.json decodes through each family's Decodable description: what JSONDecoder itself finds
/// (a missing key, a null where a value is required, text that is not a JSON object) and what the
/// field types find are one sentence each, naming the key; keys inside objects are named by their
/// path. (DeclaredSizeTests covers sizes and wrong JSON types, the bad-input corpus the CLI.)
final class ConfigDecodingTests: XCTestCase {
    private func reason(_ fixture: String, _ edit: [String: Any]) throws -> String? {
        try FixtureCopy(fixture).configurationError(after: edit)
    }

    func testMissingAndNullRequiredKeysAreNamed() throws {
        let copy = try FixtureCopy("tiny-opt")
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: copy.configURL)) as? [String: Any])
        object["ffn_dim"] = nil
        try JSONSerialization.data(withJSONObject: object).write(to: copy.configURL)
        XCTAssertEqual(try copy.configurationError(after: [:]), "ffn_dim is missing")
        XCTAssertEqual(try reason("tiny-bert", ["vocab_size": NSNull()]), "vocab_size is missing")
    }

    func testFilesThatAreNotAJSONObjectAreRefused() throws {
        XCTAssertEqual(try FixtureCopy("tiny-llama").configurationError(replacingWith: "[1, 2]"), "it is not a JSON object")
        XCTAssertEqual(try FixtureCopy("tiny-llama").configurationError(replacingWith: #"{"model_type": "#), "it is not valid JSON")
    }

    func testValuesInsideObjectsAreNamedByTheirPath() throws {
        let llama3 = ["rope_type": "llama3", "rope_theta": 500000.0, "factor": "8", "low_freq_factor": 1.0,
                      "high_freq_factor": 4.0, "original_max_position_embeddings": 64] as [String: Any]
        XCTAssertEqual(try reason("tiny-llama3-rope", ["rope_parameters": llama3]),
                       #"rope_parameters.factor must be a number, found the string "8""#)
        XCTAssertEqual(try reason("tiny-llama", ["rope_parameters": ["rope_theta": true]]),
                       "rope_parameters.rope_theta must be a number, found true")
    }

    func testOptionsTheForwardDoesNotImplementAreNamedWithTheirValue() throws {
        XCTAssertEqual(try reason("tiny-llama", ["hidden_act": "gelu"]), "hidden_act gelu is not supported")
        XCTAssertEqual(try reason("tiny-llama", ["hidden_act": 3]), "hidden_act must be a string, found the number 3")
        XCTAssertEqual(try reason("tiny-llama", ["mlp_bias": true]), "mlp_bias = true is not supported")
        XCTAssertEqual(try reason("tiny-bert", ["position_embedding_type": "relative_key"]),
                       "position_embedding_type relative_key is not supported")
        XCTAssertEqual(try reason("tiny-bert", ["is_decoder": true]), "is_decoder = true is not supported")
        XCTAssertEqual(try reason("tiny-roberta-mlm", ["hidden_act": "swish"]), "hidden_act swish is not supported")
        XCTAssertEqual(try reason("tiny-opt", ["bos_token_id": 2.5]), "bos_token_id must be an integer, found the number 2.5")
    }

    /// Label names size a new classifier; their count has a limit like any declared size.
    func testLabelNamesAreAnObjectOfBoundedSize() throws {
        XCTAssertEqual(try reason("tiny-bert", ["id2label": ["negative", "positive"]]), "id2label must be an object, found an array")
        let many = Dictionary(uniqueKeysWithValues: (0...(1 << 14)).map { ("\($0)", "label \($0)") })
        XCTAssertEqual(try reason("tiny-bert", ["id2label": many]),
                       "the label count of id2label is 16385, more than the 16384 ZOTune accepts for it")
        XCTAssertNil(try reason("tiny-bert", ["id2label": ["0": "negative", "1": "positive", "2": "neutral"], "num_labels": 2]))
    }

    /// Keys ZOTune does not read, and null for an optional one, change nothing.
    func testUnknownKeysAndNullOptionalsAreIgnored() throws {
        XCTAssertNil(try reason("tiny-gpt2", ["n_inner": NSNull(), "summary_type": "cls_index", "some_future_option": [1, 2]]))
    }
}
