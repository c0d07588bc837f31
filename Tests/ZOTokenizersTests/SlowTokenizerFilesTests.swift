import Foundation
import XCTest
import ZOAssets
import ZOTokenizers

/// Tokenizers built from "slow" files (vocab.json + merges.txt, vocab.txt; no tokenizer.json) against
/// transformers' `AutoTokenizer` on the same folders (`make_slow_tokenizer_fixtures.py`): every corpus
/// line with special tokens added, the fixtures' own special and added tokens, and the tokenizer.json
/// the files were derived from.
final class SlowTokenizerFilesTests: XCTestCase {
    /// `<name>-golden.json` beyond the digests and samples `checkDigestGolden` reads.
    private struct SlowGolden: Decodable {
        struct Extra: Decodable {
            let text: String
            let ids: [Int]
            let decoded: String
            let decoded_skip: String
        }

        let vocab_size: Int
        let tokenizer_class: String
        let tokenizer_json: String?
        let differs_from_tokenizer_json: [Int]?
        let extra: [Extra]
    }

    private static let fixtures = ["opt", "gpt2", "roberta", "bert", "bert-cased", "gpt2-options", "roberta-legacy", "bert-options"]

    private func folder(_ name: String) -> URL { TokenizerFixtures.directory.appendingPathComponent("slow/\(name)") }

    private func golden(_ name: String) throws -> SlowGolden {
        try JSONDecoder().decode(SlowGolden.self, from: TokenizerFixtures.data("slow/\(name)-golden.json"))
    }

    func testFixturesHaveNoTokenizerJSON() {
        for name in Self.fixtures {
            XCTAssertFalse(FileManager.default.fileExists(atPath: folder(name).appendingPathComponent("tokenizer.json").path), name)
        }
    }

    func testEveryFixtureMatchesTransformersOnEveryLine() throws {
        for name in Self.fixtures {
            let tokenizer = try TokenizerLoader.load(folder: folder(name))
            let golden = try golden(name)
            XCTAssertEqual(tokenizer is WordPieceTokenizer, golden.tokenizer_class == "BertTokenizer", name)
            XCTAssertEqual(tokenizer.vocabularySize, golden.vocab_size, name)

            let report = try checkDigestGolden(tokenizer, "slow/\(name)")
            XCTAssertEqual(report.total, try TokenizerFixtures.allCorpora().count, name)
            XCTAssertEqual(report.idsMatched, report.total, "\(name): \(report.summary)")
            XCTAssertEqual(Array(report.failures.prefix(8)), [], name)

            XCTAssertFalse(golden.extra.isEmpty)
            for line in golden.extra {
                XCTAssertEqual(tokenizer.encode(line.text), line.ids, "\(name): \"\(escaped(line.text))\"")
                XCTAssertTrue(sameScalars(tokenizer.decode(line.ids), line.decoded), "\(name): decode \(line.ids)")
                XCTAssertTrue(sameScalars(tokenizer.decode(line.ids, skipSpecialTokens: true), line.decoded_skip),
                              "\(name): decode skipping specials \(line.ids)")
            }
        }
    }

    /// The same tokenizer saved both ways gives the same ids, decodes and special tokens, except on the
    /// lines where transformers itself differs (OPT's files name `</s>` as unk, so "<unk>" is plain text).
    func testSlowFilesEqualTheTokenizerJSONRoute() throws {
        let corpus = try TokenizerFixtures.allCorpora()
        var compared = 0
        for name in Self.fixtures {
            let golden = try golden(name)
            guard let source = golden.tokenizer_json, let differs = golden.differs_from_tokenizer_json else { continue }
            compared += 1
            let slow = try SlowTokenizerFiles.load(folder: folder(name))
            let json = try TokenizerLoader.load(tokenizerJSON: Data(
                contentsOf: TokenizerFixtures.directory.deletingLastPathComponent().appendingPathComponent(source)))
            XCTAssertTrue(type(of: slow) == type(of: json), name)
            XCTAssertEqual(slow.vocabularySize, json.vocabularySize, name)
            XCTAssertEqual(slow.specialTokenIDs, json.specialTokenIDs, name)
            let expectedDifferences = Set(differs)
            var mismatches: [String] = []
            for (line, text) in corpus.enumerated() {
                let ids = slow.encode(text)
                if (ids != json.encode(text)) != expectedDifferences.contains(line) {
                    mismatches.append("line \(line) \"\(escaped(text))\"")
                }
                if !sameScalars(slow.decode(ids), json.decode(ids)) { mismatches.append("decode of line \(line)") }
            }
            XCTAssertEqual(Array(mismatches.prefix(8)), [], name)
            if name == "opt" {
                XCTAssertFalse(differs.isEmpty)
                XCTAssertTrue(differs.allSatisfy { corpus[$0].contains("<unk>") })
            } else {
                XCTAssertEqual(differs, [], name)
            }
        }
        XCTAssertEqual(compared, 5)
    }

