import XCTest
import ZOTensor

/// bfloat16 storage of a frozen base: rounding as PyTorch rounds (to nearest, ties to even), exact
/// widening, products on tiles of widened weights equal to the fp32 product of the widened matrix,
/// and an arena that holds 2-D weights narrow and vectors in fp32.
final class BFloat16Tests: XCTestCase {
    func testRoundingIsToNearestWithTiesToEven() {
        // 1 + 2⁻⁸ lies halfway between 1 and 1 + 2⁻⁷: ties go to the even mantissa (1).
        XCTAssertEqual(BFloat16.round(1 + 0x1p-8), BFloat16.round(1))
        // 1 + 3·2⁻⁸ lies halfway between 1 + 2⁻⁷ and 1 + 2⁻⁶: up to the even one.
        XCTAssertEqual(BFloat16.widen(BFloat16.round(1 + 3 * 0x1p-8)), 1 + 0x1p-6)
        // Just above halfway rounds up; values held exactly stay.
        XCTAssertEqual(BFloat16.widen(BFloat16.round(1 + 0x1p-8 + 0x1p-20)), 1 + 0x1p-7)
        for value: Float in [0, -0.0, 1, -2.5, 0x1p-100, 65280, -0.15625] {
            XCTAssertEqual(BFloat16.widen(BFloat16.round(value)).bitPattern, value.bitPattern, "\(value)")
        }
        // The vector path rounds as the scalar one, across a length that is not a multiple of 16.
        var state: UInt32 = 12345
        let values = (0..<37).map { _ -> Float in
            state = state &* 1_664_525 &+ 1_013_904_223
            return Float(bitPattern: (state & 0x807F_FFFF) | 0x3F00_0000)
        }
        var narrow = [UInt16](repeating: 0, count: values.count)
        BFloat16.round(values, into: &narrow, count: values.count)
        XCTAssertEqual(narrow, values.map { BFloat16.round($0) })
        var wide = [Float](repeating: .nan, count: values.count)
        BFloat16.widen(narrow, into: &wide, count: values.count)
        XCTAssertEqual(wide, narrow.map { BFloat16.widen($0) })
        for (original, rounded) in zip(values, wide) {
            XCTAssertLessThanOrEqual(abs(original - rounded), abs(original) * 0x1p-8, "relative error ≤ 2⁻⁸")
        }
    }

    /// Products over several tiles (2,500 outputs of 1,024 inputs: three tiles of at most 1,024
    /// outputs), in both layouts, against the fp32 product of the widened weight: the path CPUs
    /// without AVX512-BF16 take (`PackedBFloat16Tests` checks the other).
    func testTiledProductsEqualTheProductOfTheWidenedWeight() {
        PackedBFloat16.choice = .never
        defer { PackedBFloat16.choice = .whenFaster }
        let rows = 5, inner = 1024, columns = 2500
        var state: UInt64 = 7
        func random() -> Float {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Float(state >> 40) / Float(1 << 24) * 2 - 1
        }
        let input = (0..<(rows * inner)).map { _ in random() }
        let weight = (0..<(columns * inner)).map { _ in random() }
        var narrow = [UInt16](repeating: 0, count: weight.count)
        BFloat16.round(weight, into: &narrow, count: weight.count)
        let widened = narrow.map(BFloat16.widen)
        let scratch = ProductScratch()

        // nn.Linear layout: W [columns × inner]; c = a·Wᵀ, accumulated onto 1s.
        var expected = [Float](repeating: 1, count: rows * columns)
        BLAS.linear(input, rows: rows, inner: inner, weight: widened, columns: columns, into: &expected, beta: 1)
        var product = [Float](repeating: 1, count: rows * columns)
        BFloat16Linear.linear(input, rows: rows, inner: inner, weight: narrow, columns: columns, into: &product, beta: 1,
                              scratch: scratch)
        XCTAssertLessThan(zip(product, expected).map { abs($0 - $1) }.max()!, 1e-4)

        // Conv1D layout: the same numbers read as W [inner × columns]; c = a·W.
        var expectedConv = [Float](repeating: 0, count: rows * columns)
        BLAS.multiply(input, rows: rows, inner: inner, widened, columns: columns, into: &expectedConv)
        var productConv = [Float](repeating: 0, count: rows * columns)
        BFloat16Linear.multiply(input, rows: rows, inner: inner, weight: narrow, columns: columns, into: &productConv,
                                scratch: scratch)
        XCTAssertLessThan(zip(productConv, expectedConv).map { abs($0 - $1) }.max()!, 1e-4)
    }

    func testAnArenaHoldsMatricesNarrowAndVectorsInFloat32() {
        let specs = [
            ParameterSpec(name: "embed", shape: [10, 8], role: .embedding, layer: nil, kind: .tokenEmbedding, activationUse: .lookup),
            ParameterSpec(name: "norm", shape: [8], role: .norm, layer: 0, kind: .norm, activationUse: []),
            ParameterSpec(name: "q", shape: [8, 8], role: .matrix, layer: 0, kind: .query, activationUse: .everyToken),
        ]
        let wide = WeightArena(specs)
        let narrow = WeightArena(specs) { $0.shape.count == 2 ? .bfloat16 : .float32 }
        XCTAssertEqual(narrow.entries.map(\.precision), [.bfloat16, .float32, .bfloat16])
        XCTAssertEqual(wide.byteCount, (80 + 16 + 64) * 4)
        XCTAssertEqual(narrow.byteCount, 16 * 4 + (96 + 64) * 2, "vectors fp32; each narrow entry padded to 64 bytes")
        XCTAssertFalse(narrow.isAllFloat32)
        XCTAssertTrue(wide.isAllFloat32)
        XCTAssertEqual(narrow.bytes(narrow.entries[0]).count, 160)
    }
}
