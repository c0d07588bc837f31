import Foundation
import XCTest
import ZOFormats
import ZOModels
import ZOTokenizers

/// Tokenizers rebuilt from llama.cpp GGUF metadata (files written by scripts/reference/make_tiny_gguf.py
/// as the converter writes them) give HF `tokenizers`' ids on every line of both corpora, and decode
/// as HF does: BERT's WordPiece from the phantom-space vocabulary (uncased and cased), and GPT-2's
/// byte-level BPE.
final class GGUFWordPieceTests: XCTestCase {
    private func tokenizer(_ file: String) throws -> any TextTokenizer {
        let formats = TokenizerFixtures.directory.deletingLastPathComponent().appendingPathComponent("formats")
        return try TokenizerLoader.load(gguf: GGUFFile(path: formats.appendingPathComponent(file).path))
    }

    /// Same ids, token spellings, special roles and decoding as the tokenizer.json the file came from.
    private func assertSameAsHF(_ gguf: any TextTokenizer, _ name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let hf = try TokenizerLoader.load(tokenizerJSON: TokenizerFixtures.data("\(name)/tokenizer.json"))
        XCTAssertTrue(type(of: gguf) == type(of: hf), "\(type(of: gguf))", file: file, line: line)
        try assertMatchesHF(gguf, name, file: file, line: line)
        XCTAssertEqual(gguf.vocabularySize, hf.vocabularySize, file: file, line: line)
        XCTAssertEqual(gguf.specialTokenIDs, hf.specialTokenIDs, file: file, line: line)
        let ids = 0..<hf.vocabularySize
        XCTAssertEqual(ids.map { gguf.token(forID: $0) }, ids.map { hf.token(forID: $0) }, file: file, line: line)
        XCTAssertEqual(ids.map { gguf.isSpecialToken($0) }, ids.map { hf.isSpecialToken($0) }, file: file, line: line)
    }

    func testUncasedBertFileMatchesHF() throws {
        try assertSameAsHF(try tokenizer("tiny-bert.gguf"), "tiny-wordpiece")
    }

    /// The cased vocabulary (pieces such as `##A`) is not lowercased, although llama.cpp would.
    func testCasedVocabularyFileMatchesHF() throws {
        let cased = try tokenizer("tiny-wordpiece-cased-vocab.gguf")
        try assertSameAsHF(cased, "tiny-wordpiece-cased")
        XCTAssertNotEqual(cased.encode("Paris", addSpecialTokens: false), cased.encode("paris", addSpecialTokens: false))
    }

    func testGPT2FileMatchesHF() throws {
        try assertSameAsHF(try tokenizer("tiny-gpt2.gguf"), "tiny-gpt2")
    }

    /// The phantom-space spelling on a hand-made vocabulary: `▁x` is a word start, `x` the
    /// continuation `##x`, control tokens stay as they are; without recorded ids the roles are
    /// found by name.
    func testPhantomSpaceVocabulary() throws {
        let tokens = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "\u{2581}play", "ing", "\u{2581}!", "\u{2581}\u{2581}x", "\u{2581}ca", "fe"]
        var types = [Int32](repeating: 1, count: tokens.count)
        for id in 0..<5 { types[id] = 3 }
        let t = try WordPieceTokenizer(ggufTokens: tokens, tokenTypes: types, recorded: SpecialTokenIDs())
        XCTAssertEqual(t.specialTokenIDs, SpecialTokenIDs(cls: 2, sep: 3, mask: 4, pad: 0, unknown: 1))
        XCTAssertEqual(t.encode("Playing!"), [2, 5, 6, 7, 3])
        XCTAssertEqual(t.encode("Café [MASK] zzz", addSpecialTokens: false), [9, 10, 4, 1], "lowercased, accent stripped")
        XCTAssertEqual(t.token(forID: 6), "##ing")
        XCTAssertEqual(t.token(forID: 8), "\u{2581}x", "only the phantom space is removed")
        XCTAssertEqual(t.decode([2, 5, 6, 7, 3], skipSpecialTokens: true), "playing!")

        XCTAssertThrowsError(try WordPieceTokenizer(ggufTokens: tokens, tokenTypes: nil, recorded: SpecialTokenIDs())) {
            XCTAssertEqual($0 as? TokenizerError, .invalidVocabulary(
                "a BERT vocabulary needs tokenizer.ggml.token_type to tell control tokens from word pieces"))
        }
        var withoutUnknown = types
        withoutUnknown[1] = 1
        XCTAssertThrowsError(try WordPieceTokenizer(ggufTokens: tokens, tokenTypes: withoutUnknown, recorded: SpecialTokenIDs())) {
            XCTAssertEqual($0 as? TokenizerError, .invalidVocabulary(
                "a BERT vocabulary needs [CLS], [SEP] and [UNK] tokens (by tokenizer.ggml.*_token_id or by name)"))
        }
    }
}
