import XCTest
import ZOModels
import ZOTokenizers

/// The default model's tokenizer, built from its real GGUF metadata (the route `zotune` uses), against
/// HF `tokenizers` on the committed 2,000-string corpus. The model is fetched on first use (CI too).
final class SmolLM2GGUFTokenizerTests: XCTestCase {
    func testGGUFTokenizerMatchesHuggingFaceOnTheCorpus() throws {
        let tokenizer = try ModelReference.load(ModelCatalog.defaultName).tokenizer()
        let (matched, total) = assertMatchesSmolLM2Golden(tokenizer)
        XCTAssertEqual(matched, total)
        XCTAssertGreaterThanOrEqual(total, 2000)
    }
}
