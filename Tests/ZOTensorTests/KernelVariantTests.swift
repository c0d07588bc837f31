import CZOKernels
import Foundation
import XCTest
import ZORandom
import ZOTensor

/// Every kernel gives the same bits under every instruction-set variant this CPU runs (generic,
/// AVX2, AVX-512): elementwise IEEE operations, explicit fused multiply-adds and fixed reduction
/// trees make that possible, and this is what makes results the same across CPUs. Inputs include
/// ragged lengths and NaN, ±∞, ±0, subnormal and huge values. NaNs compare equal whatever their
/// payload: x86 takes the payload from whichever NaN operand the compiler placed first.
final class KernelVariantTests: XCTestCase {
    func testEveryVariantGivesTheSameBits() throws {
        let variants = KernelVariant.allCases.filter(\.isAvailable)
        XCTAssertTrue(variants.contains(.generic))
        let original = KernelVariant.active
        defer { KernelVariant.use(original) }
        var reference: [String: [UInt32]] = [:]
        for variant in variants {
            XCTAssertTrue(KernelVariant.use(variant))
            XCTAssertEqual(KernelVariant.active, variant)
            let outputs = Self.kernelOutputs()
            print("kernels \(variant.rawValue): \(outputs.values.reduce(0) { $0 + $1.count }) outputs of \(outputs.count) kernels")
            guard variant != variants[0] else {
                reference = outputs
                continue
            }
            XCTAssertEqual(Set(outputs.keys), Set(reference.keys))
            for (kernel, bits) in outputs {
                let differing = zip(bits, reference[kernel]!).filter { $0 != $1 }.count
                XCTAssertEqual(differing, 0, "\(kernel): \(differing) of \(bits.count) outputs differ between \(variants[0]) and \(variant)")
            }
        }
    }

    /// The dispatcher finds the variants the CPU flags promise (Linux, x86-64).
    func testAvailabilityFollowsTheCPUFlags() throws {
        #if os(Linux) && arch(x86_64)
        let info = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let flags = Set(info.split(separator: "\n").first { $0.hasPrefix("flags") }?.split(separator: " ").map(String.init) ?? [])
        XCTAssertEqual(KernelVariant.avx2.isAvailable, flags.isSuperset(of: ["avx2", "fma"]))
        XCTAssertEqual(KernelVariant.avx512.isAvailable, flags.isSuperset(of: ["avx512f", "avx512dq", "avx512bw", "avx512vl", "fma"]))
        #else
        throw XCTSkip("CPU flags are read from /proc/cpuinfo on x86-64 Linux")
        #endif
    }

