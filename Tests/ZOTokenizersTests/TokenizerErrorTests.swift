import Foundation
import XCTest
import ZOTokenizers

/// Loading must fail loudly, naming the JSON path, rather than produce different ids.
final class TokenizerErrorTests: XCTestCase {
    /// The tiny tokenizer.json with one JSON value replaced.
    private func tinyJSON(setting path: [Any], to value: Any) throws -> Data {
        try TokenizerFixtures.patchedJSON("tiny-bpe/tokenizer.json", [(path, value)])
    }

    /// The tiny WordPiece tokenizer.json with some JSON values replaced.
    private func wordPieceJSON(_ patches: [(path: [Any], value: Any)]) throws -> Data {
        try TokenizerFixtures.patchedJSON("tiny-wordpiece/tokenizer.json", patches)
    }

    /// The error loading `data` throws (by default as a byte-level BPE tokenizer), or nil.
    private func loadError(_ data: Data, load: (Data) throws -> Any = { try ByteLevelBPETokenizer(tokenizerJSON: $0) }) -> TokenizerError? {
        tokenizerError { try load(data) }
    }

    func testUnknownPreTokenizerNamesPath() throws {
        let data = try tinyJSON(setting: ["pre_tokenizer", "pretokenizers", 1],
                                to: ["type": "UnicodeScripts"])
        let error = loadError(data)
        XCTAssertEqual(error, .unsupportedComponent(type: "UnicodeScripts", path: "pre_tokenizer.pretokenizers[1].type"))
        XCTAssertEqual(error?.description, #"unsupported tokenizer component "UnicodeScripts" at pre_tokenizer.pretokenizers[1].type"#)
        XCTAssertEqual((error as Error?)?.localizedDescription, error?.description)
    }

    func testUnknownComponentsElsewhere() throws {
        XCTAssertEqual(loadError(try tinyJSON(setting: ["normalizer"], to: ["type": "Precompiled", "precompiled_charsmap": ""])),
                       .unsupportedComponent(type: "Precompiled", path: "normalizer.type"))
        XCTAssertEqual(loadError(try tinyJSON(setting: ["model", "type"], to: "WordPiece")),
                       .unsupportedComponent(type: "WordPiece", path: "model.type"))
        XCTAssertEqual(loadError(try tinyJSON(setting: ["decoder"], to: ["type": "WordPiece"])),
                       .unsupportedComponent(type: "WordPiece", path: "decoder.type"))
        XCTAssertEqual(loadError(try tinyJSON(setting: ["post_processor"], to: ["type": "ChatProcessing"])),
                       .unsupportedComponent(type: "ChatProcessing", path: "post_processor.type"))
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

    /// SentencePiece BPE components: what HF would do differently is refused, naming the path.
    func testSentencePieceErrors() throws {
        func spmError(_ patches: [(path: [Any], value: Any)]) throws -> TokenizerError? {
            loadError(try TokenizerFixtures.patchedJSON("tiny-spm/tokenizer.json", patches)) { try TokenizerLoader.load(tokenizerJSON: $0) }
        }
        let regex: [String: Any] = ["type": "Replace", "pattern": ["Regex": " {2,}"], "content": "\u{2581}"]
        XCTAssertEqual(try spmError([(["normalizer", "normalizers", 1], regex)]),
                       .unsupportedOption(path: "normalizer.normalizers[1].pattern", value: "a non-String pattern"))
        XCTAssertEqual(try spmError([(["decoder", "decoders", 0], regex)]),
                       .unsupportedOption(path: "decoder.decoders[0].pattern", value: "a non-String pattern"))
        XCTAssertEqual(try spmError([(["decoder"], ["type": "ByteLevel"])]),
                       .unsupportedComponent(type: "ByteLevel", path: "decoder.type"))
        XCTAssertEqual(try spmError([(["decoder"], NSNull())]),
                       .unsupportedOption(path: "decoder", value: "null (a Replace/ByteFallback/Fuse/Strip or Metaspace decoder is required)"))
        let metaspace: [String: Any] = ["type": "Metaspace", "replacement": "\u{2581}", "prepend_scheme": "first", "split": false]
        XCTAssertEqual(try spmError([(["pre_tokenizer"], ["type": "Sequence", "pretokenizers": [["type": "Digits"], metaspace]])]),
                       .unsupportedOption(path: "pre_tokenizer.pretokenizers[1].prepend_scheme", value: "\"first\" after another pre-tokenizer"))
        XCTAssertEqual(try spmError([(["pre_tokenizer"], ["type": "Metaspace", "replacement": "__", "prepend_scheme": "always"])]),
                       .invalidField(path: "pre_tokenizer.replacement", expected: "a single character"))
        XCTAssertEqual(try spmError([(["pre_tokenizer"], ["type": "Metaspace", "replacement": "_", "prepend_scheme": "sometimes"])]),
                       .unsupportedOption(path: "pre_tokenizer.prepend_scheme", value: "\"sometimes\""))
        XCTAssertEqual(try spmError([(["pre_tokenizer"], ["type": "Sequence", "pretokenizers": [metaspace, ["type": "ByteLevel"]]])]),
                       .unsupportedOption(path: "pre_tokenizer.pretokenizers[0].type", value: "\"Metaspace\" with a ByteLevel step"))
        // Each tokenizer type names the pre-tokenizer as the difference when handed the other's file.
        XCTAssertEqual(loadError(try TokenizerFixtures.data("tiny-spm/tokenizer.json")),
                       .unsupportedOption(path: "pre_tokenizer", value: "no ByteLevel step (byte-level BPE requires one)"))
        XCTAssertEqual(loadError(try TokenizerFixtures.data("tiny-bpe/tokenizer.json")) { try SentencePieceBPETokenizer(tokenizerJSON: $0) },
                       .unsupportedOption(path: "pre_tokenizer", value: "a ByteLevel step (SentencePiece BPE has none)"))
    }

    /// An empty model vocabulary would encode every text to no tokens; each tokenizer type refuses it.
    func testEmptyVocabularyIsRefused() throws {
        let empty = TokenizerError.invalidVocabulary("it is empty, so every text would encode to no tokens")
        XCTAssertEqual(loadError(try TokenizerFixtures.patchedJSON("tiny-bpe/tokenizer.json", [
            (["model", "vocab"], [String: Any]()), (["model", "merges"], [Any]()),
        ])), empty)
        XCTAssertEqual(loadError(try wordPieceJSON([(["model", "vocab"], [String: Any]())])) { try TokenizerLoader.load(tokenizerJSON: $0) },
                       empty)
        XCTAssertEqual(empty.description, "invalid tokenizer vocabulary: it is empty, so every text would encode to no tokens")
    }

    func testGGUFErrors() {
        XCTAssertThrowsError(try ByteLevelBPETokenizer(vocabulary: ["a"], merges: [], tokenTypes: nil, preTokenizer: "deepseek-llm")) { error in
            XCTAssertEqual(error as? TokenizerError, .unsupportedPreTokenizer("deepseek-llm"))
            XCTAssertEqual("\(error)", #"unsupported pre-tokenizer "deepseek-llm""#)
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

    /// Truncation and padding saved in a tokenizer.json are batch defaults that transformers overrides
    /// on every call; they are accepted and not applied (MiniLM's file has both).
    func testTruncationAndPaddingAreReadButNotApplied() throws {
        let data = try TokenizerFixtures.patchedJSON("tiny-bpe/tokenizer.json", [
            (["truncation"], ["max_length": 2, "strategy": "LongestFirst", "stride": 0]),
            (["padding"], ["strategy": ["Fixed": 16], "direction": "Right", "pad_id": 0, "pad_token": "<|endoftext|>"]),
        ])
        let tokenizer = try ByteLevelBPETokenizer(tokenizerJSON: data)
        XCTAssertEqual(tokenizer.encode("hello world, this is long"), try TokenizerFixtures.tinyTokenizer().encode("hello world, this is long"))
        XCTAssertEqual(loadError(try tinyJSON(setting: ["truncation"], to: 8)),
                       .invalidField(path: "truncation", expected: "an object, found a number"))
    }

    /// WordPiece files: unknown components name their path, and the pieces that only fit the other
    /// model are refused.
    func testWordPieceErrorsNamePaths() throws {
        let loadWordPiece: (Data) throws -> Any = { try WordPieceTokenizer(tokenizerJSON: $0) }
        let loadAny: (Data) throws -> Any = { try TokenizerLoader.load(tokenizerJSON: $0) }
        XCTAssertEqual(loadError(try wordPieceJSON([(["normalizer"], ["type": "Sequence", "normalizers": [["type": "NFD"], ["type": "NFKD"]]])]), load: loadAny),
                       .unsupportedComponent(type: "NFKD", path: "normalizer.normalizers[1].type"))
        XCTAssertEqual(loadError(try wordPieceJSON([(["pre_tokenizer"], ["type": "Sequence", "pretokenizers": [["type": "WhitespaceSplit"], ["type": "Punctuation"]]])]), load: loadAny),
                       .unsupportedComponent(type: "Punctuation", path: "pre_tokenizer.pretokenizers[1].type"))
        XCTAssertEqual(loadError(try wordPieceJSON([(["model", "type"], "Unigram")]), load: loadAny),
                       .unsupportedComponent(type: "Unigram", path: "model.type"))
        XCTAssertEqual(loadError(try wordPieceJSON([(["decoder"], ["type": "ByteLevel"])]), load: loadWordPiece),
                       .unsupportedComponent(type: "ByteLevel", path: "decoder.type"))
        XCTAssertEqual(loadError(try wordPieceJSON([(["post_processor"], ["type": "ChatProcessing"])]), load: loadWordPiece),
                       .unsupportedComponent(type: "ChatProcessing", path: "post_processor.type"))
        XCTAssertEqual(loadError(try wordPieceJSON([]), load: { try ByteLevelBPETokenizer(tokenizerJSON: $0) }),
                       .unsupportedComponent(type: "WordPiece", path: "model.type"))
        XCTAssertEqual(loadError(try tinyJSON(setting: ["model", "type"], to: "BPE"), load: loadWordPiece),
                       .unsupportedComponent(type: "BPE", path: "model.type"))
        XCTAssertEqual(loadError(try wordPieceJSON([(["pre_tokenizer"], ["type": "ByteLevel"])]), load: loadWordPiece),
                       .unsupportedOption(path: "pre_tokenizer.type", value: "\"ByteLevel\" with a WordPiece model"))
        XCTAssertEqual(loadError(try wordPieceJSON([(["decoder"], NSNull())]), load: loadWordPiece),
                       .unsupportedOption(path: "decoder", value: "null (a WordPiece decoder is required)"))
        XCTAssertEqual(loadError(try wordPieceJSON([(["model", "unk_token"], "<nope>")]), load: loadWordPiece),
                       .invalidVocabulary("unk_token \"<nope>\" is not in the vocabulary"))
        XCTAssertEqual(loadError(try wordPieceJSON([(["post_processor"], ["type": "BertProcessing", "sep": ["[SEP]"], "cls": ["[CLS]", 2]])]), load: loadWordPiece),
                       .invalidField(path: "post_processor.sep", expected: "a [token, id] pair"))
    }
}
