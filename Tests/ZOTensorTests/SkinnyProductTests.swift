import XCTest
import ZORandom
import ZOTensor

/// `BLAS.linear` for a decoding step's few rows (`zo_skinny_linear`): against a double-precision
/// product, and the same bytes whatever the thread count and whichever rows share the call (each
/// output is one dot product in an order fixed by k alone).
final class SkinnyProductTests: XCTestCase {
    func gaussian(_ count: Int, seed: UInt64) -> [Float] {
        GaussianStream(seed: seed, tensor: 0).normals(0..<count)
    }

    func linear(_ a: [Float], rows: Int, inner: Int, _ b: [Float], columns: Int, beta: Float = 0, start: [Float]? = nil) -> [Float] {
        var c = start ?? [Float](repeating: 0, count: rows * columns)
        BLAS.linear(a, rows: rows, inner: inner, weight: b, columns: columns, into: &c, beta: beta)
        return c
    }

    func testMatchesADoublePrecisionProductAndAddsBetaTimesC() {
        for (m, k, n) in [(1, 576, 960), (3, 37, 129), (8, 1536, 576), (5, 16, 3), (2, 1000, 70_000)] {
            let a = gaussian(m * k, seed: 1), b = gaussian(n * k, seed: 2), start = gaussian(m * n, seed: 3)
            let c = linear(a, rows: m, inner: k, b, columns: n, beta: 1, start: start)
            var worst = 0.0
            for i in 0..<m {
                for j in stride(from: 0, to: n, by: max(1, n / 97)) {
                    var exact = Double(start[i * n + j])
                    for p in 0..<k { exact += Double(a[i * k + p]) * Double(b[j * k + p]) }
                    worst = max(worst, abs(Double(c[i * n + j]) - exact) / Double(k).squareRoot())
                }
            }
            XCTAssertLessThan(worst, 2e-6, "\(m)×\(k)×\(n)")
        }
    }

    func testTheSameBytesForAnyThreadCountAndRowGrouping() {
        let (m, k, n) = (7, 600, 50_000)
        let a = gaussian(m * k, seed: 4), b = gaussian(n * k, seed: 5)
        let workers = BLAS.workerCount
        defer { BLAS.workerCount = workers }
        BLAS.workerCount = 1
        let single = linear(a, rows: m, inner: k, b, columns: n)
        BLAS.workerCount = 3
        XCTAssertEqual(linear(a, rows: m, inner: k, b, columns: n), single, "two threads")
        // Row 5 alone, and rows 4–6, give its row of the seven-row product.
        XCTAssertEqual(linear(Array(a[(5 * k)..<(6 * k)]), rows: 1, inner: k, b, columns: n), Array(single[(5 * n)..<(6 * n)]))
        XCTAssertEqual(linear(Array(a[(4 * k)..<(7 * k)]), rows: 3, inner: k, b, columns: n), Array(single[(4 * n)..<(7 * n)]))
    }
}
