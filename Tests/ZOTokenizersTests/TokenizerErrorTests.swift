import Foundation
import XCTest
import ZOTokenizers

/// Loading must fail loudly, naming the JSON path, rather than produce different ids.
final class TokenizerErrorTests: XCTestCase {
    /// The tiny tokenizer.json with one JSON value replaced.
    private func tinyJSON(setting path: [Any], to value: Any) throws -> Data {
        var doc = try JSONSerialization.jsonObject(with: TokenizerFixtures.data("tiny-bpe/tokenizer.json"),
                                                   options: [.mutableContainers]) as Any
        doc = set(doc, path[...], value)
        return try JSONSerialization.data(withJSONObject: doc)
    }

    private func set(_ root: Any, _ path: ArraySlice<Any>, _ value: Any) -> Any {
        guard let head = path.first else { return value }
        if let key = head as? String {
            var object = root as! [String: Any]
            object[key] = set(object[key] ?? NSNull(), path.dropFirst(), value)
            return object
        }
        var array = root as! [Any]
        array[head as! Int] = set(array[head as! Int], path.dropFirst(), value)
        return array
    }

    private func loadError(_ data: Data) -> TokenizerError? {
        do {
            _ = try ByteLevelBPETokenizer(tokenizerJSON: data)
            return nil
        } catch let error as TokenizerError {
            return error
        } catch {
            XCTFail("unexpected error type: \(error)")
            return nil
        }
    }

    func testUnknownPreTokenizerNamesPath() throws {
        let data = try tinyJSON(setting: ["pre_tokenizer", "pretokenizers", 1],
                                to: ["type": "Metaspace", "replacement": "\u{2581}", "prepend_scheme": "always"])
        let error = loadError(data)
        XCTAssertEqual(error, .unsupportedComponent(type: "Metaspace", path: "pre_tokenizer.pretokenizers[1].type"))
        XCTAssertEqual(error?.description, #"unsupported tokenizer component "Metaspace" at pre_tokenizer.pretokenizers[1].type"#)
        XCTAssertEqual((error as Error?)?.localizedDescription, error?.description)
    }

    func testUnknownComponentsElsewhere() throws {
        XCTAssertEqual(loadError(try tinyJSON(setting: ["normalizer"], to: ["type": "Lowercase"])),
                       .unsupportedComponent(type: "Lowercase", path: "normalizer.type"))
        XCTAssertEqual(loadError(try tinyJSON(setting: ["model", "type"], to: "WordPiece")),
                       .unsupportedComponent(type: "WordPiece", path: "model.type"))
        XCTAssertEqual(loadError(try tinyJSON(setting: ["decoder"], to: ["type": "WordPiece"])),
                       .unsupportedComponent(type: "WordPiece", path: "decoder.type"))
        XCTAssertEqual(loadError(try tinyJSON(setting: ["post_processor"], to: ["type": "RobertaProcessing"])),
                       .unsupportedComponent(type: "RobertaProcessing", path: "post_processor.type"))
        XCTAssertEqual(loadError(try tinyJSON(setting: ["normalizer"], to: ["type": "Sequence", "normalizers": [["type": "NFC"], ["type": "NFKC"]]])),
                       .unsupportedComponent(type: "NFKC", path: "normalizer.normalizers[1].type"))
    }

    func testUnsupportedOptions() throws {
        XCTAssertEqual(loadError(try tinyJSON(setting: ["model", "byte_fallback"], to: true)),
                       .unsupportedOption(path: "model.byte_fallback", value: "true"))
        XCTAssertEqual(loadError(try tinyJSON(setting: ["model", "dropout"], to: 0.1)),
                       .unsupportedOption(path: "model.dropout", value: "0.1"))
        if case .unsupportedOption(let path, _)? = loadError(try tinyJSON(
            setting: ["pre_tokenizer", "pretokenizers", 0], to: ["type": "Split", "pattern": ["Regex": "\\s+"], "behavior": "Isolated", "invert": false])) {
            XCTAssertEqual(path, "pre_tokenizer.pretokenizers[0].pattern.Regex")
        } else {
            XCTFail("non-GPT-2 Split pattern must be rejected")
        }
        if case .unsupportedOption(let path, _)? = loadError(try tinyJSON(setting: ["truncation"], to: ["max_length": 8])) {
            XCTAssertEqual(path, "truncation")
        } else {
            XCTFail("truncation must be rejected")
        }
        if case .unsupportedOption(let path, _)? = loadError(try tinyJSON(setting: ["pre_tokenizer"], to: ["type": "Digits", "individual_digits": true])) {
            XCTAssertEqual(path, "pre_tokenizer")  // no ByteLevel step at all
        } else {
            XCTFail("a pre-tokenizer without ByteLevel must be rejected")
        }
    }

    func testMalformedJSON() {
        for text in ["", "{", "{\"model\": }", "[1, 2,]", "{\"a\": 1} x", "{\"a\": \"unterminated}", "nul"] {
            guard case .malformedJSON? = loadError(Data(text.utf8)) else {
                XCTFail("expected malformedJSON for \(text)")
                continue
            }
        }
        if case let .malformedJSON(offset, _)? = loadError(Data("{\"model\": }".utf8)) {
            XCTAssertEqual(offset, 10)
        }
    }

    func testStructuralErrors() throws {
        XCTAssertEqual(loadError(Data("[]".utf8)), .invalidField(path: "<root>", expected: "an object, found an array"))
        XCTAssertEqual(loadError(Data("{}".utf8)), .invalidField(path: "model", expected: "a value (field is missing)"))
        XCTAssertEqual(loadError(try tinyJSON(setting: ["model", "vocab"], to: [1, 2])),
                       .invalidField(path: "model.vocab", expected: "an object of token -> id"))
        if case let .invalidMerge(index, _, _)? = loadError(try tinyJSON(setting: ["model", "merges", 3], to: ["x", "nope"])) {
            XCTAssertEqual(index, 3)
        } else {
            XCTFail("a merge naming an unknown token must be rejected")
        }
    }

    func testGGUFErrors() {
        XCTAssertThrowsError(try ByteLevelBPETokenizer(vocabulary: ["a"], merges: [], tokenTypes: nil, preTokenizer: "llama-bpe")) { error in
            XCTAssertEqual(error as? TokenizerError, .unsupportedPreTokenizer("llama-bpe"))
            XCTAssertEqual("\(error)", #"unsupported pre-tokenizer "llama-bpe""#)
        }
        XCTAssertThrowsError(try ByteLevelBPETokenizer(vocabulary: ["a", "b"], merges: [], tokenTypes: [1], preTokenizer: nil)) { error in
            guard case .invalidVocabulary? = error as? TokenizerError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try ByteLevelBPETokenizer(vocabulary: ["a", "b", "ab"], merges: ["ab"], tokenTypes: nil, preTokenizer: nil)) { error in
            XCTAssertEqual(error as? TokenizerError, .invalidMerge(index: 0, merge: "ab", reason: "expected two tokens separated by a space"))
        }
        XCTAssertThrowsError(try ByteLevelBPETokenizer(vocabulary: ["a", "b"], merges: ["a b"], tokenTypes: nil, preTokenizer: nil)) { error in
            guard case .invalidMerge(0, "a b", _)? = error as? TokenizerError else { return XCTFail("\(error)") }
        }
    }
}