    func testOPTPrependsItsBOSAndGPT2AddsNothing() throws {
        let opt = try SlowTokenizerFiles.load(folder: folder("opt"))
        XCTAssertEqual(opt.encode("Hello").first, 2)
        XCTAssertEqual(opt.encode("Hello", addSpecialTokens: false), Array(opt.encode("Hello").dropFirst()))
        XCTAssertEqual(opt.specialTokenIDs.bos, 2)
        let gpt2 = try SlowTokenizerFiles.load(folder: folder("gpt2"))
        XCTAssertEqual(gpt2.encode("Hello"), gpt2.encode("Hello", addSpecialTokens: false))
        XCTAssertEqual(gpt2.encode("<|endoftext|>"), [0])
    }

    /// The real all-MiniLM-L6-v2 vocab.txt + tokenizer_config.json + special_tokens_map.json (30,522
    /// tokens), without its tokenizer.json, against HF on every line (the script checks transformers
    /// gives these files the same ids as the tokenizer.json the `minilm` golden was made from).
    func testMiniLMSlowFilesMatchHF() throws {
        let asset = try AssetStore().ensure(AssetCatalog.allMiniLML6v2)
        let tokenizer = try SlowTokenizerFiles.load(folder: asset)
        XCTAssertTrue(tokenizer is WordPieceTokenizer)
        XCTAssertEqual(tokenizer.vocabularySize, 30522)
        XCTAssertEqual(tokenizer.specialTokenIDs, SpecialTokenIDs(cls: 101, sep: 102, mask: 103, pad: 0, unknown: 100))
        try assertMatchesHF(tokenizer, "minilm")
    }

    // MARK: errors

    /// A temporary folder with the given files (name -> contents).
    private func temporaryFolder(_ files: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-slowtok-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        for (name, text) in files { try Data(text.utf8).write(to: url.appendingPathComponent(name)) }
        return url
    }

    /// A copy of a fixture folder with some files replaced (nil removes the file).
    private func fixtureCopy(_ name: String, _ changes: [String: String?]) throws -> URL {
        var files: [String: String] = [:]
        for file in try FileManager.default.contentsOfDirectory(atPath: folder(name).path) {
            files[file] = try String(contentsOf: folder(name).appendingPathComponent(file), encoding: .utf8)
        }
        for (file, text) in changes { files[file] = text }
        return try temporaryFolder(files)
    }

    private func loadError(_ folder: URL) -> TokenizerError? {
        tokenizerError(expected: true) { try TokenizerLoader.load(folder: folder) }
    }

