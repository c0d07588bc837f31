// TEMPORARY (deleted once the Swift SIMD kernels are gone): runs today's Swift kernels and the C
// kernels of CZOKernels, under every variant this CPU runs, on the same random and special inputs,
// and counts any output whose bits differ.
import CZOKernels
import Foundation
import ZOEstimators
import ZOTensor

var rng = SplitMix64(seed: 20261206)
let specials: [Float] = [
    .nan, -.nan, Float(bitPattern: 0x7FC1_2345), Float(bitPattern: 0xFFC0_0001), .signalingNaN,
    .infinity, -.infinity, 0, -0.0, 1e-40, -1e-40, .leastNonzeroMagnitude, -.leastNonzeroMagnitude,
    .leastNormalMagnitude, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, 1e30, -1e30, 88.5, -87.5,
    -200, 200, 89, -88, 1e-30, -1e-30, -0.1, 0.1, 0.5, -0.5, 1, -1,
]

/// Mostly uniform values of a random scale; with `special`, some specials and raw bit patterns.
func values(_ n: Int, special: Bool, positive: Bool = false) -> [Float] {
    let scale: Float = [1, 3, 20, 100, 1e-3][rng.below(5)]
    return (0..<n).map { _ in
        var v: Float
        if special && rng.below(20) == 0 {
            v = rng.below(3) == 0 ? Float(bitPattern: UInt32(truncatingIfNeeded: rng.next())) : specials[rng.below(specials.count)]
        } else {
            v = (Float(rng.next() >> 40) / Float(1 << 24) * 2 - 1) * scale
        }
        if positive { v = abs(v) }
        return v
    }
}

var compared = [String: Int](), mismatches = [String: Int](), nanOnly = [String: Int]()
var currentInput: [Float] = []
func check(_ name: String, _ a: [Float], _ b: [Float]) {
    precondition(a.count == b.count)
    compared[name, default: 0] += a.count
    for (x, y) in zip(a, b) where x.bitPattern != y.bitPattern {
        if x.isNaN && y.isNaN { nanOnly[name, default: 0] += 1 } else {
            if mismatches[name, default: 0] < 3, let i = a.indices.first(where: { a[$0].bitPattern == x.bitPattern && b[$0].bitPattern == y.bitPattern }), i < currentInput.count { print("  input \(currentInput[i]) \(String(currentInput[i].bitPattern, radix: 16))") }
            if mismatches[name, default: 0] < 3 { print("MISMATCH \(name): swift \(x) (\(String(x.bitPattern, radix: 16))) c \(y) (\(String(y.bitPattern, radix: 16)))") }
            mismatches[name, default: 0] += 1
        }
    }
}
func lengths() -> [Int] { Array(0...70) + [95, 96, 97, 127, 128, 129, 200, 576, 768, 1000, 1536, 4099] }

