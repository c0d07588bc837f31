import XCTest
import ZOFormats

/// Broken GGUF files must produce a typed, one-sentence error, never a crash.
final class GGUFValidationTests: XCTestCase {
    private func validFile() -> GGUFBuilder {
        var builder = GGUFBuilder()
        builder.addString("general.architecture", "llama")
        builder.addUInt32("general.alignment", 32)
        builder.addTensor("a", dims: [32, 2], type: 0, bytes: GGUFBuilder.floats((0..<64).map(Float.init)))
        builder.addTensor("b", dims: [32], type: 0, bytes: GGUFBuilder.floats((0..<32).map(Float.init)))
        return builder
    }

    private func parse(_ bytes: [UInt8]) throws -> GGUFFile {
        let file = TemporaryFile(bytes: bytes, suffix: ".gguf")
        return try withExtendedLifetime(file) { try GGUFFile(path: file.path) }
    }

    private func expectError(_ bytes: [UInt8], _ check: (FormatError) -> Bool, file: StaticString = #filePath, line: UInt = #line) {
        do {
            _ = try parse(bytes)
            XCTFail("expected a FormatError", file: file, line: line)
        } catch let error as FormatError {
            XCTAssertTrue(check(error), "unexpected error: \(error)", file: file, line: line)
            XCTAssertFalse(error.description.isEmpty)
        } catch {
            XCTFail("unexpected error type \(error)", file: file, line: line)
        }
    }

    func testValidFileParses() throws {
        let file = try parse(validFile().build())
        XCTAssertEqual(try file.tensor(named: "a")?.floats(), (0..<64).map(Float.init))
    }

    func testEveryTruncationThrows() {
        let bytes = validFile().build()
        for cut in 0..<bytes.count {
            XCTAssertThrowsError(try parse(Array(bytes[0..<cut])), "cut at \(cut)") { error in
                XCTAssertTrue(error is FormatError, "cut at \(cut): \(error)")
            }
        }
    }

    func testBadMagic() {
        var bytes = validFile().build()
        bytes[0] = UInt8(ascii: "X")
        expectError(bytes) { if case .badMagic = $0 { return true } else { return false } }
    }

    func testLyingTensorCountIsRejectedBeforeAllocating() {
        var builder = validFile()
        builder.tensorCountOverride = UInt64.max / 2
        expectError(builder.build()) { if case .invalidHeader = $0 { return true } else { return false } }
    }

    /// A metadata array may not declare more elements than any real vocabulary needs, even when the
    /// file has the bytes: each element would take ~24 bytes in memory.
    func testOversizedMetadataArrayIsRefused() {
        let count = GGUFFile.maximumArrayCount + 1
        var bytes = Array("GGUF".utf8) + GGUFBuilder.le(UInt32(3)) + GGUFBuilder.le(UInt64(0)) + GGUFBuilder.le(UInt64(1))
        bytes += GGUFBuilder.string("tokenizer.ggml.token_type") + GGUFBuilder.le(UInt32(9)) + GGUFBuilder.le(UInt32(0))
        bytes += GGUFBuilder.le(UInt64(count)) + [UInt8](repeating: 1, count: count)
        expectError(bytes) { "\($0)".contains("declares \(count) elements, more than the \(GGUFFile.maximumArrayCount)") }
    }

    func testUnknownGGMLType() {
        var builder = validFile()
        builder.tensors[1].type = 31
        expectError(builder.build()) { $0 == .unknownDType(tensor: "b", dtype: "ggml type 31") }
    }

    func testUnsupportedQuantizationNamesTypeAndTensor() throws {
        var builder = GGUFBuilder()
        builder.addTensor("blk.0.attn_q.weight", dims: [32, 1], type: 9, bytes: [UInt8](repeating: 0, count: 36))
        let file = try parse(builder.build())
        XCTAssertThrowsError(try file.tensors[0].floats()) { error in
            XCTAssertEqual("\(error)", "unsupported quantization Q8_1 in tensor blk.0.attn_q.weight")
        }
    }

    func testOffsetPastTheEnd() {
        var builder = validFile()
        builder.tensors[1].offset = 4096
        expectError(builder.build()) { if case .offsetOutOfRange(tensor: "b", _, _) = $0 { return true } else { return false } }
    }

    func testOverlappingTensors() {
        var builder = validFile()
        builder.tensors[1].offset = 128
        expectError(builder.build()) { $0 == .overlappingTensors(first: "a", second: "b") }
    }

    func testMisalignedOffset() {
        var builder = validFile()
        builder.tensors[1].offset += 4
        expectError(builder.build()) { if case .invalidHeader = $0 { return true } else { return false } }
    }

    func testShapeNotAWholeNumberOfBlocks() {
        var builder = GGUFBuilder()
        builder.addTensor("q", dims: [33], type: 8, bytes: [UInt8](repeating: 0, count: 34))
        expectError(builder.build()) { if case .byteLengthMismatch(tensor: "q", _, _, _, _) = $0 { return true } else { return false } }
    }

    func testUnsupportedVersion() {
        var builder = validFile()
        builder.version = 1
        expectError(builder.build()) { $0 == .unsupportedVersion(path: $0.path, version: 1) }
    }

    func testDuplicateTensorName() {
        var builder = validFile()
        builder.tensors[1].name = "a"
        expectError(builder.build()) { $0 == .duplicateTensor(name: "a") }
    }
}

private extension FormatError {
    var path: String {
        if case let .unsupportedVersion(path, _) = self { return path }
        return ""
    }
}
