import XCTest
import ZOTensor

/// Stored weights of one input joined in one product (`EncodedLinear.linear(weights:)`, q|k|v and
/// gate|up): the outputs of each weight's own product, bit for bit where every output sums in an
/// order of its own (int8 and bf16 panels), within fp32 rounding on the fp32 GEMM (which splits the
/// joined sums differently); a decoding step's few rows too.
final class JoinedWeightsTests: XCTestCase {
    /// fp32 rows held as a stored weight would be, decoded by copying.
    private final class Rows: EncodedRows, @unchecked Sendable {
        let rows: Int, columns: Int
        let values: [Float]
        var byteCount: Int { values.count * 4 }

        init(rows: Int, columns: Int, seed: UInt64) {
            self.rows = rows
            self.columns = columns
            var state = seed
            values = (0..<(rows * columns)).map { _ in
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(state >> 40) / Float(1 << 24) - 0.5
            }
        }

        func decode(rows range: Range<Int>, into destination: UnsafeMutablePointer<Float>) {
            values.withUnsafeBufferPointer {
                destination.update(from: $0.baseAddress! + range.lowerBound * columns, count: range.count * columns)
            }
        }
    }

    override func tearDown() { PackedBFloat16.choice = .whenFaster }

    private func check(products: BaseProducts, exact: Bool, file: StaticString = #filePath, line: UInt = #line) {
        let inner = 576
        let weights = [Rows(rows: 576, columns: inner, seed: 1), Rows(rows: 192, columns: inner, seed: 2),
                       Rows(rows: 200, columns: inner, seed: 3)]
        let width = weights.reduce(0) { $0 + $1.rows }
        let scratch = ProductScratch()
        scratch.products = products
        for rows in [3, 70] {
            let a = (0..<(rows * inner)).map { Float(($0 * 37) % 101) / 101 - 0.5 }
            var joined = [Float](repeating: .nan, count: rows * width), apart = joined
            EncodedLinear.linear(a, rows: rows, weights: weights, into: &joined, scratch: scratch)
            var column = 0
            apart.withUnsafeMutableBufferPointer { out in
                for weight in weights {
                    EncodedLinear.linear(a, rows: rows, weight: weight, into: out.baseAddress! + column, ldc: width, scratch: scratch)
                    column += weight.rows
                }
            }
            if exact {
                XCTAssertEqual(joined, apart, "\(products) products, \(rows) rows", file: file, line: line)
            } else {
                let error = zip(joined, apart).map { abs($0 - $1) }.max() ?? .infinity
                XCTAssertLessThan(error, 1e-4, "\(rows) rows", file: file, line: line)
            }
        }
    }

    func testJoinedInt8ProductsEqualEachWeightsOwn() throws {
        try XCTSkipUnless(PackedInt8.isRunnable, "int8 products run on CPUs with AVX512-VNNI only")
        PackedBFloat16.choice = .never
        check(products: .int8, exact: true)
    }

    func testJoinedBFloat16ProductsEqualEachWeightsOwn() throws {
        try XCTSkipUnless(PackedBFloat16.isRunnable, "bf16 products run on CPUs with AVX512-BF16 only")
        PackedBFloat16.choice = .always
        check(products: .automatic, exact: true)
    }

    /// Kept panels name every part of a joined product: two joins that share their first weight and
    /// their width (q|k|v of one layer against q|k'|v') must not reuse each other's panels.
    func testJoinsSharingTheirFirstWeightKeepTheirOwnPanels() throws {
        try XCTSkipUnless(PackedInt8.isRunnable, "int8 products run on CPUs with AVX512-VNNI only")
        PackedBFloat16.choice = .never
        let inner = 192, rows = 40
        let first = Rows(rows: 64, columns: inner, seed: 4)
        let one = [first, Rows(rows: 48, columns: inner, seed: 5)], other = [first, Rows(rows: 48, columns: inner, seed: 6)]
        let a = (0..<(rows * inner)).map { Float(($0 * 53) % 97) / 97 - 0.5 }
        func joined(_ weights: [Rows], scratch: ProductScratch) -> [Float] {
            var c = [Float](repeating: .nan, count: rows * 112)
            EncodedLinear.linear(a, rows: rows, weights: weights, into: &c, scratch: scratch)
            return c
        }
        let shared = ProductScratch(), afresh = ProductScratch()
        shared.products = .int8
        afresh.products = .int8
        afresh.keptPanelLimit = 0
        _ = joined(one, scratch: shared)
        let second = joined(other, scratch: shared)
        XCTAssertTrue(second == joined(other, scratch: afresh), "the second join's outputs differ from its own product's")
        XCTAssertFalse(second == joined(one, scratch: afresh), "the second join reused the first join's panels")
    }

    func testJoinedFloat32ProductsAgreeWithEachWeightsOwn() {
        PackedBFloat16.choice = .never
        check(products: .automatic, exact: false)
    }
}
