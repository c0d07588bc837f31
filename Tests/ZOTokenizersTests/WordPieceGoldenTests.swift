import Foundation
import XCTest
import ZOTokenizers

/// The tiny WordPiece tokenizers trained by `make_wordpiece_and_roberta_fixtures.py` (uncased:
/// BertNormalizer lowercase + accent stripping, BertProcessing; cased: no lowercasing or stripping,
/// TemplateProcessing) against HF `tokenizers` on every line of both corpora, plus variants.
final class WordPieceGoldenTests: XCTestCase {
    private func tokenizer(_ name: String) throws -> WordPieceTokenizer {
        try WordPieceTokenizer(tokenizerJSON: TokenizerFixtures.data("\(name)/tokenizer.json"))
    }

    func testUncasedMatchesHFOnEveryLine() throws {
        try assertMatchesHF(try tokenizer("tiny-wordpiece"), "tiny-wordpiece")
    }

    func testCasedMatchesHFOnEveryLine() throws {
        try assertMatchesHF(try tokenizer("tiny-wordpiece-cased"), "tiny-wordpiece-cased")
    }

    func testLoaderPicksWordPieceAndKnowsTheSpecialTokens() throws {
        let loaded = try TokenizerLoader.load(tokenizerJSON: TokenizerFixtures.data("tiny-wordpiece/tokenizer.json"))
        XCTAssertTrue(loaded is WordPieceTokenizer)
        XCTAssertEqual(loaded.vocabularySize, 700)
        XCTAssertEqual(loaded.specialTokenIDs, SpecialTokenIDs(cls: 2, sep: 3, mask: 4, pad: 0, unknown: 1))
        XCTAssertEqual(loaded.id(forToken: "[CLS]"), 2)
        XCTAssertEqual(loaded.token(forID: 3), "[SEP]")
        XCTAssertTrue(loaded.isSpecialToken(4))
        XCTAssertFalse(loaded.isSpecialToken(200))
        XCTAssertNil(loaded.token(forID: 700))
        XCTAssertEqual(loaded.encode(""), [2, 3])
        XCTAssertEqual(loaded.encode("", addSpecialTokens: false), [])
        let ids = loaded.encode("The [MASK] is here.", addSpecialTokens: false)
        XCTAssertTrue(ids.contains(4))
        XCTAssertEqual(loaded.decode(ids), "the [MASK] is here.")
        XCTAssertEqual(loaded.decode([2] + ids + [3], skipSpecialTokens: true), "the is here.")
    }

    /// Words longer than `max_input_chars_per_word` (100 scalars, counted after normalization) are one
    /// unknown token; so is a word no vocabulary pieces can cover.
    func testLongWordsBecomeUnknown() throws {
        let tokenizer = try tokenizer("tiny-wordpiece")
        XCTAssertEqual(tokenizer.encode(String(repeating: "a", count: 101), addSpecialTokens: false), [1])
        XCTAssertNotEqual(tokenizer.encode(String(repeating: "a", count: 100), addSpecialTokens: false), [1])
        XCTAssertEqual(tokenizer.encode("a" + String(repeating: "\u{0301}", count: 100), addSpecialTokens: false).count, 1)
    }

    /// Variants of the uncased tokenizer (normalizer options and Sequences, Whitespace /
    /// WhitespaceSplit / Sequence pre-tokenizers, a short max word, template and no post-processor,
    /// decoder without cleanup), each with HF's ids and decode for a set of texts.
    func testVariantsMatchHF() throws {
        let variants = try VariantGolden.load("wordpiece-variants-golden.json", base: "tiny-wordpiece/tokenizer.json")
        XCTAssertGreaterThanOrEqual(variants.count, 15)
        for (variant, data) in variants {
            let tokenizer: any TextTokenizer
            do {
                tokenizer = try TokenizerLoader.load(tokenizerJSON: data)
            } catch {
                XCTFail("variant \(variant.name): \(error)")
                continue
            }
            XCTAssertEqual(tokenizer.vocabularySize, variant.vocab_size, "variant \(variant.name)")
            var failures: [String] = []
            for c in variant.cases {
                let ids = tokenizer.encode(c.text)
                if ids != c.ids { failures.append("\"\(escaped(c.text))\": got \(ids), want \(c.ids)") }
                let decoded = tokenizer.decode(c.ids)
                if !sameScalars(decoded, c.decoded ?? "") {
                    failures.append("decode \(c.ids): got \"\(escaped(decoded))\", want \"\(escaped(c.decoded ?? ""))\"")
                }
            }
            XCTAssertEqual(failures, [], "variant \(variant.name)")
        }
    }
}
