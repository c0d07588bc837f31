import Foundation
import XCTest
import ZOModels
import ZOTokenizers

/// Model folders without tokenizer.json (as facebook/opt-125m ships): `LoadedModel.tokenizer()` builds
/// the tokenizer from the slow files like transformers' AutoTokenizer, and a folder with no tokenizer
/// at all says which files it looked for.
final class SlowTokenizerModelTests: XCTestCase {
    /// transformers' ids for texts with special tokens (make_slow_tokenizer_fixtures.py, "extra").
    private struct Golden: Decodable {
        struct Extra: Decodable {
            let text: String
            let ids: [Int]
        }

        let extra: [Extra]
    }

    /// A copy of a tiny model whose tokenizer.json is replaced by the slow files of `slowFixture`
    /// (its config.json, if any, is not copied: the model's own stays).
    private func modelWithSlowTokenizer(_ model: String, _ slowFixture: String?) throws -> FixtureCopy {
        let copy = try FixtureCopy(model)
        try FileManager.default.removeItem(at: copy.folder.appendingPathComponent("tokenizer.json"))
        if let slowFixture {
            let source = Fixtures.url("tokenizer/slow/\(slowFixture)")
            for file in try FileManager.default.contentsOfDirectory(atPath: source.path) where file != "config.json" {
                try FileManager.default.copyItem(at: source.appendingPathComponent(file), to: copy.folder.appendingPathComponent(file))
            }
        }
        return copy
    }

    private func assertMatchesTransformers(_ tokenizer: any TextTokenizer, _ slowFixture: String, line: UInt = #line) throws {
        let golden = try JSONDecoder().decode(Golden.self, from: Data(contentsOf: Fixtures.url("tokenizer/slow/\(slowFixture)-golden.json")))
        XCTAssertFalse(golden.extra.isEmpty, line: line)
        for extra in golden.extra {
            XCTAssertEqual(tokenizer.encode(extra.text), extra.ids, "\(slowFixture): \(extra.text)", line: line)
        }
    }

    /// tiny-opt with OPT's real tokenizer files: the BOS `</s>` is prepended as transformers does, and
    /// the golden text gives the ids transformers gave tiny-opt's tokenizer.json.
    func testOPTFolderWithoutTokenizerJSON() throws {
        let copy = try modelWithSlowTokenizer("tiny-opt", "opt")
        let tokenizer = try LoadedModel.open(path: copy.folder.path).tokenizer()
        XCTAssertTrue(tokenizer is ByteLevelBPETokenizer)
        XCTAssertEqual(tokenizer.specialTokenIDs.bos, 2)
        try assertMatchesTransformers(tokenizer, "opt")
        let golden = try GoldenFile("tiny-decoders-golden.safetensors")
        XCTAssertEqual(tokenizer.encode(try XCTUnwrap(golden.file.metadata["text"])), try golden.integers("opt.text_ids"))
    }

    /// Encoders read their mask token from the tokenizer while loading, so the slow files serve there too.
    func testEncoderFoldersWithoutTokenizerJSON() throws {
        for (model, fixture, mask) in [("tiny-roberta-mlm", "roberta", 4), ("tiny-bert", "bert", 4)] {
            let copy = try modelWithSlowTokenizer(model, fixture)
            let loaded = try LoadedModel.open(path: copy.folder.path)
            let tokenizer = try loaded.tokenizer()
            XCTAssertEqual(tokenizer.specialTokenIDs.mask, mask, model)
            try assertMatchesTransformers(tokenizer, fixture)
        }
    }

    func testNoTokenizerFilesNamesEveryFileLookedFor() throws {
        let copy = try modelWithSlowTokenizer("tiny-opt", nil)
        let loaded = try LoadedModel.open(path: copy.folder.path)
        XCTAssertThrowsError(try loaded.tokenizer()) { error in
            XCTAssertEqual(error as? TokenizerError, .noTokenizerFiles(
                folder: copy.folder.path, lookedFor: ["tokenizer.json", "vocab.json + merges.txt", "vocab.txt"]))
            XCTAssertEqual("\(error)", "no tokenizer in \(copy.folder.path): looked for tokenizer.json, vocab.json + merges.txt, vocab.txt")
        }
        // A masked-LM encoder needs its tokenizer to load at all.
        let encoder = try modelWithSlowTokenizer("tiny-roberta-mlm", nil)
        XCTAssertThrowsError(try LoadedModel.open(path: encoder.folder.path)) { error in
            XCTAssertEqual(error as? TokenizerError, .noTokenizerFiles(folder: encoder.folder.path, lookedFor: SlowTokenizerFiles.lookedFor))
        }
    }
}
