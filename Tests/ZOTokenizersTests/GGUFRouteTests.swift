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
