import Foundation
import XCTest
import ZOFormats
import ZOModels
import ZOTokenizers

/// Inputs that once crashed a fuzz target (Tests/Fixtures/fuzz-regressions/<target>): each is loaded,
/// and its tokenizer used, as the fuzz target does, and loading must now throw a typed error.
final class TokenizerFuzzRegressionTests: XCTestCase {
    private static let folder = TokenizerFixtures.directory.deletingLastPathComponent().appendingPathComponent("fuzz-regressions")

    /// The inputs of `target`: files for `tokenizer.json`, folders of files for the slow files.
    private func inputs(_ target: String) throws -> [URL] {
        let folder = Self.folder.appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.sorted().map { folder.appendingPathComponent($0) }
    }

    private func assertThrows<E: Error>(
        _ input: URL, _ type: E.Type, line: UInt = #line, _ load: () throws -> any TextTokenizer
    ) {
        XCTAssertThrowsError(try { _ = try load().encode("Hello world") }(), input.lastPathComponent, line: line) { error in
            XCTAssertTrue(error is E, "\(input.lastPathComponent): \(error)", line: line)
        }
    }

    func testTokenizerJSON() throws {
        for input in try inputs("TokenizerJSON") {
            assertThrows(input, TokenizerError.self) { try TokenizerLoader.load(tokenizerJSON: try Data(contentsOf: input)) }
        }
    }

    func testSlowTokenizerFiles() throws {
        for input in try inputs("SlowTokenizer") {
            assertThrows(input, TokenizerError.self) { try SlowTokenizerFiles.load(folder: input) }
        }
    }

    func testGGUFTokenizer() throws {
        for input in try inputs("GGUFTokenizer") {
            assertThrows(input, TokenizerError.self) { try TokenizerLoader.load(gguf: GGUFFile(path: input.path)) }
        }
    }
}
