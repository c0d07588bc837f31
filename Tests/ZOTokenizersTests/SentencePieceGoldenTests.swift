import Foundation
import XCTest
import ZOFormats
import ZOModels
import ZOTokenizers

/// The tiny SentencePiece BPE tokenizer of `make_spm_tokenizer_fixtures.py` (LLaMA's trainer settings,
/// vocab 1000, byte fallback), from its tokenizer.json (legacy LlamaTokenizerFast layout, as TinyLlama's,
/// Llama-2's and Mistral's files have) and from its tokenizer-only GGUF (llama.cpp's
/// `_set_vocab_sentencepiece`), against HF `tokenizers` on every line of both corpora (ids with the BOS
/// the model sees, decode, decode without special tokens).
///
/// llama.cpp (GGUF route) and HF legacy files agree on the two places SentencePiece tokenizers usually
/// disagree, and the tests below pin that:
/// - text starting with a space: both put the dummy-prefix `▁` in front anyway (`" hi"` -> `▁▁` `▁h` ...),
///   llama.cpp because it prepends a space to every text fragment, HF because `Prepend("▁")` does not look;
/// - text right after a special token (`"</s>there"`): llama.cpp prefixes a fragment that follows a
///   token (`is_prev_special`), HF normalizes each piece between special tokens separately, so both
///   give `▁there`.
/// HF files written for `legacy=False` (Metaspace pre-tokenizer, `prepend_scheme: "first"`) differ from
/// both: no `▁` is added before a leading space or after a special token (variant `metaspace_first`).
final class SentencePieceGoldenTests: XCTestCase {
    private func jsonTokenizer() throws -> any TextTokenizer {
        try TokenizerLoader.load(tokenizerJSON: TokenizerFixtures.data("tiny-spm/tokenizer.json"))
    }

    private func ggufTokenizer() throws -> any TextTokenizer {
        let path = TokenizerFixtures.directory.appendingPathComponent("tiny-spm.gguf").path
        return try TokenizerLoader.load(gguf: GGUFFile(path: path))
    }

    func testTokenizerJSONMatchesHFOnEveryLine() throws {
        let tokenizer = try jsonTokenizer()
        XCTAssertTrue(tokenizer is SentencePieceBPETokenizer)
        try assertMatchesHF(tokenizer, "tiny-spm")
    }

    /// llama.cpp's score-driven SPM merges give HF's merge-rank ids on every line.
    func testGGUFMatchesHFOnEveryLine() throws {
        let tokenizer = try ggufTokenizer()
        XCTAssertTrue(tokenizer is SentencePieceBPETokenizer)
        try assertMatchesHF(tokenizer, "tiny-spm")
    }

    func testBothRoutesKnowTheSpecialTokens() throws {
        for tokenizer in [try jsonTokenizer(), try ggufTokenizer()] {
            XCTAssertEqual(tokenizer.vocabularySize, 1000)
            XCTAssertEqual(tokenizer.specialTokenIDs.bos, 1)
            XCTAssertEqual(tokenizer.specialTokenIDs.unknown, 0)
            XCTAssertEqual(tokenizer.encode(""), [1])
            XCTAssertEqual(tokenizer.encode("", addSpecialTokens: false), [])
            XCTAssertEqual(tokenizer.encode("</s>", addSpecialTokens: false), [2])
            XCTAssertTrue(tokenizer.isSpecialToken(1) && tokenizer.isSpecialToken(2) && tokenizer.isSpecialToken(0))
            XCTAssertEqual(tokenizer.id(forToken: "<0x0A>"), 13)
            XCTAssertEqual(tokenizer.decode(tokenizer.encode("Hello\n world"), skipSpecialTokens: true), "Hello\n world")
        }
        XCTAssertEqual(try ggufTokenizer().specialTokenIDs.eos, 2)
    }

    /// A continuation decoded after its prompt keeps the space the Strip decoder removes from a text's
    /// start (what `zotune generate` prints).
    func testContinuationKeepsItsLeadingSpace() throws {
        for tokenizer in [try jsonTokenizer(), try ggufTokenizer()] {
            let prompt = tokenizer.encode("The capital of France is")
            let whole = tokenizer.encode("The capital of France is Paris")
            XCTAssertEqual(Array(whole.prefix(prompt.count)), prompt)
            let continuation = Array(whole.dropFirst(prompt.count))
            XCTAssertEqual(tokenizer.decode(continuation), "Paris")
            XCTAssertEqual(tokenizer.decode(continuation, after: prompt), " Paris")
            XCTAssertEqual(tokenizer.decode(continuation, after: []), "Paris")
        }
        let bpe = try TokenizerFixtures.tinyTokenizer()
        XCTAssertEqual(bpe.decode(bpe.encode(" Paris"), after: bpe.encode("The capital of France is")), " Paris")
    }

    /// Every variant's cases, HF ids and decode; the GGUF route against the unpatched file's cases.
    func testVariantsMatchHF() throws {
        let variants = try VariantGolden.load("tiny-spm-variants-golden.json", base: "tiny-spm/tokenizer.json")
        XCTAssertEqual(variants.count, 10)
        let gguf = try ggufTokenizer()
        for (variant, json) in variants {
            let tokenizer = try TokenizerLoader.load(tokenizerJSON: json)
            var routes: [(String, any TextTokenizer)] = [(variant.name, tokenizer)]
            if variant.name == "base" { routes.append(("gguf", gguf)) }
            for (name, tokenizer) in routes {
                XCTAssertEqual(tokenizer.vocabularySize, variant.vocab_size, name)
                XCTAssertGreaterThan(variant.cases.count, 40)
                for c in variant.cases {
                    XCTAssertEqual(tokenizer.encode(c.text), c.ids, "\(name): \"\(escaped(c.text))\"")
                    let decoded = tokenizer.decode(c.ids)
                    XCTAssertTrue(sameScalars(decoded, c.decoded ?? ""),
                                  "\(name) decode \"\(escaped(c.text))\": got \"\(escaped(decoded))\", want \"\(escaped(c.decoded ?? ""))\"")
                }
            }
        }
    }

    /// The legacy/llama.cpp rule and the Metaspace("first") rule really differ on the texts named above,
    /// so the variant goldens pin both.
    func testLegacyAndMetaspaceDifferAtLeadingSpaceAndAfterSpecialTokens() throws {
        let variants = try VariantGolden.load("tiny-spm-variants-golden.json", base: "tiny-spm/tokenizer.json")
        func ids(_ name: String, _ text: String) throws -> [Int] {
            let variant = try XCTUnwrap(variants.first { $0.variant.name == name }?.variant)
            return try XCTUnwrap(variant.cases.first { $0.text == text }?.ids)
        }
        let gguf = try ggufTokenizer()
        let space = try XCTUnwrap(gguf.id(forToken: "\u{2581}"))
        for text in [" hi", "<s>hi", "hi</s>there", "x<unk>y"] {
            XCTAssertNotEqual(try ids("base", text), try ids("metaspace_first", text), text)
            XCTAssertEqual(gguf.encode(text), try ids("base", text), text)
        }
        // "<s>hi": the legacy rule prefixes the fragment after <s>.
        XCTAssertEqual(gguf.encode("<s>hi", addSpecialTokens: false).first, 1)
        XCTAssertEqual(gguf.token(forID: gguf.encode("<s>hi", addSpecialTokens: false)[1])?.unicodeScalars.first, "\u{2581}")
        XCTAssertEqual(try ids("metaspace_first", " "), [1, space])
        XCTAssertNotEqual(try ids("base", " "), [1, space])
    }
}