func runAll(trials: Int) {
    for trial in 0..<trials {
        let special = trial % 2 == 1
        for n in lengths() {
            // Elementwise maps.
            let x = values(n, special: special)
            currentInput = x
            for (name, swift, c) in [
                ("relu", relu as (UnsafeMutablePointer<Float>, Int) -> Void, zo_relu as (UnsafeMutablePointer<Float>?, Int) -> Void),
                ("geluTanh", geluTanh, zo_gelu_tanh), ("gelu", gelu, zo_gelu), ("tanh", tanhInPlace, zo_tanh),
                ("softmax", softmaxInPlace, zo_softmax),
            ] {
                var a = x, b = x
                swift(&a, n); c(&b, n)
                check(name, a, b)
            }
            check("logSumExp", [logSumExp(x, count: n)], [zo_log_sum_exp(x, n)])
            let nonFinite = x.withUnsafeBufferPointer { NonFiniteScan.firstIndex(in: $0) } != nil
            check("nonFinite", [nonFinite ? 1 : 0], [zo_has_non_finite(x, n) ? 1 : 0])
            // Lane functions, 16 at a time.
            for start in stride(from: 0, to: n - 15, by: 16) {
                var v = SIMD16<Float>()
                for l in 0..<16 { v[l] = x[start + l] }
                var e = Array(x[start..<(start + 16)]), er = e, t = e
                zo_exp(&e, 16); zo_erf(&er, 16); zo_tanh(&t, 16)
                check("vectorExp", (0..<16).map { vectorExp(v)[$0] }, e)
                check("vectorErf", (0..<16).map { vectorErf(v)[$0] }, er)
                check("vectorTanh", (0..<16).map { vectorTanh(v)[$0] }, t)
                let positive = SIMD16<Float>((0..<16).map { abs(v[$0]) })
                var log = [Float](repeating: 0, count: 16), sq = log, cs = log, sn = log
                let pos = (0..<16).map { positive[$0] }
                zo_vector_log(pos, &log, 16); zo_vector_sqrt(pos, &sq, 16)
                check("VectorMath.log", (0..<16).map { VectorMath.log(positive)[$0] }, log)
                check("VectorMath.squareRoot", (0..<16).map { VectorMath.squareRoot(positive)[$0] }, sq)
                let reduced = v * (Float.pi / 4 / max(1, v.max()))
                zo_vector_cos_sin((0..<16).map { reduced[$0] }, &cs, &sn, 16)
                let (cv, sv) = VectorMath.cosSinReduced(reduced)
                check("VectorMath.cosSin", (0..<16).map { cv[$0] } + (0..<16).map { sv[$0] }, cs + sn)
            }
        }
        // Row kernels over rows × width.
        for width in lengths() where width > 0 {
            let rows = 1 + rng.below(4)
            let x = values(rows * width, special: special), gain = values(width, special: special)
            let bias = values(width, special: special), eps: Float = [1e-5, 1e-6, 1e-12][rng.below(3)]
            var a = [Float](repeating: 0, count: x.count), b = a
            rmsNorm(x, gain: gain, into: &a, rows: rows, width: width, epsilon: eps)
            zo_rms_norm(x, gain, &b, rows, width, eps)
            check("rmsNorm", a, b)
            layerNorm(x, gain: gain, bias: bias, into: &a, rows: rows, width: width, epsilon: eps)
            zo_layer_norm(x, gain, bias, &b, rows, width, eps)
            check("layerNorm", a, b)
            let stride = width + rng.below(3)
            let wide = values(rows * stride, special: special)
            a = wide; b = wide
            addBias(bias, to: &a, rows: rows, width: width, stride: stride)
            zo_add_bias(bias, &b, rows, width, stride)
            check("addBias", a, b)
            let gateUp = values(rows * 2 * width, special: special)
            a = [Float](repeating: 0, count: rows * width); b = a
            swiGLU(gateUp, into: &a, rows: rows, width: width)
            zo_swiglu(gateUp, &b, rows, width)
            check("swiGLU", a, b)
            // Low-rank fold rows.
            let r = 1 + rng.below(12)
            let u = values(rows * r, special: special), rt = values(r * width, special: special)
            let w = values(rows * width, special: special)
            a = w; b = w
            addLowRankProduct(left: u, transposedRight: rt, rank: r, rows: rows, columns: width, into: &a)
            for row in 0..<rows {
                u.withUnsafeBufferPointer { up in
                    b.withUnsafeMutableBufferPointer { bp in
                        zo_add_low_rank_row(up.baseAddress! + row * r, rt, r, width, bp.baseAddress! + row * width)
                    }
                }
            }
            check("addLowRankProduct", a, b)
        }
        // Attention: causal, bidirectional and with a prefix.
        for headDim in [16, 32, 37, 64, 80, 96, 128, 5] {
            let length = 1 + rng.below(40), prefix = rng.below(3) == 0 ? 1 + rng.below(20) : 0
            let heads = 2, stride = 3 * heads * headDim + rng.below(3)
            let qkv = values((prefix + length) * stride, special: special && rng.below(4) == 0)
            let scale = 1 / Float(headDim).squareRoot()
            for causal in [true, false] where causal || prefix == 0 {
                var a = [Float](repeating: 0, count: length * heads * headDim), b = a
                var sa = [Float](repeating: 0, count: prefix + length), sb = sa
                qkv.withUnsafeBufferPointer { p in
                    let base = p.baseAddress!
                    let q = base + prefix * stride, k = q + heads * headDim, v = k + heads * headDim
                    let pk = base + heads * headDim, pv = pk + heads * headDim
                    attentionHead(
                        query: q, key: k, value: v, stride: stride, output: &a, outputStride: heads * headDim,
                        length: length, headDim: headDim, scale: scale, scores: &sa, causal: causal,
                        prefix: prefix > 0 ? (pk, pv, prefix) : nil)
                    zo_attention_head(q, k, v, stride, &b, heads * headDim, length, headDim, scale, &sb, causal,
                                      prefix > 0 ? pk : nil, prefix > 0 ? pv : nil, prefix)
                }
                check("attentionHead", a, b)
                check("attentionScores", sa, sb)
            }
            // Rotary on the same layout.
            var rotary = RotaryEmbedding(headDim: headDim - headDim % 2, base: 10000)
            let first = rng.below(50)
            rotary.reserve(positions: first + length)
            var a = values(length * stride, special: special), b = a
            rotary.apply(&a, rows: length, stride: stride, heads: heads, firstPosition: first)
            let half = rotary.headDim / 2
            zo_rotary_apply(&b, length, stride, heads, rotary.headDim,
                            Array(rotary.cosines[(first * half)...]), Array(rotary.sines[(first * half)...]))
            check("rotary", a, b)
        }
        // Causal softmax of a square.
        let n = 1 + rng.below(40)
        var sa = values(n * n, special: special), sb = sa
        causalSoftmax(&sa, size: n)
        for i in 0..<n {
            sb.withUnsafeMutableBufferPointer { p in
                zo_softmax(p.baseAddress! + i * n, i + 1)
                for j in (i + 1)..<n { p[i * n + j] = 0 }
            }
        }
        check("causalSoftmax", sa, sb)
        // Philox lanes.
        var counters = (0..<64).map { _ in UInt32(truncatingIfNeeded: rng.next()) }
        if trial % 3 == 0 { counters = counters.map { $0 | 0xFFFF_FF00 } }
        let key = SIMD2<UInt32>(UInt32(truncatingIfNeeded: rng.next()), UInt32(truncatingIfNeeded: rng.next()))
        let c = (0..<4).map { row in SIMD16<UInt32>(counters[(16 * row)..<(16 * row + 16)]) }
        let (w0, w1, w2, w3) = Philox4x32.lanes(c[0], c[1], c[2], c[3], key: key)
        var words = [UInt32](repeating: 0, count: 64)
        zo_philox4x32_lanes(counters, key[0], key[1], &words)
        let swiftWords = [w0, w1, w2, w3].flatMap { w in (0..<16).map { w[$0] } }
        check("philoxLanes", swiftWords.map { Float(bitPattern: $0) }, words.map { Float(bitPattern: $0) })
        // Gaussian streams: fill and fused updates over random ranges (some far out, past 2³² blocks).
        let kinds: [GaussianStream.Kind] = [.dense, .coefficients, .basisRows, .basisColumns, .sketch, .projection, .signs]
        let streams = (0..<(1 + rng.below(4))).map { _ in
            GaussianStream(seed: rng.next(), tensor: rng.below(1000), kind: kinds[rng.below(kinds.count)])
        }
        let cStreams = streams.map { zo_gaussian_stream(key0: $0.key[0], key1: $0.key[1], tensor: $0.tensor, kind: $0.kind.rawValue) }
        let offset = [0, 64 * rng.below(1000), (1 << 36) + rng.below(1 << 20), rng.below(5000)][rng.below(4)]
        let count = rng.below(1200)
        let range = offset..<(offset + count)
        var fa = [Float](repeating: 0, count: count), fb = fa
        streams[0].fill(&fa, range: range)
        zo_gaussian_fill(cStreams[0], &fb, range.lowerBound, range.upperBound)
        check("gaussianFill", fa, fb)
        if count > 0 { check("normalAt", [streams[0].normal(at: offset)], [fb[0]]) }
        for usedStreams in [1, streams.count] {
            let coefficients = values(usedStreams, special: special)
            let scale: Float = [1, 0.999, 0.5, -1][rng.below(4)]
            var xa = values(count, special: special), xb = xa
            xa.withUnsafeMutableBufferPointer { p in
                streams[0..<usedStreams].withUnsafeBufferPointer { s in
                    coefficients.withUnsafeBufferPointer { cf in
                        FusedGaussianUpdate.apply(to: p.baseAddress! - offset, range: range, scale: scale, streams: s, coefficients: cf)
                    }
                }
            }
            xb.withUnsafeMutableBufferPointer { p in
                zo_fused_gaussian_update(p.baseAddress! - offset, range.lowerBound, range.upperBound, scale, cStreams, coefficients, usedStreams)
            }
            check("fusedGaussianUpdate(\(usedStreams == 1 ? "1" : "n") streams)", xa, xb)
        }
    }
}

