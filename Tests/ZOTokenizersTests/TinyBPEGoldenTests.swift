import Foundation
import XCTest
import ZOTokenizers

/// The tiny byte-level BPE trained by `make_golden.py` (model vocabulary 512 + `<tool>`), loaded from
/// its tokenizer.json and compared with HF `tokenizers` on the whole corpus.
final class TinyBPEGoldenTests: XCTestCase {
    func testEveryCorpusLineMatchesHF() throws {
        let tokenizer = try TokenizerFixtures.tinyTokenizer()
        let golden = try TokenizerFixtures.jsonLines("tiny-golden.jsonl", as: GoldenLine.self)
        let corpus = try TokenizerFixtures.corpus()
        XCTAssertGreaterThanOrEqual(golden.count, 2000)
        XCTAssertEqual(golden.map(\.text).count, corpus.count)
        for (g, c) in zip(golden, corpus) { XCTAssertTrue(sameScalars(g.text, c), "golden and corpus out of step") }

        let report = checkGolden(tokenizer, golden)
        XCTAssertEqual(report.idsMatched, report.total, report.summary)
        XCTAssertEqual(report.decodeMatched, report.total, report.summary)
    }

    /// Every byte is in the tiny vocabulary, and `<tool>` does not strip, so decoding is lossless.
    func testRoundTripIsExact() throws {
        let tokenizer = try TokenizerFixtures.tinyTokenizer()
        var failures: [String] = []
        for text in try TokenizerFixtures.corpus() {
            let back = tokenizer.decode(tokenizer.encode(text))
            if !sameScalars(back, text) { failures.append(escaped(text)) }
        }
        XCTAssertEqual(failures, [])
    }

    func testDecodeMatchesHF() throws {
        let tokenizer = try TokenizerFixtures.tinyTokenizer()
        let lines = try TokenizerFixtures.jsonLines("tiny-decode-golden.jsonl", as: DecodeGoldenLine.self)
        let (matched, total, failures) = checkDecodeGolden(tokenizer, lines)
        XCTAssertEqual(matched, total, failures.prefix(8).joined(separator: "\n"))
    }

    func testVocabularyAccessors() throws {
        let tokenizer = try TokenizerFixtures.tinyTokenizer()
        XCTAssertEqual(tokenizer.vocabularySize, 513)
        XCTAssertEqual(tokenizer.id(forToken: "<|endoftext|>"), 0)
        XCTAssertEqual(tokenizer.id(forToken: "<|im_start|>"), 1)
        XCTAssertEqual(tokenizer.id(forToken: "<|im_end|>"), 2)
        XCTAssertEqual(tokenizer.id(forToken: "<tool>"), 512)
        XCTAssertEqual(tokenizer.token(forID: 512), "<tool>")
        XCTAssertEqual(tokenizer.id(forToken: "Ġ"), tokenizer.encode(" ").first)
        XCTAssertNil(tokenizer.id(forToken: "definitely not a token"))
        XCTAssertNil(tokenizer.token(forID: 513))
        XCTAssertNil(tokenizer.token(forID: -1))
        XCTAssertTrue(tokenizer.isSpecialToken(0))
        XCTAssertFalse(tokenizer.isSpecialToken(512))
        XCTAssertNil(tokenizer.bosTokenID)  // no TemplateProcessing in this tokenizer
        for id in 0..<tokenizer.vocabularySize {
            guard let token = tokenizer.token(forID: id) else { XCTFail("no token for \(id)"); continue }
            XCTAssertEqual(tokenizer.id(forToken: token), id)
        }
    }

    func testSpecialTokensInsideText() throws {
        let tokenizer = try TokenizerFixtures.tinyTokenizer()
        let ids = tokenizer.encode("a<|im_end|>\n<|im_start|>b")
        XCTAssertTrue(ids.contains(2))
        XCTAssertTrue(ids.contains(1))
        XCTAssertEqual(tokenizer.decode(ids), "a<|im_end|>\n<|im_start|>b")
        XCTAssertEqual(tokenizer.decode(ids, skipSpecialTokens: true), "a\nb")
        XCTAssertEqual(tokenizer.encode(""), [])
    }

    /// The GGUF route (`init(vocabulary:merges:tokenTypes:preTokenizer:)`) given the same vocabulary
    /// as GGUF arrays must agree with the tokenizer.json route on the whole corpus. The tiny
    /// tokenizer's pre-tokenizer is exactly SmolLM2's, i.e. GGUF pre "smollm".
    func testGGUFRouteMatchesTokenizerJSONRoute() throws {
        let json = try JSONSerialization.jsonObject(with: TokenizerFixtures.data("tiny-bpe/tokenizer.json")) as! [String: Any]
        let model = json["model"] as! [String: Any]
        let vocab = model["vocab"] as! [String: Int]
        let added = json["added_tokens"] as! [[String: Any]]
        var tokens = [String](repeating: "", count: 513)
        for (token, id) in vocab { tokens[id] = token }
        var types = [Int32](repeating: 1, count: 513)
        for entry in added {
            let id = entry["id"] as! Int
            tokens[id] = entry["content"] as! String
            types[id] = (entry["special"] as! Bool) ? 3 : 4
        }
        let merges = (model["merges"] as! [[String]]).map { $0.joined(separator: " ") }

        let gguf = try ByteLevelBPETokenizer(vocabulary: tokens, merges: merges, tokenTypes: types, preTokenizer: "smollm")
        let golden = try TokenizerFixtures.jsonLines("tiny-golden.jsonl", as: GoldenLine.self)
        let report = checkGolden(gguf, golden)
        XCTAssertEqual(report.idsMatched, report.total, report.summary)
        XCTAssertEqual(report.decodeMatched, report.total, report.summary)
        XCTAssertEqual(gguf.vocabularySize, 513)
        XCTAssertTrue(gguf.isSpecialToken(2))
        XCTAssertFalse(gguf.isSpecialToken(512))
    }
}
