import CZOKernels
import XCTest
import ZOTensor

/// The AVX512-VNNI int8 products (`PackedInt8`): every output equal, bit for bit, to a reference that
/// quantizes both operands per block of 64 inputs and sums the exact block dot products in fp32 in
/// block order (the kernel fixes that order, so equality holds on every machine that runs it),
/// whatever the remainders of rows, columns and inputs; the same bits on any thread count and tiling;
/// within the quantization's bound of the fp32 product; NaN where an activation block is not finite.
final class PackedInt8Tests: XCTestCase {
    private var state: UInt64 = 23

    private func random() -> Float {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) / Float(1 << 24) * 2 - 1
    }

    override func setUpWithError() throws {
        try XCTSkipUnless(PackedInt8.isRunnable, "checked on CPUs with AVX512-VNNI only")
    }

    /// One row's blocks as the kernel quantizes them: (values, scale) per block of 64.
    private func quantized(_ row: ArraySlice<Float>) -> [(q: [Int], scale: Float)] {
        stride(from: row.startIndex, to: row.endIndex, by: 64).map { start in
            let block = Array(row[start..<min(start + 64, row.endIndex)])
            let largest = block.map(abs).max() ?? 0
            let inverse: Float = largest > 0 ? 127 / largest : 0
            let q = block.map { max(-127, min(127, Int(($0 * inverse).rounded(.toNearestOrEven)))) }
            return (q + [Int](repeating: 0, count: 64 - q.count), largest / 127)
        }
    }

    private func reference(_ a: [Float], _ w: [Float], rows: Int, inner: Int, columns: Int, start: [Float], ldc: Int,
                           accumulate: Bool) -> [Float] {
        var c = start
        let qa = (0..<rows).map { quantized(a[($0 * inner)..<(($0 + 1) * inner)]) }
        let qw = (0..<columns).map { quantized(w[($0 * inner)..<(($0 + 1) * inner)]) }
        for r in 0..<rows {
            for n in 0..<columns {
                var sum: Float = accumulate ? start[r * ldc + n] : 0
                for b in qa[r].indices {
                    let dot = zip(qa[r][b].q, qw[n][b].q).reduce(0) { $0 + $1.0 * $1.1 }
                    sum = sum.addingProduct(Float(dot), qa[r][b].scale * qw[n][b].scale)
                }
                c[r * ldc + n] = sum
            }
        }
        return c
    }

    func testProductsEqualTheBlockwiseQuantizedReferenceBitForBit() {
        for (rows, inner, columns) in [(1, 1, 1), (7, 3, 17), (13, 67, 100), (6, 64, 32), (5, 129, 130), (12, 600, 31), (3, 1100, 20)] {
            for accumulate in [false, true] {
                let a = (0..<(rows * inner)).map { _ in random() }
                let w = (0..<(columns * inner)).map { _ in random() * 0.1 }
                let ldc = columns + 3
                let start = (0..<(rows * ldc)).map { _ in random() }
                var c = start
                let scratch = ProductScratch()
                w.withUnsafeBufferPointer { weight in
                    PackedInt8.linear(a, rows: rows, inner: inner, columns: columns, into: &c, ldc: ldc, accumulate: accumulate,
                                      scratch: scratch) { range, into in
                        into.update(from: weight.baseAddress! + range.lowerBound * inner, count: range.count * inner)
                    }
                }
                let expected = reference(a, w, rows: rows, inner: inner, columns: columns, start: start, ldc: ldc, accumulate: accumulate)
                XCTAssertEqual(c, expected, "\(rows)×\(inner)×\(columns), accumulate \(accumulate)")
            }
        }
    }

    /// 1,100 outputs of 1,000 inputs (two tiles): one worker and two give the same bits, and every
    /// output is within the quantization bound of the fp32 product: each operand moves by at most half
    /// a step (its block's largest magnitude / 254), so |error| ≤ Σₖ (|wₖ|·δa + |aₖ|·δw + δa·δw) plus
    /// fp32 rounding; a wrong column, block or scale gives errors of the size of the product itself.
    func testProductsDependOnNeitherThreadsNorTilesAndStayWithinTheQuantizationBound() {
        let rows = 40, inner = 1000, columns = 1100
        let a = (0..<(rows * inner)).map { _ in random() }
        let w = (0..<(columns * inner)).map { _ in random() }
        let scratch = ProductScratch()
        let workers = BLAS.workerCount
        defer { BLAS.workerCount = workers }
        func product(workers: Int) -> [Float] {
            BLAS.workerCount = workers
            var c = [Float](repeating: 0, count: rows * columns)
            w.withUnsafeBufferPointer { weight in
                PackedInt8.linear(a, rows: rows, inner: inner, columns: columns, into: &c, ldc: columns, accumulate: false,
                                  scratch: scratch) { range, into in
                    into.update(from: weight.baseAddress! + range.lowerBound * inner, count: range.count * inner)
                }
            }
            return c
        }
        let one = product(workers: 1), two = product(workers: 2)
        XCTAssertEqual(one, two)
        func steps(_ row: ArraySlice<Float>) -> [Float] {
            stride(from: row.startIndex, to: row.endIndex, by: 64).map { (row[$0..<min($0 + 64, row.endIndex)].map(abs).max() ?? 0) / 254 }
        }
        for r in stride(from: 0, to: rows, by: 7) {
            let stepA = steps(a[(r * inner)..<((r + 1) * inner)])
            for n in stride(from: 0, to: columns, by: 13) {
                let stepW = steps(w[(n * inner)..<((n + 1) * inner)])
                var exact = 0.0, bound = 0.0
                for k in 0..<inner {
                    let x = Double(a[r * inner + k]), y = Double(w[n * inner + k])
                    let da = Double(stepA[k / 64]), dw = Double(stepW[k / 64])
                    exact += x * y
                    bound += abs(y) * da + abs(x) * dw + da * dw + abs(x * y) * 1e-6
                }
                XCTAssertEqual(Double(one[r * columns + n]), exact, accuracy: bound, "[\(r), \(n)]")
                // Uniform operands in [-1, 1]: the product's spread is √inner / 3; the bound is half that.
                XCTAssertLessThan(bound, Double(inner).squareRoot() / 6, "the bound is tighter than the product's size")
            }
        }
    }

    /// An infinite or NaN activation makes its row's outputs NaN (as an fp32 product would be non-finite), not garbage.
    func testANonFiniteActivationMakesItsRowNotFinite() {
        let rows = 3, inner = 130, columns = 20
        var a = (0..<(rows * inner)).map { _ in random() }
        a[1 * inner + 100] = .infinity
        let w = (0..<(columns * inner)).map { _ in random() }
        var c = [Float](repeating: 0, count: rows * columns)
        w.withUnsafeBufferPointer { weight in
            PackedInt8.linear(a, rows: rows, inner: inner, columns: columns, into: &c, ldc: columns, accumulate: false,
                              scratch: ProductScratch()) { range, into in
                into.update(from: weight.baseAddress! + range.lowerBound * inner, count: range.count * inner)
            }
        }
        XCTAssertTrue(c[columns..<(2 * columns)].allSatisfy(\.isNaN))
        XCTAssertTrue(c[0..<columns].allSatisfy(\.isFinite))
        XCTAssertTrue(c[(2 * columns)...].allSatisfy(\.isFinite))
    }
}
