import Foundation
import XCTest
import ZOTokenizers

/// Inputs that once crashed a fuzz target (Tests/Fixtures/fuzz-regressions/<target>): each is loaded,
/// and its tokenizer used, as the fuzz target does, and loading must now throw a `TokenizerError`.
final class TokenizerFuzzRegressionTests: XCTestCase {
    private static let folder = TokenizerFixtures.directory.deletingLastPathComponent().appendingPathComponent("fuzz-regressions")

    /// The inputs of `target`: files for `tokenizer.json`, folders of files for the slow files.
    private func inputs(_ target: String) throws -> [URL] {
        let folder = Self.folder.appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().map { folder.appendingPathComponent($0) }
    }

    private func assertThrows(_ input: URL, line: UInt = #line, _ load: () throws -> any TextTokenizer) {
        XCTAssertThrowsError(try { _ = try load().encode("Hello world") }(), input.lastPathComponent, line: line) { error in
            XCTAssertTrue(error is TokenizerError, "\(input.lastPathComponent): \(error)", line: line)
        }
    }

    func testTokenizerJSON() throws {
        for input in try inputs("TokenizerJSON") {
            assertThrows(input) { try TokenizerLoader.load(tokenizerJSON: try Data(contentsOf: input)) }
        }
    }

    func testSlowTokenizerFiles() throws {
        for input in try inputs("SlowTokenizer") {
            assertThrows(input) { try SlowTokenizerFiles.load(folder: input) }
        }
    }
}
