import XCTest
import ZOFormats
import ZOTensor

/// The vectorised block decoders a stored base uses on every forward give exactly ZOFormats'
/// decoders' bits (ggml's arithmetic), on random blocks whose half-precision scales include zero,
/// negative, subnormal and large values, under every kernel variant this CPU runs.
final class BlockDecodingTests: XCTestCase {
    /// Random blocks of `type` whose half-precision scales include zero, ±subnormal, ordinary and
    /// the largest values.
    private func randomBlocks(_ type: GGMLType, halfOffsets: [Int], count blocks: Int, seed: UInt64 = 3) -> [UInt8] {
        var state = seed
        func byte() -> UInt8 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
        let halves: [UInt16] = [0x0000, 0x0001, 0x83FF, 0x3C00, 0xB555, 0x2E66, 0x7BFF, 0x1234]
        var bytes = (0..<(blocks * type.blockBytes)).map { _ in byte() }
        for b in 0..<blocks {
            for (i, offset) in halfOffsets.enumerated() {
                let half = halves[(b + 3 * i) % halves.count] ^ (b % 2 == 0 ? 0 : 0x8000)
                bytes[b * type.blockBytes + offset] = UInt8(half & 0xFF)
                bytes[b * type.blockBytes + offset + 1] = UInt8(half >> 8)
            }
            if type == .iq1_m {
                // IQ1_M's d is the top nibbles of its four scale words (bytes 48–55), low nibble first.
                let half = halves[b % halves.count] ^ (b % 2 == 0 ? 0 : 0x8000)
                for k in 0..<4 {
                    let high = b * type.blockBytes + 48 + 2 * k + 1
                    bytes[high] = bytes[high] & 0x0F | UInt8((half >> (4 * UInt16(k))) & 0x0F) << 4
                }
            }
        }
        return bytes
    }

    private let cases: [(BlockDecoding, GGMLType, halfOffsets: [Int])] = [
        (.q4_0, .q4_0, [0]), (.q4_1, .q4_1, [0, 2]), (.q5_0, .q5_0, [0]), (.q8_0, .q8_0, [0]),
        (.q4_K, .q4_K, [0, 2]), (.q6_K, .q6_K, [208]), (.q5_1, .q5_1, [0, 2]), (.q2_K, .q2_K, [80, 82]),
        (.q3_K, .q3_K, [108]), (.q5_K, .q5_K, [0, 2]), (.iq4_nl, .iq4_nl, [0]), (.iq4_xs, .iq4_xs, [0]),
        (.iq2_xxs, .iq2_xxs, [0]), (.iq2_xs, .iq2_xs, [0]), (.iq2_s, .iq2_s, [0]), (.iq3_xxs, .iq3_xxs, [0]),
        (.iq3_s, .iq3_s, [0]), (.iq1_s, .iq1_s, [0]), (.iq1_m, .iq1_m, []), (.q8_K, .q8_K, []),
        (.mxfp4, .mxfp4, []), (.nvfp4, .nvfp4, []), (.tq1_0, .tq1_0, [52]), (.tq2_0, .tq2_0, [64]),
    ]

    func testEveryBlockTypeDecodesToZOFormatsBits() throws {
        let original = KernelVariant.active
        defer { KernelVariant.use(original) }
        for (kind, type, halfOffsets) in cases {
            XCTAssertEqual(kind.block.elements, type.blockSize, "\(type.name)")
            XCTAssertEqual(kind.block.bytes, type.blockBytes, "\(type.name)")
            XCTAssertEqual(BlockDecoding(ggmlName: type.name), kind)
            // The grid types draw 2,048 blocks: each codebook entry is then picked ≥ 16 times on
            // average (the largest book has 2,048 entries, 32 picks a block), so every entry of the
            // kernels' generated copy of the codebooks is compared with ZOFormats'.
            let blocks = GGMLType.gridTypes.contains(type) ? 2048 : 24
            let bytes = randomBlocks(type, halfOffsets: halfOffsets, count: blocks)
            var expected = [Float](repeating: .nan, count: blocks * type.blockSize)
            try bytes.withUnsafeBytes { raw in
                try expected.withUnsafeMutableBufferPointer { try Dequantizer.decode(type, bytes: raw, into: $0, tensor: "t") }
            }
            for variant in KernelVariant.allCases where variant.isAvailable {
                XCTAssertTrue(KernelVariant.use(variant))
                var decoded = [Float](repeating: .nan, count: expected.count)
                bytes.withUnsafeBytes { kind.decode($0.baseAddress!, blocks: blocks, into: &decoded) }
                let first = decoded.indices.first { decoded[$0].bitPattern != expected[$0].bitPattern }
                XCTAssertNil(first, "\(type.name), \(variant.rawValue) kernels: weight \(first ?? 0) is \(first.map { decoded[$0] } ?? 0), not \(first.map { expected[$0] } ?? 0)")
            }
        }
        XCTAssertNil(BlockDecoding(ggmlName: "F16"), "16-bit floats decode through ZOFormats")
        let tested = Set(cases.map { $0.1.name })
        for type in GGMLType.all.values where type.blockSize > 1 && Dequantizer.supports(type) {
            XCTAssertTrue(tested.contains(type.name), "every block type ZOFormats decodes has a kernel checked here: \(type.name)")
        }
    }

