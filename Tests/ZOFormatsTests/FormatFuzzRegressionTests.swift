import XCTest
import ZOFormats

/// Inputs that once crashed a fuzz target (Tests/Fixtures/fuzz-regressions/<target>): each is parsed
/// and its tensors decoded, as the fuzz target does, and must now end in a `FormatError`.
final class FormatFuzzRegressionTests: XCTestCase {
    private func assertEveryInputThrows(
        _ target: String, _ parse: (String) throws -> [StoredTensor], line: UInt = #line
    ) throws {
        let folder = Fixtures.url("fuzz-regressions/\(target)")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for name in names.sorted() {
            let path = folder.appendingPathComponent(name).path
            XCTAssertThrowsError(try parse(path).forEach { _ = try $0.floats() }, name, line: line) { error in
                XCTAssertTrue(error is FormatError, "\(name): \(error)", line: line)
            }
        }
    }

    func testGGUF() throws { try assertEveryInputThrows("GGUF") { try GGUFFile(path: $0).tensors } }
    func testSafetensors() throws { try assertEveryInputThrows("Safetensors") { try SafetensorsFile(path: $0).tensors } }
    func testTorchCheckpoint() throws {
        try assertEveryInputThrows("TorchCheckpoint") { try TorchCheckpointFile(path: $0).tensors }
    }
}