    /// Bit patterns of every kernel's outputs on fixed inputs, NaNs made one pattern.
    private static func kernelOutputs() -> [String: [UInt32]] {
        var random = SplitMix64(seed: 15)
        let specials: [Float] = [
            .nan, Float(bitPattern: 0x7FC1_2345), .infinity, -.infinity, 0, -0.0, .leastNonzeroMagnitude,
            -.leastNormalMagnitude, .greatestFiniteMagnitude, 1e30, -1e30, 88.5, -87.5, -200, 1e-30, -1e-30,
        ]
        func values(_ count: Int, scale: Float, special: Bool) -> [Float] {
            (0..<count).map { _ in
                if special && random.below(16) == 0 { return specials[random.below(specials.count)] }
                return (Float(random.next() >> 40) / Float(1 << 24) * 2 - 1) * scale
            }
        }
        var outputs: [String: [UInt32]] = [:]
        func record(_ kernel: String, _ values: [Float]) {
            outputs[kernel, default: []] += values.map { $0.isNaN ? Float.nan.bitPattern : $0.bitPattern }
        }
        for special in [false, true] {
            for count in [1, 7, 15, 16, 17, 31, 33, 63, 64, 65, 100, 576, 1000] {
                let x = values(count, scale: 12, special: special)
                for (name, kernel) in [
                    ("relu", relu), ("gelu", gelu), ("geluTanh", geluTanh), ("tanh", tanhInPlace),
                    ("softmax", softmaxInPlace),
                ] as [(String, (UnsafeMutablePointer<Float>, Int) -> Void)] {
                    var y = x
                    kernel(&y, count)
                    record(name, y)
                }
                record("logSumExp", [logSumExp(x, count: count)])
                record("nonFinite", [x.withUnsafeBufferPointer { NonFiniteScan.firstIndex(in: $0) }.map(Float.init) ?? -1])
                for start in stride(from: 0, to: count - 15, by: 16) {
                    let v = SIMD16<Float>(x[start..<(start + 16)])
                    let positive = SIMD16<Float>(x[start..<(start + 16)].map { abs($0) })
                    let (c, s) = VectorMath.cosSinReduced(v / 16)
                    for (name, lanes) in [
                        ("vectorExp", vectorExp(v)), ("vectorErf", vectorErf(v)), ("vectorTanh", vectorTanh(v)),
                        ("log", VectorMath.log(positive)), ("squareRoot", VectorMath.squareRoot(positive)),
                        ("cos", c), ("sin", s),
                    ] {
                        record(name, (0..<16).map { lanes[$0] })
                    }
                }
                let rows = 3
                let matrix = values(rows * count, scale: 4, special: special)
                let gain = values(count, scale: 2, special: special), bias = values(count, scale: 1, special: special)
                var y = [Float](repeating: 0, count: rows * count)
                rmsNorm(matrix, gain: gain, into: &y, rows: rows, width: count, epsilon: 1e-5)
                record("rmsNorm", y)
                layerNorm(matrix, gain: gain, bias: bias, into: &y, rows: rows, width: count, epsilon: 1e-5)
                record("layerNorm", y)
                y = matrix
                addBias(bias, to: &y, rows: rows, width: count - 1, stride: count)
                record("addBias", y)
                let gateUp = values(rows * 2 * count, scale: 8, special: special)
                swiGLU(gateUp, into: &y, rows: rows, width: count)
                record("swiGLU", y)
                let rank = 1 + count % 9
                let u = values(rows * rank, scale: 1, special: special), rt = values(rank * count, scale: 1, special: special)
                y = matrix
                addLowRankProduct(left: u, transposedRight: rt, rank: rank, rows: rows, columns: count, into: &y)
                record("addLowRankProduct", y)
                for m in [1, 3, 4, 6] {
                    let a = values(m * count, scale: 2, special: special), b = values(5 * count, scale: 2, special: special)
                    var c = values(m * 5, scale: 1, special: false)
                    zo_skinny_linear(a, m, count, count, b, count, 5, &c, 5, m == 3 ? 1 : 0)
                    record("skinnyLinear", c)
                }
            }
            var square = values(37 * 37, scale: 20, special: special)
            causalSoftmax(&square, size: 37)
            record("causalSoftmax", square)
            for headDim in [16, 37, 64, 80, 128] {
                let length = 23, prefix = 9, heads = 2, stride = 3 * heads * headDim + 1
                let qkv = values((prefix + length) * stride, scale: 2, special: special && headDim == 37)
                var scores = [Float](repeating: 0, count: 2 * (prefix + length))
                var out = [Float](repeating: 0, count: length * heads * headDim)
                qkv.withUnsafeBufferPointer { p in
                    let q = p.baseAddress! + prefix * stride, k = q + heads * headDim, v = k + heads * headDim
                    let prefixKey = p.baseAddress! + heads * headDim, prefixValue = prefixKey + heads * headDim
                    for causal in [true, false] {
                        attentionHead(
                            query: q, key: k, value: v, stride: stride, output: &out, outputStride: heads * headDim,
                            length: length, headDim: headDim, scale: 0.125, scores: &scores, causal: causal)
                        record("attentionHead", out)
                    }
                    attentionHead(
                        query: q, key: k, value: v, stride: stride, output: &out, outputStride: heads * headDim,
                        length: length, headDim: headDim, scale: 0.125, scores: &scores, causal: true,
                        earlier: [EarlierKeyValues(keys: prefixKey, values: prefixValue, stride: stride, count: prefix)])
                    record("attentionHead(prefix)", out + scores)
                }
                var rotary = RotaryEmbedding(headDim: headDim - headDim % 2, base: 10_000)
                rotary.reserve(positions: 40)
                var rotated = values(length * stride, scale: 3, special: special)
                rotary.apply(&rotated, rows: length, stride: stride, heads: heads, firstPosition: 11)
                record("rotary", rotated)
            }
        }
        var counters = (SIMD16<UInt32>(), SIMD16<UInt32>(), SIMD16<UInt32>(), SIMD16<UInt32>())
        for lane in 0..<16 {
            counters.0[lane] = UInt32(truncatingIfNeeded: random.next())
            counters.1[lane] = UInt32(truncatingIfNeeded: random.next())
            counters.2[lane] = UInt32(truncatingIfNeeded: random.next())
            counters.3[lane] = UInt32(truncatingIfNeeded: random.next())
        }
        let words = Philox4x32.lanes(counters.0, counters.1, counters.2, counters.3, key: SIMD2(7, 0xFFFF_FFFF))
        record("philoxLanes", [words.0, words.1, words.2, words.3].flatMap { w in (0..<16).map { Float(bitPattern: w[$0]) } })
        let streams = [
            GaussianStream(seed: 1, tensor: 2), GaussianStream(seed: 0xDEAD_BEEF, tensor: 9, kind: .basisRows),
            GaussianStream(seed: 42, tensor: 0, kind: .sketch), GaussianStream(seed: 5, tensor: 3, kind: .rademacher),
        ]
        for (lower, count) in [(0, 1000), (37, 300), ((1 << 36) + 5, 200), (64 * 31, 128)] {
            record("gaussianFill", streams[1].normals(lower..<(lower + count)))
            record("rademacherFill", streams[3].normals(lower..<(lower + count)))
            for (termCount, scale) in [(1, Float(1)), (1, 0.999), (3, 1), (3, 0.5), (4, 1)] {
                var x = values(count, scale: 1, special: false)
                let coefficients = values(termCount, scale: 1e-3, special: false)
                x.withUnsafeMutableBufferPointer { p in
                    streams.prefix(termCount).withUnsafeBufferPointer { s in
                        coefficients.withUnsafeBufferPointer { c in
                            FusedGaussianUpdate.apply(to: p.baseAddress! - lower, range: lower..<(lower + count), scale: scale, streams: s, coefficients: c)
                        }
                    }
                }
                record("fusedGaussianUpdate", x)
            }
        }
        record("fmaChains", [zo_fma_chains(1000)])
        return outputs
    }
}