    /// A decoding step's product with blocks decoded a row at a time gives the bits of decoding the
    /// weight first and running the skinny product, for every group size of activation rows, with
    /// rows in file order or permuted (llama.cpp's q/k rows), with and without accumulation.
    func testRowKernelProductEqualsDecodedWeightProduct() {
        let original = KernelVariant.active
        defer { KernelVariant.use(original) }
        var state: UInt64 = 11
        func value() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(Int64(bitPattern: state >> 11) % 2_000_001) / 1_000_000 - 1
        }
        for (kind, type, halfOffsets) in cases {
            let outputs = 7, inner = 2 * kind.block.elements, rowBytes = 2 * kind.block.bytes
            let bytes = randomBlocks(type, halfOffsets: halfOffsets, count: outputs * 2, seed: 5)
            let permutation: [Int64] = [3, 0, 6, 1, 5, 2, 4]
            for fileRows in [nil, permutation] {
                var decoded = [Float](repeating: .nan, count: outputs * inner)
                for row in 0..<outputs {
                    let source = fileRows.map { Int($0[row]) } ?? row
                    bytes.withUnsafeBytes { raw in
                        decoded.withUnsafeMutableBufferPointer {
                            kind.decode(raw.baseAddress! + source * rowBytes, blocks: 2, into: $0.baseAddress! + row * inner)
                        }
                    }
                }
                for rows in [1, 3, 4, 5, 8] {
                    let lda = inner + 3
                    let a = (0..<(rows * lda)).map { _ in value() }
                    for beta: Float in [0, 1] {
                        let start = (0..<(rows * outputs)).map { _ in value() }
                        var expected = start
                        BLAS.linear(a, rows: rows, inner: inner, lda: lda, weight: decoded, columns: outputs, into: &expected, beta: beta)
                        for variant in KernelVariant.allCases where variant.isAvailable {
                            XCTAssertTrue(KernelVariant.use(variant))
                            var reference = start
                            BLAS.linear(a, rows: rows, inner: inner, lda: lda, weight: decoded, columns: outputs, into: &reference, beta: beta)
                            var product = start
                            var row = [Float](repeating: 0, count: BlockDecoding.decodedRows * inner)
                            bytes.withUnsafeBytes { raw in
                                let kernel = { (table: UnsafePointer<Int64>?) in
                                    kind.skinnyLinear(a, rows: rows, inner: inner, lda: lda, weight: raw.baseAddress!, rowBytes: rowBytes,
                                                      fileRows: table, columns: outputs, into: &product, ldc: outputs, beta: beta, row: &row)
                                }
                                if let fileRows { fileRows.withUnsafeBufferPointer { kernel($0.baseAddress!) } } else { kernel(nil) }
                            }
                            let label = "\(type.name), \(rows) rows, beta \(beta), \(fileRows == nil ? "file order" : "permuted"), \(variant.rawValue)"
                            XCTAssertEqual(product.map(\.bitPattern), reference.map(\.bitPattern), label)
                            XCTAssertEqual(reference.map(\.bitPattern), expected.map(\.bitPattern), "variants agree: \(label)")
                        }
                    }
                }
            }
        }
    }
}

private extension GGMLType {
    /// The types whose weights index the generated codebooks (GridCodebooks).
    static let gridTypes: [GGMLType] = [.iq2_xxs, .iq2_xs, .iq2_s, .iq3_xxs, .iq3_s, .iq1_s, .iq1_m]
}
