import XCTest
import ZOFormats
import ZOTensor

/// The kernels of LayerNorm decoders (OPT, GPT-2) against their naive twins in `ReferenceKernels`,
/// and the Conv1D-layout low-rank delta against its definition.
final class DecoderKernelTests: XCTestCase {
    private func randomValues(_ count: Int, scale: Float = 1, offset: Float = 0, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Float(state >> 40) / Float(1 << 24) * 2 - 1) * scale + offset
        }
    }

    func testLayerNormMatchesReferenceInPlaceAndWithALargeMean() {
        for (width, offset) in [(768, Float(0)), (64, 0), (37, 0), (48, 1000)] {
            let rows = 5
            let x = randomValues(rows * width, scale: 3, offset: offset, seed: 1)
            let gain = randomValues(width, seed: 2), bias = randomValues(width, seed: 3)
            var y = x
            y.withUnsafeMutableBufferPointer {
                layerNorm($0.baseAddress!, gain: gain, bias: bias, into: $0.baseAddress!, rows: rows, width: width, epsilon: 1e-5)
            }
            let reference = ReferenceKernels.layerNorm(x, gain: gain, bias: bias, rows: rows, width: width, epsilon: 1e-5)
            for (a, b) in zip(y, reference) { XCTAssertEqual(a, b, accuracy: 2e-5 * max(1, abs(b)), "width \(width)") }
        }
    }

    func testReLUMatchesReference() {
        for count in [1000, 37] {
            let x = randomValues(count, scale: 5, seed: 4)
            var y = x
            relu(&y, count: count)
            XCTAssertEqual(y, ReferenceKernels.relu(x))
        }
    }

    func testGELUTanhMatchesReferenceIncludingTheTails() {
        for count in [1000, 37] {
            let x = randomValues(count, scale: 12, seed: 5) + [-100, -30, -9, 0, 9, 30, 100]
            var y = x
            geluTanh(&y, count: x.count)
            let reference = ReferenceKernels.geluTanh(x)
            for (a, b) in zip(y, reference) { XCTAssertEqual(a, b, accuracy: 1e-6 * max(1, abs(b))) }
        }
    }

    func testAddBiasMatchesReferenceAndRespectsTheStride() {
        for width in [80, 37] {
            let rows = 3, stride = width + 5
            let bias = randomValues(width, seed: 6)
            var x = randomValues(rows * stride, seed: 7)
            let original = x
            addBias(bias, to: &x, rows: rows, width: width, stride: stride)
            let packed = (0..<rows).flatMap { r in original[(r * stride)..<(r * stride + width)] }
            let reference = ReferenceKernels.addBias(bias, to: packed, rows: rows, width: width)
            for r in 0..<rows {
                XCTAssertEqual(Array(x[(r * stride)..<(r * stride + width)]), Array(reference[(r * width)..<((r + 1) * width)]))
                XCTAssertEqual(Array(x[(r * stride + width)..<((r + 1) * stride)]),
                               Array(original[(r * stride + width)..<((r + 1) * stride)]), "gap columns untouched")
            }
        }
    }

    /// A checkpoint folds a copy of W block by block; every block size, and any thread count, must
    /// give the whole fold's bits (the fold fixes each element's summation order).
    func testBlockwiseFoldEqualsTheWholeFoldBitForBit() {
        let (m, n, r) = (1536, 576, 64)
        let delta = LowRankDelta(rows: m, columns: n, rank: r, left: randomValues(m * r, seed: 12),
                                 right: randomValues(n * r, seed: 13), tag: 0)
        delta.accumulate(randomValues(r * r, seed: 14), scale: 0.25)
        let weight = randomValues(m * n, seed: 15)
        var whole = weight
        delta.fold(into: &whole)
        XCTAssertNotEqual(whole, weight)
        for rowsPerBlock in [1, 7, 100, 1000, 1535, m] {
            var blockwise = weight
            let blocks = SafetensorsWriter.rowBlocks(rows: m, rowWidth: n, blockFloats: rowsPerBlock * n, minimumRows: 1)
            XCTAssertEqual(blocks.map(\.count).reduce(0, +), m)
            for rows in blocks {
                blockwise.withUnsafeMutableBufferPointer { delta.fold(rows: rows, into: $0.baseAddress! + rows.lowerBound * n) }
            }
            XCTAssertTrue(whole.elementsEqual(blockwise) { $0.bitPattern == $1.bitPattern }, "\(rowsPerBlock) rows per block")
        }
        let threads = BLAS.workerCount
        defer { BLAS.workerCount = threads }
        for workers in [1, 3] {
            BLAS.workerCount = workers
            var again = weight
            delta.fold(into: &again)
            XCTAssertTrue(whole.elementsEqual(again) { $0.bitPattern == $1.bitPattern }, "\(workers) threads")
        }
    }

    /// The fold is W + U·M·Vᵀ, at a width that exercises the 64-, 16- and 1-column paths.
    func testFoldAddsTheLowRankProduct() {
        let (m, n, r) = (5, 64 + 16 + 3, 3)
        let u = randomValues(m * r, seed: 16), v = randomValues(n * r, seed: 17), z = randomValues(r * r, seed: 18)
        let delta = LowRankDelta(rows: m, columns: n, rank: r, left: u, right: v, tag: 0)
        delta.accumulate(z, scale: 0.5)
        let weight = randomValues(m * n, seed: 19)
        var folded = weight
        delta.fold(into: &folded)
        for i in 0..<m {
            for j in 0..<n {
                var expected = Double(weight[i * n + j])
                for a in 0..<r {
                    for b in 0..<r { expected += Double(u[i * r + a]) * 0.5 * Double(z[a * r + b]) * Double(v[j * r + b]) }
                }
                XCTAssertEqual(Double(folded[i * n + j]), expected, accuracy: 1e-5, "(\(i), \(j))")
            }
        }
    }

    /// y = x·(U·M·Vᵀ) for W stored inputs × outputs, written into a strided output.
    func testLowRankDeltaAddMultiplyIsXTimesTheDelta() {
        let (m, n, r, tokens, stride) = (24, 40, 3, 5, 45)
        let u = randomValues(m * r, seed: 8), v = randomValues(n * r, seed: 9), z = randomValues(r * r, seed: 10)
        let delta = LowRankDelta(rows: m, columns: n, rank: r, left: u, right: v, tag: 0)
        delta.accumulate(z, scale: 0.5)
        let x = randomValues(tokens * m, seed: 11)
        var output = [Float](repeating: 1, count: tokens * stride)
        delta.addMultiply(x, tokens: tokens, into: &output, outputStride: stride)
        for t in 0..<tokens {
            for j in 0..<n {
                var expected = 1.0
                for i in 0..<m {
                    var w = 0.0  // (U·M·Vᵀ)[i, j] with M = 0.5·Z
                    for a in 0..<r { for b in 0..<r { w += Double(u[i * r + a]) * 0.5 * Double(z[a * r + b]) * Double(v[j * r + b]) } }
                    expected += Double(x[t * m + i]) * w
                }
                XCTAssertEqual(output[t * stride + j], Float(expected), accuracy: 1e-4)
            }
            XCTAssertEqual(Array(output[(t * stride + n)..<((t + 1) * stride)]), [Float](repeating: 1, count: stride - n))
        }
    }
}
