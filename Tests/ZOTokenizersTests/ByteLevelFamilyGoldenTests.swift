import Foundation
import XCTest
import ZOTokenizers

/// RoBERTa-style (ByteLevel with add_prefix_space, RobertaProcessing, `<mask>` with lstrip) and
/// GPT-2-style (no prefix space, no post-processor) byte-level BPE tokenizers trained by
/// `make_wordpiece_and_roberta_fixtures.py`, against HF `tokenizers` on every line of both corpora.
final class ByteLevelFamilyGoldenTests: XCTestCase {
    private func json(_ name: String) throws -> Data {
        try TokenizerFixtures.data("\(name)/tokenizer.json")
    }

    func testRobertaMatchesHFOnEveryLine() throws {
        try assertMatchesHF(try ByteLevelBPETokenizer(tokenizerJSON: json("tiny-roberta")), "tiny-roberta")
    }

    func testGPT2MatchesHFOnEveryLine() throws {
        try assertMatchesHF(try ByteLevelBPETokenizer(tokenizerJSON: json("tiny-gpt2")), "tiny-gpt2")
    }

    func testLoaderPicksBPEAndKnowsTheSpecialTokens() throws {
        let roberta = try TokenizerLoader.load(tokenizerJSON: json("tiny-roberta"))
        XCTAssertTrue(roberta is ByteLevelBPETokenizer)
        XCTAssertEqual(roberta.specialTokenIDs, SpecialTokenIDs(bos: 0, eos: 2, cls: 0, sep: 2, mask: 4, pad: 1))
        XCTAssertEqual(roberta.encode(""), [0, 2])
        XCTAssertEqual(roberta.encode("hi", addSpecialTokens: false), roberta.encode(" hi", addSpecialTokens: false))

        let gpt2 = try TokenizerLoader.load(tokenizerJSON: json("tiny-gpt2"))
        XCTAssertEqual(gpt2.specialTokenIDs, SpecialTokenIDs())
        XCTAssertEqual(gpt2.encode("<|endoftext|>"), [0])
        XCTAssertNotEqual(gpt2.encode("hi"), gpt2.encode(" hi"))
    }
}
