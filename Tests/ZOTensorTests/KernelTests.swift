import XCTest
import ZOTensor

/// Each optimised kernel against its naive twin in `ReferenceKernels`.
final class KernelTests: XCTestCase {
    private func randomValues(_ count: Int, scale: Float = 1, seed: UInt64) -> [Float] {
        var state = seed
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Float(state >> 40) / Float(1 << 24) * 2 - 1) * scale
        }
    }

    func testVectorExpIsAccurateToAFewUlps() {
        var worst: Float = 0
        for x in stride(from: Float(-80), through: 80, by: 0.037) {
            let ours = vectorExp(SIMD16(repeating: x))[0]
            let exact = Float(exp(Double(x)))
            worst = max(worst, abs(ours - exact) / exact)
        }
        XCTAssertLessThan(worst, 4e-7)
        XCTAssertEqual(vectorExp(SIMD16(repeating: -200))[0], 0, accuracy: 1e-37)
    }

    func testRMSNormMatchesReference() {
        for width in [576, 64, 37] {
            let rows = 5
            let x = randomValues(rows * width, scale: 3, seed: 1), gain = randomValues(width, seed: 2)
            var y = [Float](repeating: 0, count: x.count)
            rmsNorm(x, gain: gain, into: &y, rows: rows, width: width, epsilon: 1e-5)
            let reference = ReferenceKernels.rmsNorm(x, gain: gain, rows: rows, width: width, epsilon: 1e-5)
            for (a, b) in zip(y, reference) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b))) }
        }
    }

    /// A batch large enough to split over the cores gives each row the bits it gets alone.
    func testRowSharesChangeNoBit() {
        let rows = 301, width = 576
        let x = randomValues(rows * width, scale: 3, seed: 5), gain = randomValues(width, seed: 6)
        let gateUp = randomValues(rows * 2 * width, scale: 8, seed: 7)
        let workers = BLAS.workerCount
        defer { BLAS.workerCount = workers }
        var batched = [[Float]]()
        for threads in [1, 3] {
            BLAS.workerCount = threads
            var normalized = [Float](repeating: 0, count: x.count), gated = normalized
            rmsNorm(x, gain: gain, into: &normalized, rows: rows, width: width, epsilon: 1e-5)
            swiGLU(gateUp, into: &gated, rows: rows, width: width)
            batched.append(normalized + gated)
        }
        var alone = [Float]()
        for r in 0..<rows {
            var row = [Float](repeating: 0, count: width)
            rmsNorm(Array(x[(r * width)..<((r + 1) * width)]), gain: gain, into: &row, rows: 1, width: width, epsilon: 1e-5)
            alone += row
        }
        for r in 0..<rows {
            var row = [Float](repeating: 0, count: width)
            swiGLU(Array(gateUp[(r * 2 * width)..<((r + 1) * 2 * width)]), into: &row, rows: 1, width: width)
            alone += row
        }
        XCTAssertTrue(alone.elementsEqual(batched[1]) { $0.bitPattern == $1.bitPattern })
        XCTAssertTrue(batched[0].elementsEqual(batched[1]) { $0.bitPattern == $1.bitPattern })
    }

    func testSwiGLUMatchesReference() {
        for width in [1536, 40] {
            let gateUp = randomValues(3 * 2 * width, scale: 8, seed: 3)
            var out = [Float](repeating: 0, count: 3 * width)
            swiGLU(gateUp, into: &out, rows: 3, width: width)
            let reference = ReferenceKernels.swiGLU(gateUp, rows: 3, width: width)
            for (a, b) in zip(out, reference) { XCTAssertEqual(a, b, accuracy: 1e-5 * max(1, abs(b))) }
        }
    }

    func testCausalSoftmaxMatchesReferenceAndMasksTheFuture() {
        let n = 37
        var scores = randomValues(n * n, scale: 20, seed: 4)
        let original = scores
        causalSoftmax(&scores, size: n)
        for i in 0..<n {
            let reference = ReferenceKernels.softmax(Array(original[(i * n)...(i * n + i)]))
            for j in 0...i { XCTAssertEqual(scores[i * n + j], reference[j], accuracy: 1e-6) }
            for j in (i + 1)..<n { XCTAssertEqual(scores[i * n + j], 0) }
        }
    }

    func testRotaryEmbeddingMatchesReference() {
        var rotary = RotaryEmbedding(headDim: 64, base: 100_000)
        rotary.reserve(positions: 200)
        let heads = 3, rows = 200, stride = heads * 64 + 5
        var x = randomValues(rows * stride, seed: 5)
        let original = x
        x.withUnsafeMutableBufferPointer {
            rotary.apply($0.baseAddress!, rows: rows, stride: stride, heads: heads, firstPosition: 0)
        }
        for r in [0, 1, 17, 199] {
            for h in 0..<heads {
                let start = r * stride + h * 64
                let reference = ReferenceKernels.rotate(Array(original[start..<(start + 64)]), position: r, base: 100_000)
                for (a, b) in zip(x[start..<(start + 64)], reference) { XCTAssertEqual(a, b, accuracy: 2e-5) }
            }
            XCTAssertEqual(Array(x[(r * stride + 192)..<(r * stride + 197)]), Array(original[(r * stride + 192)..<(r * stride + 197)]),
                           "padding columns untouched")
        }
    }

    func testWeightArenaKeepsDeclarationOrderAndAlignment() {
        let arena = WeightArena([
            ParameterSpec(name: "a", shape: [3, 5], role: .matrix, layer: 0, kind: .up, activationUse: .everyToken),
            ParameterSpec(name: "b", shape: [7], role: .norm, layer: 0, kind: .norm, activationUse: []),
            ParameterSpec(name: "c", shape: [16], role: .bias, layer: nil, kind: .up, activationUse: []),
        ])
        XCTAssertEqual(arena.entries.map(\.name), ["a", "b", "c"])
        XCTAssertEqual(arena.entries.map(\.offset), [0, 16, 32])
        XCTAssertEqual(arena.parameterCount, 15 + 7 + 16)
        XCTAssertEqual(arena.entry(named: "b")?.role, .norm)
        XCTAssertEqual(Int(bitPattern: arena.pointer("c")) % 64, 0)
    }
}

