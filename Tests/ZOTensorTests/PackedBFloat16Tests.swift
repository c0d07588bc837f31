import CZOKernels
import XCTest
import ZOTensor

/// The AVX512-BF16 products (`PackedBFloat16`): every output within fp32 accumulation error of the
/// exact product of the bf16-rounded activations and weights, whatever the shape's remainders (rows
/// not a multiple of the 6-row tile, columns not a multiple of 16 or 64, odd input counts); the same
/// bits from every packing source, thread count and tiling; and products on bf16 and stored weights
/// that take the path within the stated tolerance of the fp32 product.
final class PackedBFloat16Tests: XCTestCase {
    private var state: UInt64 = 11

    private func random() -> Float {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) / Float(1 << 24) * 2 - 1
    }

    private func rounded(_ values: [Float]) -> [Float] { values.map { BFloat16.widen(BFloat16.round($0)) } }

    /// The tests below run the kernel wherever the CPU has it, faster than fp32 or not.
    override func setUp() { PackedBFloat16.choice = .always }
    override func tearDown() { PackedBFloat16.choice = .whenFaster }

    /// Forced on, the path runs exactly where the CPU has AVX512-BF16 (so the tests below check it
    /// there); by default only where it is also faster than fp32; forced off, nowhere.
    func testThePathIsActiveExactlyWhereTheCPURunsIt() {
        let runs = zo_bf16_products_available() && zo_kernels_active() == ZO_KERNELS_AVX512
        XCTAssertEqual(PackedBFloat16.isActive, runs)
        PackedBFloat16.choice = .whenFaster
        XCTAssertEqual(PackedBFloat16.isActive, runs && PackedBFloat16.isFasterThanFloat32)
        PackedBFloat16.choice = .never
        XCTAssertFalse(PackedBFloat16.isActive)
    }

    /// The kernel against a double-precision product of the rounded operands, |error| ≤ 2⁻²²·Σ|aₖwₖ|:
    /// the products are exact in fp32 and a chain of n additions errs by at most about n·2⁻²⁴·Σ|aₖwₖ|,
    /// so with ≤ 151 pairs here a wrong pairing, column or tail (errors of order Σ|aₖwₖ|) cannot
    /// pass; accumulation onto existing values and an output row stride wider than the columns.
    func testProductsMatchTheExactProductOfTheRoundedOperands() throws {
        try XCTSkipUnless(PackedBFloat16.isActive, "checked on CPUs with AVX512-BF16 only (see the test above)")
        for (rows, inner, columns) in [(1, 1, 1), (7, 3, 17), (13, 67, 100), (6, 300, 64), (5, 129, 130), (12, 2, 31)] {
            let a = (0..<(rows * inner)).map { _ in random() }
            let w = (0..<(columns * inner)).map { _ in random() }
            let ldc = columns + 3
            let start = (0..<(rows * ldc)).map { _ in random() }
            var roundedA = [UInt16](repeating: 0, count: rows * ((inner + 1) / 2 * 2))
            zo_bf16_round_activations(a, inner, rows, inner, &roundedA)
            var panels = [UInt16](repeating: 0, count: zo_bf16_panel_elements(columns, inner))
            zo_bf16_pack_f32(w, columns, inner, &panels)
            var c = start
            zo_bf16_gemm(roundedA, rows, inner, panels, columns, &c, ldc, true)

            let ra = rounded(a), rw = rounded(w)
            for r in 0..<rows {
                for n in 0..<columns {
                    var exact = Double(start[r * ldc + n]), magnitude = abs(exact)
                    for k in 0..<inner {
                        let term = Double(ra[r * inner + k]) * Double(rw[n * inner + k])
                        exact += term
                        magnitude += abs(term)
                    }
                    XCTAssertEqual(Double(c[r * ldc + n]), exact, accuracy: magnitude * 0x1p-22 + 1e-30,
                                   "\(rows)×\(inner)×\(columns) at [\(r), \(n)]")
                }
            }
            for r in 0..<rows {
                for n in columns..<ldc {
                    XCTAssertEqual(c[r * ldc + n], start[r * ldc + n], "padding columns untouched")
                }
            }
        }
    }

    /// Packing an fp32 matrix, its bf16 rounding row-major, and the same read as inputs × outputs
    /// (GPT-2's layout) gives the same panels, zero-padded past the last column and input.
    func testEveryPackingSourceGivesTheSamePanels() throws {
        try XCTSkipUnless(PackedBFloat16.isActive, "checked on CPUs with AVX512-BF16 only")
        for (columns, inner) in [(1, 1), (17, 5), (40, 64), (33, 130)] {
            let w = (0..<(columns * inner)).map { _ in random() }
            var narrow = [UInt16](repeating: 0, count: w.count)
            BFloat16.round(w, into: &narrow, count: w.count)
            var transposed = [UInt16](repeating: 0, count: w.count)
            for n in 0..<columns { for k in 0..<inner { transposed[k * columns + n] = narrow[n * inner + k] } }
            let size = zo_bf16_panel_elements(columns, inner)
            var fromFloat = [UInt16](repeating: 0xFFFF, count: size)
            var fromRows = [UInt16](repeating: 0xFFFF, count: size)
            var fromColumns = [UInt16](repeating: 0xFFFF, count: size)
            zo_bf16_pack_f32(w, columns, inner, &fromFloat)
            zo_bf16_pack_bf16(narrow, inner, 1, columns, inner, &fromRows)
            zo_bf16_pack_bf16(transposed, 1, columns, columns, inner, &fromColumns)
            XCTAssertEqual(fromFloat, fromRows, "\(columns)×\(inner)")
            XCTAssertEqual(fromFloat, fromColumns, "\(columns)×\(inner)")
            // Panel layout: group g, pair p, column j → (w[16g+j][2p], w[16g+j][2p+1]).
            let pairs = (inner + 1) / 2
            for n in 0..<((columns + 15) / 16 * 16) {
                for k in 0..<(2 * pairs) {
                    let stored = fromFloat[(n / 16) * 32 * pairs + (k / 2) * 32 + (n % 16) * 2 + k % 2]
                    XCTAssertEqual(stored, n < columns && k < inner ? narrow[n * inner + k] : 0, "[\(n), \(k)]")
                }
            }
        }
    }

    /// Large products split over threads and tiles (1,100 outputs of 1,000 inputs: two tiles) give
    /// the same bits on one worker as on two, and stay within the stated tolerance of the fp32
    /// product of the widened weight: |error| ≤ 2⁻⁸·Σ|aₖwₖ| per output (the activations' rounding).
    func testProductsOnNarrowWeightsDependOnNeitherThreadsNorTilesAndStayCloseToFloat32() throws {
        try XCTSkipUnless(PackedBFloat16.isActive, "checked on CPUs with AVX512-BF16 only")
        let rows = 40, inner = 1000, columns = 1100
        let a = (0..<(rows * inner)).map { _ in random() }
        let w = (0..<(columns * inner)).map { _ in random() }
        var narrow = [UInt16](repeating: 0, count: w.count)
        BFloat16.round(w, into: &narrow, count: w.count)
        let scratch = ProductScratch()
        let workers = BLAS.workerCount
        defer { BLAS.workerCount = workers }

        func product(workers: Int) -> [Float] {
            BLAS.workerCount = workers
            var c = [Float](repeating: 0, count: rows * columns)
            BFloat16Linear.linear(a, rows: rows, inner: inner, weight: narrow, columns: columns, into: &c, scratch: scratch)
            return c
        }
        let one = product(workers: 1), two = product(workers: 2)
        XCTAssertEqual(one, two)

        // The same weight as a stored (decoded-to-fp32) weight packs to the same panels: same bits.
        var stored = [Float](repeating: 0, count: rows * columns)
        let widened = narrow.map(BFloat16.widen)
        widened.withUnsafeBufferPointer { weight in
            EncodedLinear.linear(a, rows: rows, inner: inner, columns: columns, into: &stored, scratch: scratch) { range, into in
                into.update(from: weight.baseAddress! + range.lowerBound * inner, count: range.count * inner)
            }
        }
        XCTAssertEqual(stored, one)

        var expected = [Float](repeating: 0, count: rows * columns)
        BLAS.linear(a, rows: rows, inner: inner, weight: widened, columns: columns, into: &expected)
        for r in 0..<rows {
            for n in 0..<columns {
                let magnitude = (0..<inner).reduce(Float(0)) { $0 + abs(a[r * inner + $1] * widened[n * inner + $1]) }
                XCTAssertEqual(one[r * columns + n], expected[r * columns + n], accuracy: magnitude * 0x1p-8)
            }
        }
    }
}
