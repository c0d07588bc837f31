import XCTest
import ZOFormats
import ZOTensor

/// The vectorised block decoders a stored base uses on every forward give exactly ZOFormats'
/// decoders' bits (ggml's arithmetic), on random blocks whose half-precision scales include zero,
/// negative, subnormal and large values, under every kernel variant this CPU runs.
final class BlockDecodingTests: XCTestCase {
    func testEveryBlockTypeDecodesToZOFormatsBits() throws {
        var state: UInt64 = 3
        func byte() -> UInt8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        // Finite halves: zero, ±subnormal, ordinary, the largest.
        let halves: [UInt16] = [0x0000, 0x0001, 0x83FF, 0x3C00, 0xB555, 0x2E66, 0x7BFF, 0x1234]
        let cases: [(BlockDecoding, GGMLType, halfOffsets: [Int])] = [
            (.q4_0, .q4_0, [0]), (.q4_1, .q4_1, [0, 2]), (.q5_0, .q5_0, [0]), (.q8_0, .q8_0, [0]),
            (.q4_K, .q4_K, [0, 2]), (.q6_K, .q6_K, [208]),
        ]
        let original = KernelVariant.active
        defer { KernelVariant.use(original) }
        for (kind, type, halfOffsets) in cases {
            XCTAssertEqual(kind.block.elements, type.blockSize, "\(type.name)")
            XCTAssertEqual(kind.block.bytes, type.blockBytes, "\(type.name)")
            XCTAssertEqual(BlockDecoding(ggmlName: type.name), kind)
            let blocks = 24
            var bytes = (0..<(blocks * type.blockBytes)).map { _ in byte() }
            for b in 0..<blocks {
                for (i, offset) in halfOffsets.enumerated() {
                    let half = halves[(b + 3 * i) % halves.count] ^ (b % 2 == 0 ? 0 : 0x8000)
                    bytes[b * type.blockBytes + offset] = UInt8(half & 0xFF)
                    bytes[b * type.blockBytes + offset + 1] = UInt8(half >> 8)
                }
            }
            var expected = [Float](repeating: .nan, count: blocks * type.blockSize)
            try bytes.withUnsafeBytes { raw in
                try expected.withUnsafeMutableBufferPointer { try Dequantizer.decode(type, bytes: raw, into: $0, tensor: "t") }
            }
            for variant in KernelVariant.allCases where variant.isAvailable {
                XCTAssertTrue(KernelVariant.use(variant))
                var decoded = [Float](repeating: .nan, count: expected.count)
                bytes.withUnsafeBytes { kind.decode($0.baseAddress!, blocks: blocks, into: &decoded) }
                XCTAssertEqual(decoded.map(\.bitPattern), expected.map(\.bitPattern), "\(type.name), \(variant.rawValue) kernels")
            }
        }
        XCTAssertNil(BlockDecoding(ggmlName: "Q5_K"), "types without a kernel decode through ZOFormats")
    }
}
