import Foundation
import XCTest
import ZOFormats

final class SafetensorsTests: XCTestCase {
    /// The reader against a file written by the reference `safetensors` package.
    func testReferenceFileDecodesEveryDType() throws {
        let file = try SafetensorsFile(path: Fixtures.url("formats/dtypes.safetensors").path)
        let expected = try Fixtures.json("formats/dtypes.expected.json")
        XCTAssertEqual(file.metadata, expected["metadata"] as? [String: String])
        let tensors = expected["tensors"] as! [String: [String: Any]]
        XCTAssertEqual(Set(file.tensors.map(\.name)), Set(tensors.keys))
        for (name, reference) in tensors {
            let tensor = try XCTUnwrap(file.tensor(named: name))
            XCTAssertEqual(tensor.encoding.description, reference["dtype"] as? String)
            XCTAssertEqual(tensor.shape, reference["shape"] as? [Int])
            let values = reference["values"] as! [NSNumber]
            if tensor.encoding == .safetensors(.i64) {
                XCTAssertEqual(try tensor.integers(), values.map(\.intValue), name)
            } else {
                XCTAssertEqual(try tensor.floats(), values.map(\.floatValue), name)
            }
        }
    }

    func testWriterRoundTripsAndIsReadableByTheReader() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let values: [Float] = [0, -1.5, 3.25, 1e-3, -65504, 7]
        try SafetensorsWriter().write(
            [
                .init(name: "f32", shape: [2, 3], floats: values),
                .init(name: "f16", shape: [6], floats: values, as: .f16),
                .init(name: "bf16", shape: [3, 2], floats: values, as: .bf16),
                .init(name: "ids", shape: [3], integers: [-1, 0, 1 << 40]),
            ], metadata: ["producer": "test"], to: url)
        let file = try SafetensorsFile(path: url.path)
        XCTAssertEqual(file.metadata, ["producer": "test"])
        XCTAssertEqual(try file.tensor(named: "f32")?.floats(), values)
        XCTAssertEqual(try file.tensor(named: "f16")?.floats(), values.map { Float(Float16($0)) })
        let bf16 = try XCTUnwrap(file.tensor(named: "bf16")?.floats())
        for (a, b) in zip(bf16, values) { XCTAssertEqual(a, b, accuracy: abs(b) / 128) }
        XCTAssertEqual(try file.tensor(named: "ids")?.integers(), [-1, 0, 1 << 40])
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: url.deletingLastPathComponent().path)
            .filter { $0.contains(url.lastPathComponent) && $0.contains(".tmp-") }
        XCTAssertEqual(leftovers, [], "atomic write leaves no temporary file")
    }

    /// A computed tensor is written a block of whole rows at a time (at least one row), and the file
    /// is the same as when its values are given at once.
    func testComputedTensorsAreWrittenInBlocksOfRows() throws {
        let directory = FileManager.default.temporaryDirectory
        let (blocked, whole) = (directory.appendingPathComponent("zotune-\(UUID()).safetensors"),
                                directory.appendingPathComponent("zotune-\(UUID()).safetensors"))
        defer { for url in [blocked, whole] { try? FileManager.default.removeItem(at: url) } }
        let values = (0..<21).map { Float($0) * 0.5 - 3 }
        var blocks: [Range<Int>] = []
        let computed = SafetensorsWriter.Tensor(name: "w", shape: [7, 3]) { block, rows in
            blocks.append(rows)
            XCTAssertEqual(block.count, rows.count * 3)
            XCTAssertTrue(block.allSatisfy { $0 == 0 }, "each block starts zeroed")
            for (i, row) in rows.enumerated() { for j in 0..<3 { block[i * 3 + j] = values[row * 3 + j] } }
        }
        let single = SafetensorsWriter.Tensor(name: "one", shape: [4], computingRows: { block, rows in
            XCTAssertEqual(rows, 0..<4)
            for i in 0..<4 { block[i] = Float(i) }
        })
        try SafetensorsWriter().write([computed, single], to: blocked, blockFloats: 7)
        XCTAssertEqual(blocks, [0..<2, 2..<4, 4..<6, 6..<7])
        try SafetensorsWriter().write(
            [.init(name: "w", shape: [7, 3], floats: values), .init(name: "one", shape: [4], floats: [0, 1, 2, 3])], to: whole)
        XCTAssertEqual(try Data(contentsOf: blocked), try Data(contentsOf: whole))

        blocks = []
        try SafetensorsWriter().write([computed], to: blocked, blockFloats: 2)
        XCTAssertEqual(blocks, (0..<7).map { $0..<($0 + 1) }, "a row wider than the block still goes whole")

        XCTAssertEqual(SafetensorsWriter.rowBlocks(rows: 10, rowWidth: 1, blockFloats: 4, minimumRows: 3), [0..<4, 4..<10],
                       "a last block shorter than the minimum joins the one before")
        XCTAssertEqual(SafetensorsWriter.rowBlocks(rows: 10, rowWidth: 1, blockFloats: 2, minimumRows: 3), [0..<3, 3..<6, 6..<10])
        XCTAssertEqual(SafetensorsWriter.rowBlocks(rows: 2, rowWidth: 1, blockFloats: 1, minimumRows: 3), [0..<2])
    }

    // MARK: - Broken files

    /// A file with a hand-written header and `dataBytes` bytes of data.
    private func file(header: String, dataBytes: Int) -> TemporaryFile {
        let json = Array(header.utf8)
        return TemporaryFile(bytes: GGUFBuilder.le(UInt64(json.count)) + json + [UInt8](repeating: 0, count: dataBytes),
                             suffix: ".safetensors")
    }

    private func expectError(header: String, dataBytes: Int, _ check: (FormatError) -> Bool, line: UInt = #line) {
        let f = file(header: header, dataBytes: dataBytes)
        XCTAssertThrowsError(try SafetensorsFile(path: f.path), line: line) { error in
            guard let error = error as? FormatError else { return XCTFail("untyped error \(error)", line: line) }
            XCTAssertTrue(check(error), "unexpected: \(error)", line: line)
        }
    }

    func testTruncatedFile() {
        for bytes in [[], [1, 2, 3]] as [[UInt8]] {
            let f = TemporaryFile(bytes: bytes)
            XCTAssertThrowsError(try SafetensorsFile(path: f.path)) { error in
                guard case .truncated = error as? FormatError else { return XCTFail("\(error)") }
            }
        }
    }

    func testHeaderLengthPastTheEnd() {
        let f = TemporaryFile(bytes: GGUFBuilder.le(UInt64(1_000_000)) + Array("{}".utf8))
        XCTAssertThrowsError(try SafetensorsFile(path: f.path)) { error in
            guard case .headerPastEnd = error as? FormatError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("declares a 1000000-byte header"))
        }
    }

    /// A header past the reference reader's 100 MB limit is refused before it is parsed (a sparse file).
    func testHeaderOverTheLimitIsRefused() throws {
        let f = TemporaryFile(bytes: GGUFBuilder.le(UInt64(SafetensorsFile.maximumHeaderBytes + 1)))
        XCTAssertEqual(truncate(f.path, off_t(8 + SafetensorsFile.maximumHeaderBytes + 1)), 0)
        XCTAssertThrowsError(try SafetensorsFile(path: f.path)) { error in
            guard case .invalidHeader = error as? FormatError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("more than the 100000000 allowed"), "\(error)")
        }
    }

    func testInvalidJSON() {
        expectError(header: "{not json", dataBytes: 0) { if case .invalidHeader = $0 { return true } else { return false } }
    }

    func testUnknownDType() {
        expectError(header: #"{"x":{"dtype":"F7","shape":[1],"data_offsets":[0,1]}}"#, dataBytes: 1) {
            $0 == .unknownDType(tensor: "x", dtype: "F7")
        }
    }

    func testShapeTimesDTypeMustEqualByteLength() {
        expectError(header: #"{"x":{"dtype":"F32","shape":[2,3],"data_offsets":[0,20]}}"#, dataBytes: 20) {
            $0 == .byteLengthMismatch(tensor: "x", shape: [2, 3], dtype: "F32", expected: 24, actual: 20)
        }
    }

    func testOffsetsOutOfRange() {
        expectError(header: #"{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#, dataBytes: 8) {
            $0 == .offsetOutOfRange(tensor: "x", end: 16, limit: 8)
        }
    }

    func testOverlappingTensors() {
        let header = #"{"x":{"dtype":"F32","shape":[4],"data_offsets":[0,16]},"y":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}"#
        expectError(header: header, dataBytes: 16) { $0 == .overlappingTensors(first: "x", second: "y") }
    }

    func testMissingFields() {
        expectError(header: #"{"x":{"dtype":"F32","shape":[4]}}"#, dataBytes: 16) {
            if case .invalidHeader = $0 { return true } else { return false }
        }
    }

    func testNegativeShape() {
        expectError(header: #"{"x":{"dtype":"F32","shape":[-4],"data_offsets":[0,16]}}"#, dataBytes: 16) {
            if case .invalidHeader = $0 { return true } else { return false }
        }
    }
}
