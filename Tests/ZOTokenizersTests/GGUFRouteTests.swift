import Foundation
import XCTest
import ZOTokenizers

/// `init(vocabulary:merges:tokenTypes:preTokenizer:)` on a hand-made vocabulary: the 256-byte
/// alphabet, three merges, a control token and a user-defined token.
final class GGUFRouteTests: XCTestCase {
    private func makeTokenizer(pre: String? = "smollm") throws -> ByteLevelBPETokenizer {
        var tokens = BytesToUnicode.characters.map { String($0) }   // ids 0...255: the byte alphabet
        tokens += ["Ġt", "he", "Ġthe", "<|end|>", "<x>"]             // 256, 257, 258, 259, 260
        var types = [Int32](repeating: 1, count: tokens.count)
        types[259] = 3
        types[260] = 4
        return try ByteLevelBPETokenizer(vocabulary: tokens, merges: ["Ġ t", "h e", "Ġt he"], tokenTypes: types, preTokenizer: pre)
    }


    func testMergesAndAddedTokens() throws {
        let t = try makeTokenizer()
        let space = t.id(forToken: "Ġ")!, h = t.id(forToken: "h")!, e = t.id(forToken: "e")!
        XCTAssertEqual(t.encode(" the"), [258])
        XCTAssertEqual(t.encode("the"), [t.id(forToken: "t")!, 257])
        XCTAssertEqual(t.encode(" the<|end|> the"), [258, 259, 258])
        XCTAssertEqual(t.encode("<x><|end|>he"), [260, 259, 257])
        XCTAssertEqual(t.encode("  he"), [space, space, 257])
        XCTAssertEqual(t.encode("h e"), [h, space, e])
        XCTAssertEqual(t.encode("12"), [t.id(forToken: "1")!, t.id(forToken: "2")!])
        XCTAssertEqual(t.decode([258, 259, 260]), " the<|end|><x>")
        XCTAssertEqual(t.decode([258, 259], skipSpecialTokens: true), " the")
        XCTAssertEqual(t.vocabularySize, 261)
        XCTAssertTrue(t.isSpecialToken(259))
        XCTAssertFalse(t.isSpecialToken(260))
        XCTAssertEqual(t.token(forID: 258), "Ġthe")
    }

    func testPreTokenizerNames() throws {
        // "smollm" isolates digits, "gpt-2" keeps runs together: with no digit merges the ids agree,
        // but the pieces differ.
        let smol = try makeTokenizer(pre: "smollm"), gpt2 = try makeTokenizer(pre: "gpt-2")
        XCTAssertEqual(smol.preTokenize(" 123"), [" ", "1", "2", "3"])
        XCTAssertEqual(gpt2.preTokenize(" 123"), [" 123"])
        XCTAssertEqual(try makeTokenizer(pre: nil).preTokenize(" 123"), [" 123"])
        XCTAssertEqual(try makeTokenizer(pre: "default").preTokenize(" 123"), [" 123"])
    }

    func testInvalidUTF8DecodesToReplacementCharacters() throws {
        let t = try makeTokenizer()
        let euro = t.encode("€")                 // three byte tokens E2 82 AC
        XCTAssertEqual(euro.count, 3)
        XCTAssertEqual(t.decode(Array(euro.prefix(2))), "\u{FFFD}")
        XCTAssertEqual(t.decode(Array(euro.dropFirst())), "\u{FFFD}\u{FFFD}")
        XCTAssertEqual(t.decode(euro), "€")
        XCTAssertEqual(t.decode([-1, 10_000] + euro), "€")  // unknown ids are skipped
    }
}

/// GGUF pre-tokenizer names tokenize like the HF tokenizer.json they stand for: the tiny BPE's
/// vocabulary and merges, taken through the GGUF route, give HF's ids for every text of the matching
/// variant — "qwen2" (Qwen2 files) = `split_qwen2` (Split with the single-digit Llama-3 regex +
/// ByteLevel + NFC), "llama-bpe" (Llama 3.x files) = `split_llama3` (digits in runs of up to three).
final class GGUFPreTokenizerNameTests: XCTestCase {
    func testQwen2NameMatchesHuggingFaceOnTheVariantTexts() throws {
        let tokenizer = try assertNameMatchesVariant(name: "qwen2", variant: "split_qwen2")
        XCTAssertEqual(tokenizer.preTokenize(" 12345"), [" ", "1", "2", "3", "4", "5"])
    }

