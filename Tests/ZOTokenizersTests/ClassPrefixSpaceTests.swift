import Foundation
import XCTest
import ZOTokenizers

/// A folder's byte-level tokenizer takes its prefix space the way transformers does: the GPT-2 and
/// RoBERTa classes impose tokenizer_config.json's `add_prefix_space` (default false) on a plain
/// ByteLevel pre-tokenizer, `PreTrainedTokenizerFast` keeps tokenizer.json's (here true).
/// Golden ids: `scripts/reference/make_prefix_space_golden.py` (transformers `AutoTokenizer`).
final class ClassPrefixSpaceTests: XCTestCase {
    private struct Golden: Decodable {
        struct Case: Decodable {
            let name: String
            let tokenizer_config: [String: JSONScalar]?
            let ids: [[Int]]
        }
        let fixture: String
        let texts: [String]
        let cases: [Case]
    }

    /// A string or boolean value of the golden's tokenizer_config objects.
    private enum JSONScalar: Decodable {
        case string(String), bool(Bool)
        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let flag = try? container.decode(Bool.self) { self = .bool(flag) } else { self = .string(try container.decode(String.self)) }
        }
        var value: Any {
            switch self {
            case let .string(text): return text
            case let .bool(flag): return flag
            }
        }
    }

    func testFolderTokenizerFollowsTheTokenizerClass() throws {
        let golden = try JSONDecoder().decode(Golden.self, from: TokenizerFixtures.data("prefix-space-golden.json"))
        let fixture = TokenizerFixtures.directory.deletingLastPathComponent().appendingPathComponent(golden.fixture)
        XCTAssertEqual(Set(golden.cases.map { $0.ids[0] }).count, 2, "the golden must contain both behaviours")
        for testCase in golden.cases {
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-prefix-\(UUID())")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            for file in ["tokenizer.json", "config.json"] {
                try FileManager.default.copyItem(at: fixture.appendingPathComponent(file), to: folder.appendingPathComponent(file))
            }
            if let config = testCase.tokenizer_config {
                try JSONSerialization.data(withJSONObject: config.mapValues(\.value))
                    .write(to: folder.appendingPathComponent("tokenizer_config.json"))
            }
            let tokenizer = try TokenizerLoader.load(folder: folder)
            XCTAssertEqual(golden.texts.map { tokenizer.encode($0) }, testCase.ids, testCase.name)
        }
    }
}
