import XCTest
import ZOTokenizers

/// `SentencePieceBPETokenizer(ggufTokens:...)` on hand-made vocabularies, against llama.cpp's SPM rules
/// (`llm_tokenizer_spm_session` and the SPM branch of `llama_vocab::impl::tokenize`, llama-vocab.cpp)
/// where HF's BPE would do something else:
/// - merges follow the token scores (highest first, leftmost on ties), not a merge list;
/// - a character missing from the vocabulary can still merge with its neighbour when their text is a
///   token (HF replaces it by byte tokens before merging);
/// - a leading `▁` is added before the text and after every special token (`is_prev_special`).
final class SentencePieceGGUFRouteTests: XCTestCase {
    /// `<unk>` `<s>` `</s>`, the 256 byte tokens (ids 3...258), then `extra` with their scores.
    private func makeTokenizer(_ extra: [(String, Float)], bytes: Bool = true, types extraTypes: [Int32]? = nil,
                               settings: (inout SentencePieceBPETokenizer.GGUFSettings) -> Void = { _ in }) throws -> SentencePieceBPETokenizer {
        var tokens = ["<unk>", "<s>", "</s>"], scores: [Float] = [0, 0, 0], types: [Int32] = [2, 3, 3]
        if bytes {
            for b in 0..<256 {
                tokens.append(String(format: "<0x%02X>", b)); scores.append(0); types.append(6)
            }
        }
        for (i, (token, score)) in extra.enumerated() {
            tokens.append(token); scores.append(score); types.append(extraTypes?[i] ?? 1)
        }
        var s = SentencePieceBPETokenizer.GGUFSettings()
        settings(&s)
        return try SentencePieceBPETokenizer(ggufTokens: tokens, scores: scores, tokenTypes: types, settings: s)
    }

    private func plain(_ s: inout SentencePieceBPETokenizer.GGUFSettings) {
        s.addBOS = false
        s.addSpacePrefix = false
    }

    private func tokens(_ t: SentencePieceBPETokenizer, _ text: String) -> [String] {
        t.encode(text).map { t.token(forID: $0) ?? "?" }
    }

    func testHighestScoreMergesFirst() throws {
        let letters: [(String, Float)] = [("a", -10), ("b", -10), ("c", -10)]
        let bcFirst = try makeTokenizer(letters + [("ab", -5), ("bc", -1)], settings: plain)
        XCTAssertEqual(tokens(bcFirst, "abc"), ["a", "bc"])
        let abFirst = try makeTokenizer(letters + [("ab", -1), ("bc", -5)], settings: plain)
        XCTAssertEqual(tokens(abFirst, "abc"), ["ab", "c"])
        // A merged token merges again: "ab" + "c" once "abc" exists.
        let chain = try makeTokenizer(letters + [("ab", -1), ("bc", -5), ("abc", -7)], settings: plain)
        XCTAssertEqual(tokens(chain, "abcabc"), ["abc", "abc"])
    }

    func testEqualScoresMergeLeftmostFirst() throws {
        let t = try makeTokenizer([("a", -10), ("b", -10), ("ab", -2), ("ba", -2)], settings: plain)
        XCTAssertEqual(tokens(t, "aba"), ["ab", "a"])
        XCTAssertEqual(tokens(t, "bab"), ["ba", "b"])
        // No scores at all (llama.cpp reads 0 for every token): ties everywhere, still leftmost.
        let unscored = try SentencePieceBPETokenizer(
            ggufTokens: ["<unk>", "<s>", "</s>", "a", "b", "ab", "ba"], scores: nil, tokenTypes: nil,
            settings: { var s = SentencePieceBPETokenizer.GGUFSettings(); plain(&s); return s }())
        XCTAssertEqual(unscored.encode("bab").map { unscored.token(forID: $0)! }, ["ba", "b"])
    }

    func testMissingCharactersBecomeBytesUnlessTheyMerge() throws {
        let t = try makeTokenizer([("z", -1), ("zé", -2)], settings: plain)
        XCTAssertEqual(tokens(t, "é"), ["<0xC3>", "<0xA9>"])
        XCTAssertEqual(tokens(t, "zé"), ["zé"])  // llama.cpp merges through "é"; HF would not
        XCTAssertEqual(t.decode(t.encode("éz")), "éz")
        // No byte tokens: llama.cpp would abort; the unknown token stands in for each byte.
        let noBytes = try makeTokenizer([("z", -1)], bytes: false, settings: plain)
        XCTAssertEqual(noBytes.encode("zé"), [3, 0, 0])
    }