final class AttentionKernelTests: XCTestCase {
    private func assertMatchesReference(causal: Bool) {
        for (length, headDim) in [(1, 64), (37, 64), (20, 16), (9, 24), (5, 128)] {
            var state: UInt64 = UInt64(length * 1000 + headDim)
            func random() -> Float {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(state >> 40) / Float(1 << 24) * 2 - 1
            }
            let q = (0..<(length * headDim)).map { _ in random() * 3 }
            let k = (0..<(length * headDim)).map { _ in random() * 3 }
            let v = (0..<(length * headDim)).map { _ in random() }
            var out = [Float](repeating: .nan, count: length * headDim)
            var scores = [Float](repeating: 0, count: 2 * length)
            let scale = 1 / Float(headDim).squareRoot()
            if causal {
                causalAttentionHead(
                    query: q, key: k, value: v, stride: headDim, output: &out, outputStride: headDim,
                    length: length, headDim: headDim, scale: scale, scores: &scores)
            } else {
                attentionHead(
                    query: q, key: k, value: v, stride: headDim, output: &out, outputStride: headDim,
                    length: length, headDim: headDim, scale: scale, scores: &scores, causal: false)
            }
            let reference = ReferenceKernels.selfAttention(
                q: q, k: k, v: v, length: length, headDim: headDim, scale: scale, causal: causal)
            for (a, b) in zip(out, reference) {
                XCTAssertEqual(a, b, accuracy: 1e-5, "causal \(causal) length \(length) headDim \(headDim)")
            }
        }
    }

    func testCausalAttentionHeadMatchesReference() {
        assertMatchesReference(causal: true)
    }

    func testBidirectionalAttentionHeadMatchesReference() {
        assertMatchesReference(causal: false)
    }

    /// Rows attending to earlier rows held elsewhere give, bit for bit, the last rows of causal
    /// attention over one sequence holding them and then the rows: here the earlier rows come as two
    /// runs, the first with its own row stride (a prefix-tuning adapter's keys), the second a shared
    /// prompt's.
    func testEarlierRowsAttentionEqualsAttentionOverTheJoinedSequence() {
        for (prefix, length, headDim) in [(2, 1, 64), (7, 4, 64), (12, 9, 24), (3, 5, 128)] {
            var state: UInt64 = UInt64(prefix * 7919 + length * 1000 + headDim)
            func random() -> Float {
                state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                return Float(state >> 40) / Float(1 << 24) * 2 - 1
            }
            let rows = prefix + length
            let q = (0..<(rows * headDim)).map { _ in random() * 3 }
            let k = (0..<(rows * headDim)).map { _ in random() * 3 }
            let v = (0..<(rows * headDim)).map { _ in random() }
            let scale = 1 / Float(headDim).squareRoot()
            var joined = [Float](repeating: .nan, count: rows * headDim)
            var scores = [Float](repeating: 0, count: 2 * rows)
            causalAttentionHead(
                query: q, key: k, value: v, stride: headDim, output: &joined, outputStride: headDim,
                length: rows, headDim: headDim, scale: scale, scores: &scores)
            // The earlier rows copied away, so only the `earlier` runs can supply them: the first
            // `split` rows padded to a wider stride, the rest packed.
            let split = (prefix + 1) / 2, wide = headDim + 3
            var firstKeys = [Float](repeating: .nan, count: split * wide), firstValues = firstKeys
            for row in 0..<split {
                for d in 0..<headDim {
                    firstKeys[row * wide + d] = k[row * headDim + d]
                    firstValues[row * wide + d] = v[row * headDim + d]
                }
            }
            let restKeys = Array(k[(split * headDim)..<(prefix * headDim)])
            let restValues = Array(v[(split * headDim)..<(prefix * headDim)])
            let own = prefix * headDim
            var out = [Float](repeating: .nan, count: length * headDim)
            firstKeys.withUnsafeBufferPointer { fk in
                firstValues.withUnsafeBufferPointer { fv in
                    restKeys.withUnsafeBufferPointer { rk in
                        restValues.withUnsafeBufferPointer { rv in
                            attentionHead(
                                query: Array(q[own...]), key: Array(k[own...]), value: Array(v[own...]), stride: headDim,
                                output: &out, outputStride: headDim, length: length, headDim: headDim, scale: scale,
                                scores: &scores, causal: true, earlier: [
                                    EarlierKeyValues(keys: fk.baseAddress!, values: fv.baseAddress!, stride: wide, count: split),
                                    EarlierKeyValues(keys: rk.baseAddress!, values: rv.baseAddress!, stride: headDim, count: prefix - split),
                                ])
                        }
                    }
                }
            }
            XCTAssertEqual(out, Array(joined[own...]), "prefix \(prefix) length \(length) headDim \(headDim)")
        }
    }
}

final class LogSumExpTests: XCTestCase {
    func testMatchesDoublePrecisionReference() {
        for count in [1, 15, 16, 49152] {
            let x = (0..<count).map { Float(($0 * 7919) % 1000) / 37 - 10 }
            let reference = x.max()! + Float(log(x.reduce(0.0) { $0 + exp(Double($1 - x.max()!)) }))
            XCTAssertEqual(logSumExp(x, count: count), reference, accuracy: 1e-4 * max(1, abs(reference)))
        }
    }
}