    func testLlamaBPENameMatchesHuggingFaceOnTheVariantTexts() throws {
        let tokenizer = try assertNameMatchesVariant(name: "llama-bpe", variant: "split_llama3")
        XCTAssertEqual(tokenizer.preTokenize(" 12345"), [" ", "123", "45"])
    }

    /// `tokenizer.ggml.add_bos_token` (Llama 3 files set it): encode puts the BOS id in front, as llama.cpp.
    func testAddBOSTokenPutsTheBOSInFront() throws {
        let (tokens, merges, types) = try tinyVocabulary(variant: "split_llama3")
        let plain = try ByteLevelBPETokenizer(vocabulary: tokens, merges: merges, tokenTypes: types, preTokenizer: "llama-bpe")
        let framed = try ByteLevelBPETokenizer(
            vocabulary: tokens, merges: merges, tokenTypes: types, preTokenizer: "llama-bpe", prefix: [7], suffix: [8])
        XCTAssertEqual(framed.encode("the cat"), [7] + plain.encode("the cat") + [8])
        XCTAssertEqual(framed.encode("the cat", addSpecialTokens: false), plain.encode("the cat"))
        XCTAssertEqual(framed.leadingSpecialTokens, [7])
        XCTAssertEqual(plain.leadingSpecialTokens, [])
    }

    /// The variant's vocabulary as GGUF arrays (tokens by id, merges, token types with added tokens).
    private func tinyVocabulary(variant name: String) throws -> (tokens: [String], merges: [String], types: [Int32]) {
        let variants = try VariantGolden.load("tiny-variants-golden.json", base: "tiny-bpe/tokenizer.json")
        let (variant, json) = try XCTUnwrap(variants.first { $0.variant.name == name })
        let object = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [String: Any])
        let model = try XCTUnwrap(object["model"] as? [String: Any])
        let vocabulary = try XCTUnwrap(model["vocab"] as? [String: Int])
        var tokens = [String](repeating: "", count: variant.vocab_size)
        var types = [Int32](repeating: 1, count: variant.vocab_size)
        for (token, id) in vocabulary { tokens[id] = token }
        for added in try XCTUnwrap(object["added_tokens"] as? [[String: Any]]) {
            let id = try XCTUnwrap(added["id"] as? Int)
            tokens[id] = try XCTUnwrap(added["content"] as? String)
            types[id] = (added["special"] as? Bool) == true ? 3 : 4  // control / user-defined
        }
        let merges = try XCTUnwrap(model["merges"] as? [Any]).map { merge -> String in
            (merge as? String) ?? ((merge as? [String]) ?? []).joined(separator: " ")
        }
        return (tokens, merges, types)
    }

    /// HF's ids on every variant text through the GGUF route; the same pieces as the tokenizer.json
    /// route (the tiny vocabulary has no digit merges, so ids alone cannot tell digit groupings apart).
    private func assertNameMatchesVariant(name: String, variant variantName: String) throws -> ByteLevelBPETokenizer {
        let variants = try VariantGolden.load("tiny-variants-golden.json", base: "tiny-bpe/tokenizer.json")
        let (variant, json) = try XCTUnwrap(variants.first { $0.variant.name == variantName })
        let (tokens, merges, types) = try tinyVocabulary(variant: variantName)
        let tokenizer = try ByteLevelBPETokenizer(vocabulary: tokens, merges: merges, tokenTypes: types, preTokenizer: name)
        var mismatches: [String] = []
        for c in variant.cases where tokenizer.encode(c.text) != c.ids {
            mismatches.append("\"\(escaped(c.text))\": got \(tokenizer.encode(c.text)), want \(c.ids)")
        }
        XCTAssertGreaterThan(variant.cases.count, 40)
        XCTAssertTrue(mismatches.isEmpty, mismatches.prefix(5).joined(separator: "\n"))
        let fromJSON = try ByteLevelBPETokenizer(tokenizerJSON: json)
        for text in variant.cases.map(\.text) + ["2024 is 12345", " 123abc", "I'LL see\r\n  you"] {
            XCTAssertEqual(tokenizer.preTokenize(text), fromJSON.preTokenize(text), "\"\(escaped(text))\"")
        }
        return tokenizer
    }
}