    func testSpacePrefixBeforeTextAndAfterSpecialTokens() throws {
        let t = try makeTokenizer([("▁", -1), ("a", -1), ("▁a", -2), ("▁▁", -3)])
        XCTAssertEqual(tokens(t, "a"), ["<s>", "▁a"])
        XCTAssertEqual(tokens(t, " a"), ["<s>", "▁", "▁a"])  // "▁▁a": "▁a" outscores "▁▁"
        XCTAssertEqual(tokens(t, "  "), ["<s>", "▁▁", "▁"])
        XCTAssertEqual(tokens(t, "a</s>a"), ["<s>", "▁a", "</s>", "▁a"])
        XCTAssertEqual(tokens(t, "a</s> a"), ["<s>", "▁a", "</s>", "▁", "▁a"])
        XCTAssertEqual(tokens(t, "<s><s>"), ["<s>", "<s>", "<s>"])
        XCTAssertEqual(t.encode(""), [1])
        XCTAssertEqual(t.decode(t.encode("a</s> a")), "<s> a</s>  a")
        XCTAssertEqual(t.decode(t.encode("a</s> a"), skipSpecialTokens: true), "a  a")

        let noPrefix = try makeTokenizer([("▁", -1), ("a", -1), ("▁a", -2)]) { $0.addSpacePrefix = false }
        XCTAssertEqual(tokens(noPrefix, "a a"), ["<s>", "a", "▁a"])
        XCTAssertEqual(noPrefix.decode(noPrefix.encode(" a"), skipSpecialTokens: true), " a")  // no Strip
    }

    func testBOSAndEOSFollowTheSettings() throws {
        let both = try makeTokenizer([("a", -1)]) { $0.addEOS = true; $0.addSpacePrefix = false }
        XCTAssertEqual(both.encode("a"), [1, 259, 2])
        XCTAssertEqual(both.encode("a", addSpecialTokens: false), [259])
        let custom = try makeTokenizer([("a", -1), ("<bos>", 0)], types: [1, 3]) {
            $0.bosID = 260; $0.addSpacePrefix = false
        }
        XCTAssertEqual(custom.encode("a"), [260, 259])
        XCTAssertEqual(custom.specialTokenIDs.bos, 260)
        XCTAssertEqual(custom.specialTokenIDs.eos, 2)
        let none = try makeTokenizer([("a", -1)]) { $0.addBOS = false; $0.addSpacePrefix = false }
        XCTAssertEqual(none.encode("a"), [259])
    }

    func testUserDefinedTokensAreMatchedButNotSpecial() throws {
        let t = try makeTokenizer([("a", -1), ("<tool>", 0)], types: [1, 4], settings: plain)
        XCTAssertEqual(t.encode("a<tool>a"), [259, 260, 259])
        XCTAssertFalse(t.isSpecialToken(260))
        XCTAssertEqual(t.decode([259, 260, 1], skipSpecialTokens: true), "a<tool>")
    }

    func testDecodeJoinsByteTokensAndReplacesInvalidUTF8PerByte() throws {
        let t = try makeTokenizer([("▁", -1), ("a", -1)])
        let euro = t.encode("€", addSpecialTokens: false)
        XCTAssertEqual(euro.count, 4)  // ▁ and three byte tokens
        XCTAssertEqual(t.decode(euro), "€")
        XCTAssertEqual(t.decode(Array(euro.prefix(3))), "\u{FFFD}\u{FFFD}")
        XCTAssertEqual(t.decode([-1, 99_999] + euro), "€")
    }

    func testInvalidVocabulariesAreRejected() {
        func error(_ tokens: [String], scores: [Float]? = nil, types: [Int32]? = nil,
                   settings: SentencePieceBPETokenizer.GGUFSettings = .init()) -> String? {
            do {
                _ = try SentencePieceBPETokenizer(ggufTokens: tokens, scores: scores, tokenTypes: types, settings: settings)
                return nil
            } catch let error as TokenizerError {
                return error.description
            } catch {
                return "unexpected \(error)"
            }
        }
        let base = ["<unk>", "<s>", "</s>"]
        XCTAssertEqual(error(base + ["a", "a"]), #"invalid tokenizer vocabulary: token "a" appears twice (ids 3 and 4)"#)
        XCTAssertEqual(error(base, scores: [0, 0, .nan]), "invalid tokenizer vocabulary: the score of token 2 is not a number")
        XCTAssertEqual(error(base, scores: [0]), "invalid tokenizer vocabulary: 1 scores for 3 tokens")
        XCTAssertEqual(error(base, types: [3]), "invalid tokenizer vocabulary: 1 token types for 3 tokens")
        XCTAssertEqual(error([]), "invalid tokenizer vocabulary: no tokens")
        var settings = SentencePieceBPETokenizer.GGUFSettings()
        settings.bosID = 3
        XCTAssertEqual(error(base, settings: settings), "invalid tokenizer vocabulary: bos token id 3 is outside the 3 tokens")
        // Empty strings get llama.cpp's placeholder name, so two of them are not duplicates.
        XCTAssertNil(error(base + ["", ""]))
    }

    func testEmptyTokensAreRenamed() throws {
        let t = try SentencePieceBPETokenizer(ggufTokens: ["<unk>", "<s>", "</s>", ""], scores: nil, tokenTypes: nil, settings: .init())
        XCTAssertEqual(t.token(forID: 3), "[EMPTY_3]")
    }
}
