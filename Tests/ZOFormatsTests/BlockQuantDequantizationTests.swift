import XCTest
import ZOFormats

/// The block dequantizers against `block-quants.gguf` (scripts/reference/make_kquant_fixtures.py): for each
/// type, the raw blocks and the values gguf-py (and the script's transliteration of ggml-quants.c) decode
/// them to.
final class BlockQuantDequantizationTests: XCTestCase {
    static let types: [GGMLType] = [
        .q4_0, .q5_0, .q5_1, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K, .iq4_nl, .iq4_xs, .mxfp4, .nvfp4, .tq1_0, .tq2_0,
        .iq2_xxs, .iq2_xs, .iq2_s, .iq3_xxs, .iq3_s, .iq1_s, .iq1_m,
    ]

    /// Tolerance: none, bit patterns must match (so −0.0 ≠ +0.0 too). Every weight is at most
    /// `(d · s) · q − dmin · m`: exact f16→f32 and int→f32 conversions and up to three fp32 operations,
    /// which the decoders perform in the same order as ggml and numpy, with no fused multiply-add.
    func testEveryTypeDecodesBitForBitLikeTheReference() throws {
        let file = try GGUFFile(path: Fixtures.url("formats/block-quants.gguf").path)
        XCTAssertEqual(file.tensors.count, 2 * Self.types.count)
        for type in Self.types {
            let name = type.name.lowercased().replacingOccurrences(of: "_k", with: "_K")
            let tensor = try XCTUnwrap(file.tensor(named: name), name)
            let reference = try XCTUnwrap(file.tensor(named: name + ".expected"), name)
            XCTAssertEqual(tensor.encoding, .ggml(type))
            XCTAssertEqual(reference.encoding, .ggml(.f32))
            XCTAssertEqual(tensor.shape, reference.shape, name)
            let got = try tensor.floats(), want = try reference.floats()
            let wrong = zip(got, want).enumerated().filter { $0.element.0.bitPattern != $0.element.1.bitPattern }
            XCTAssertEqual(got.count, want.count, name)
            XCTAssertTrue(
                wrong.isEmpty,
                "\(name): \(wrong.count) of \(want.count) values differ, first at \(wrong.first?.offset ?? -1): "
                    + "\(wrong.first.map { "\($0.element.0) vs \($0.element.1)" } ?? "")")
        }
    }

    func testTheNewTypesAreSupported() {
        for type in Self.types { XCTAssertTrue(Dequantizer.supports(type), type.name) }
    }

    func testAByteTooFewOrTooManyIsALengthMismatch() {
        for type in Self.types {
            let elements = 2 * type.blockSize, needed = 2 * type.blockBytes
            for actual in [needed - 1, needed + 1] {
                XCTAssertThrowsError(try decodeZeros(type, byteCount: actual, elements: elements)) { error in
                    XCTAssertEqual(
                        error as? FormatError,
                        .byteLengthMismatch(
                            tensor: "w", shape: [elements], dtype: type.name, expected: needed, actual: actual))
                }
            }
        }
    }

    /// Everything still unsupported keeps the one-sentence error naming the type and tensor.
    func testRemainingTypesStayUnsupported() {
        let unsupported = GGMLType.all.values.filter { !Dequantizer.supports($0) }.sorted { $0.rawValue < $1.rawValue }
        XCTAssertEqual(
            unsupported.map(\.name),
            ["Q8_1", "I8", "I16", "I32", "I64", "F64"])
        for type in unsupported {
            XCTAssertThrowsError(try decodeZeros(type, byteCount: type.blockBytes, elements: type.blockSize)) { error in
                XCTAssertEqual("\(error)", "unsupported quantization \(type.name) in tensor w")
            }
        }
    }

    /// Decodes `byteCount` zero bytes as `elements` values of `type`, as tensor "w".
    private func decodeZeros(_ type: GGMLType, byteCount: Int, elements: Int) throws {
        let bytes = [UInt8](repeating: 0, count: byteCount)
        var out = [Float](repeating: 0, count: elements)
        try bytes.withUnsafeBytes { src in
            try out.withUnsafeMutableBufferPointer { try Dequantizer.decode(type, bytes: src, into: $0, tensor: "w") }
        }
    }
}