if CommandLine.arguments.dropFirst().first == "timing" {
    _ = zo_kernels_use(ZO_KERNELS_AVX512)
    func time(_ name: String, _ swift: @escaping () -> Void, _ c: @escaping () -> Void) {
        var best = [Double.infinity, .infinity]
        for _ in 0..<15 {
            for (i, f) in [swift, c].enumerated() {
                let t = DispatchTime.now().uptimeNanoseconds
                f()
                best[i] = min(best[i], Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
            }
        }
        print(String(format: "%-22@ swift %8.3f ms   c %8.3f ms   c/swift %.3f", name, best[0], best[1], best[1] / best[0]))
    }
    let n = 1 << 22
    var x = values(n, special: false), y = x
    let stream = GaussianStream(seed: 1, tensor: 2)
    let cs = [zo_gaussian_stream(key0: stream.key[0], key1: stream.key[1], tensor: stream.tensor, kind: 0)]
    time("fused update 1 stream", { x.withUnsafeMutableBufferPointer { p in [stream].withUnsafeBufferPointer { s in [Float(1e-3)].withUnsafeBufferPointer { c in FusedGaussianUpdate.apply(to: p.baseAddress!, range: 0..<n, streams: s, coefficients: c) } } } },
         { zo_fused_gaussian_update(&y, 0, n, 1, cs, [1e-3], 1) })
    time("fused update 3 streams", { x.withUnsafeMutableBufferPointer { p in [stream, stream, stream].withUnsafeBufferPointer { s in [Float(1e-3), 2e-3, 3e-3].withUnsafeBufferPointer { c in FusedGaussianUpdate.apply(to: p.baseAddress!, range: 0..<n, scale: 0.99, streams: s, coefficients: c) } } } },
         { zo_fused_gaussian_update(&y, 0, n, 0.99, cs + cs + cs, [1e-3, 2e-3, 3e-3], 3) })
    time("gaussian fill", { stream.fill(&x, range: 0..<n) }, { zo_gaussian_fill(cs[0], &y, 0, n) })
    let m = 1 << 18
    time("geluTanh", { geluTanh(&x, count: m) }, { zo_gelu_tanh(&y, m) })
    time("gelu", { gelu(&x, count: m) }, { zo_gelu(&y, m) })
    time("swiGLU 128x1536", { swiGLU(x, into: &y, rows: 128, width: 1536) }, { zo_swiglu(x, &y, 128, 1536) })
    time("rmsNorm 512x576", { rmsNorm(x, gain: x, into: &y, rows: 512, width: 576, epsilon: 1e-5) }, { zo_rms_norm(x, x, &y, 512, 576, 1e-5) })
    time("layerNorm 512x768", { layerNorm(x, gain: x, bias: x, into: &y, rows: 512, width: 768, epsilon: 1e-5) }, { zo_layer_norm(x, x, x, &y, 512, 768, 1e-5) })
    time("softmax 512x128", { for r in 0..<512 { x.withUnsafeMutableBufferPointer { softmaxInPlace($0.baseAddress! + r * 128, count: 128) } } }, { for r in 0..<512 { y.withUnsafeMutableBufferPointer { zo_softmax($0.baseAddress! + r * 128, 128) } } })
    var scores = [Float](repeating: 0, count: 512)
    let qkv = values(256 * 3 * 576, special: false)
    var out = [Float](repeating: 0, count: 256 * 576)
    time("attention 256 tok d64", { qkv.withUnsafeBufferPointer { p in causalAttentionHead(query: p.baseAddress!, key: p.baseAddress! + 576, value: p.baseAddress! + 1152, stride: 1728, output: &out, outputStride: 576, length: 256, headDim: 64, scale: 0.125, scores: &scores) } },
         { qkv.withUnsafeBufferPointer { p in zo_attention_head(p.baseAddress!, p.baseAddress! + 576, p.baseAddress! + 1152, 1728, &out, 576, 256, 64, 0.125, &scores, true, nil, nil, 0) } })
    exit(0)
}
let trials = Int(CommandLine.arguments.dropFirst().first ?? "20") ?? 20
var failed = false
for variant in [ZO_KERNELS_GENERIC, ZO_KERNELS_AVX2, ZO_KERNELS_AVX512] {
    guard zo_kernels_use(variant) else { print("variant \(String(cString: zo_kernels_name(variant))) not available"); continue }
    compared = [:]; mismatches = [:]; nanOnly = [:]
    rng = SplitMix64(seed: 20261206)
    runAll(trials: trials)
    print("== variant \(String(cString: zo_kernels_name(variant))): \(compared.values.reduce(0, +)) outputs compared")
    for name in compared.keys.sorted() {
        print("  \(name): \(compared[name]!) outputs, \(mismatches[name, default: 0]) differ, \(nanOnly[name, default: 0]) NaN-payload-only")
        if mismatches[name, default: 0] > 0 { failed = true }
    }
}
print(failed ? "PARITY FAILED" : "PARITY OK: every output bit-identical (where both are NaN, the payload is not compared)")
exit(failed ? 1 : 0)