    func testFolderWithoutTokenizerFilesNamesEveryFileLookedFor() throws {
        for files in [[:], ["config.json": #"{"model_type": "opt"}"#], ["tokenizer_config.json": "{}"]] {
            let folder = try temporaryFolder(files)
            let error = loadError(folder)
            XCTAssertEqual(error, .noTokenizerFiles(folder: folder.path, lookedFor: ["tokenizer.json", "vocab.json + merges.txt", "vocab.txt"]))
            XCTAssertEqual(error?.description, "no tokenizer in \(folder.path): looked for tokenizer.json, vocab.json + merges.txt, vocab.txt")
        }
    }

    func testSentencePieceFolderIsUnsupportedAndSaysWhatWasLookedFor() throws {
        let folder = try temporaryFolder([
            "spiece.model": "not read", "config.json": #"{"model_type": "t5"}"#,
            "tokenizer_config.json": #"{"tokenizer_class": "T5Tokenizer", "eos_token": "</s>"}"#,
        ])
        let error = loadError(folder)
        XCTAssertEqual(error, .unsupportedTokenizerClass(
            name: "T5Tokenizer", folder: folder.path, lookedFor: ["tokenizer.json", "vocab.json + merges.txt", "vocab.txt"]))
        XCTAssertEqual(error?.description, "cannot build the T5Tokenizer tokenizer of \(folder.path) without tokenizer.json: "
            + "only GPT2Tokenizer, RobertaTokenizer (vocab.json + merges.txt) and BertTokenizer (vocab.txt) are built "
            + "from slow files (looked for tokenizer.json, vocab.json + merges.txt, vocab.txt)")

        let byModelType = try temporaryFolder(["spiece.model": "", "config.json": #"{"model_type": "t5"}"#])
        XCTAssertEqual(loadError(byModelType), .unsupportedTokenizerClass(
            name: "t5 (config.json model_type)", folder: byModelType.path, lookedFor: SlowTokenizerFiles.lookedFor))

        let unnamed = try fixtureCopy("gpt2", ["config.json": nil])
        XCTAssertEqual(loadError(unnamed), .unsupportedTokenizerClass(
            name: "unnamed (no tokenizer_class, no config.json model_type)", folder: unnamed.path, lookedFor: SlowTokenizerFiles.lookedFor))
    }

    func testMissingMergesFile() throws {
        let folder = try fixtureCopy("opt", ["merges.txt": nil])
        let error = loadError(folder)
        XCTAssertEqual(error, .missingTokenizerFile(path: folder.appendingPathComponent("merges.txt").path, needs: "GPT2Tokenizer (vocab.json + merges.txt)"))
        XCTAssertEqual(error?.description, "\(folder.appendingPathComponent("merges.txt").path) is missing (GPT2Tokenizer (vocab.json + merges.txt) needs it)")
    }

    func testMalformedFiles() throws {
        let merges = try String(contentsOf: folder("opt").appendingPathComponent("merges.txt"), encoding: .utf8)
        XCTAssertEqual(loadError(try fixtureCopy("opt", ["merges.txt": merges + "\n"])).map(\.description)?.contains("invalid merge #239 \"\""), true,
                       "an empty line is not a merge (tokenizers rejects it too)")
        if case .invalidMerge(let index, let merge, _)? = loadError(try fixtureCopy("opt", ["merges.txt": merges + "a b c\n"])) {
            XCTAssertEqual(index, 239)
            XCTAssertEqual(merge, "a b c")
        } else {
            XCTFail("three tokens on a merge line must be rejected")
        }
        XCTAssertEqual(loadError(try fixtureCopy("opt", ["merges.txt": merges + "Ġ zz\n"])).map(\.description)?.contains("\"zz\" is not in the vocabulary"), true)

        let badVocab = try fixtureCopy("gpt2", ["vocab.json": #"{"a": 0, "b": "x"}"#])
        XCTAssertEqual(loadError(badVocab), .invalidFile(
            path: badVocab.appendingPathComponent("vocab.json").path,
            reason: #"invalid tokenizer field at vocab.json["b"]: expected a non-negative integer id below 2^31"#))
        let notJSON = try fixtureCopy("gpt2", ["tokenizer_config.json": "{"])
        if case .invalidFile(let path, _)? = loadError(notJSON) {
            XCTAssertEqual(path, notJSON.appendingPathComponent("tokenizer_config.json").path)
        } else {
            XCTFail("malformed tokenizer_config.json must name the file")
        }
    }

    func testOptionsThatWouldChangeIdsAreRejected() throws {
        XCTAssertEqual(loadError(try fixtureCopy("gpt2", ["tokenizer_config.json": #"{"split_special_tokens": true}"#])),
                       .unsupportedOption(path: "tokenizer_config.json.split_special_tokens", value: "true"))
        XCTAssertEqual(loadError(try fixtureCopy("gpt2", ["tokenizer_config.json": #"{"bos_token": {"content": "<s>"}}"#])),
                       .invalidField(path: "tokenizer_config.json.bos_token", expected: #"a token string or an object with "__type": "AddedToken""#))
        XCTAssertEqual(loadError(try fixtureCopy("gpt2", ["tokenizer_config.json": #"{"add_prefix_space": "yes"}"#])),
                       .invalidField(path: "tokenizer_config.json.add_prefix_space", expected: "a boolean, found a string"))
        XCTAssertEqual(loadError(try fixtureCopy("bert", ["tokenizer_config.json": #"{"unk_token": null}"#])),
                       .invalidField(path: "tokenizer_config.json.unk_token", expected: "a token (WordPiece needs an unknown token)"))
        XCTAssertEqual(loadError(try fixtureCopy("roberta", ["tokenizer_config.json": #"{"tokenizer_class": "RobertaTokenizer", "cls_token": null}"#])),
                       .invalidField(path: "tokenizer_config.json.cls_token", expected: "a token (RobertaTokenizer adds it to every sequence)"))
    }
}
