import CZOKernels
import Foundation
import XCTest
import ZOTensor

/// A frozen weight's packed panels (int8 or bf16) are made by its first product and kept: later
/// products (other activations, other row counts) decode nothing and give the bits of products that
/// pack afresh, over two tiles and two workers; with no room (`keptPanelLimit` 0) nothing is kept.
final class KeptPanelsTests: XCTestCase {
    private var state: UInt64 = 31

    private func random() -> Float {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Float(state >> 40) / Float(1 << 24) * 2 - 1
    }

    override func tearDown() { PackedBFloat16.choice = .whenFaster }

    func testKeptInt8PanelsSkipDecodingAndChangeNoBits() throws {
        try XCTSkipUnless(PackedInt8.isRunnable, "int8 products run on CPUs with AVX512-VNNI only")
        PackedBFloat16.choice = .never
        try checkKeptPanels(products: .int8, panelBytes: { zo_int8_panel_bytes($0, $1) + zo_int8_panel_scales($0, $1) * 4 })
    }

    func testKeptBFloat16PanelsSkipDecodingAndChangeNoBits() throws {
        try XCTSkipUnless(PackedBFloat16.isRunnable, "bf16 products run on CPUs with AVX512-BF16 only")
        PackedBFloat16.choice = .always
        try checkKeptPanels(products: .automatic, panelBytes: { zo_bf16_panel_elements($0, $1) * 2 })
    }

    private func checkKeptPanels(products: BaseProducts, panelBytes: (Int, Int) -> Int) throws {
        let inner = 1000, columns = 1100  // two tiles of packed columns
        let frozen = (0..<(columns * inner)).map { _ in BFloat16.round(random()) }
        let kept = ProductScratch(), afresh = ProductScratch()
        kept.products = products
        afresh.products = products
        afresh.keptPanelLimit = 0
        var decodedColumns = 0
        let counting = NSLock()
        let workers = BLAS.workerCount
        defer { BLAS.workerCount = workers }
        BLAS.workerCount = 2
        func product(_ a: [Float], rows: Int, scratch: ProductScratch) -> [Float] {
            var c = [Float](repeating: 0, count: rows * columns)
            frozen.withUnsafeBufferPointer { weight in
                EncodedLinear.linear(a, rows: rows, inner: inner, columns: columns, into: &c, scratch: scratch,
                                     frozen: FrozenWeight(weight.baseAddress!)) { range, into in
                    counting.withLock { decodedColumns += range.count }
                    BFloat16.widen(weight.baseAddress! + range.lowerBound * inner, into: into, count: range.count * inner)
                }
            }
            return c
        }
        for (round, rows) in [40, 3, 40].enumerated() {
            let a = (0..<(rows * inner)).map { _ in random() }
            decodedColumns = 0
            let fromKept = product(a, rows: rows, scratch: kept)
            XCTAssertEqual(decodedColumns, round == 0 ? columns : 0, "round \(round): columns decoded")
            XCTAssertEqual(fromKept, product(a, rows: rows, scratch: afresh), "round \(round)")
        }
        XCTAssertEqual(kept.keptPanelBytes, panelBytes(columns, inner))
        XCTAssertEqual(afresh.keptPanelBytes, 0)
        kept.keptPanelLimit = 1000
        XCTAssertEqual(kept.keptPanelBytes, 0, "a smaller limit lets the panels go")
    }
}
