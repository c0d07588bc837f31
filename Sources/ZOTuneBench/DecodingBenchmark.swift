import Foundation
import ZOCommandLine
import ZOFormats
import ZOTensor

/// `zotune-bench --decoding`: how fast each GGUF block type turns into fp32 weights, the work a base
/// kept as stored (`--base-precision stored`) repeats in every forward. For every type ZOFormats
/// decodes, on one thread: ZOFormats' reference decoder (Swift, scalar) and, where the type has one,
/// the vectorised kernel (`BlockDecoding`) that replaces it on the forward's path, as ns per weight
/// and their ratio. Both give the same bits (BlockDecodingTests).
struct DecodingBenchmark {
    /// Weights decoded per timed call: a 4 MiB fp32 tile, the size a stored base's forward decodes at once.
    static let weights = 1 << 20

    let repeats: Int
    let report: BenchmarkReport

    func run() throws {
        print("Decoding \(Self.weights) weights per call into fp32 on one thread (median of \(repeats); SIMD kernels: \(KernelVariant.active.rawValue))")
        print(TextColumns.padded("type", 10) + TextColumns.padded("ZOFormats ns/weight", 22)
              + TextColumns.padded("kernel ns/weight", 19) + "kernel faster")
        let output = FloatBuffer(count: Self.weights)
        for type in GGMLType.all.values.sorted(by: { $0.rawValue < $1.rawValue })
        where type.blockSize > 1 && Dequantizer.supports(type) {
            let blocks = Self.weights / type.blockSize
            let bytes = Self.plausibleBlocks(of: type, count: blocks)
            let destination = UnsafeMutableBufferPointer(start: output.pointer, count: blocks * type.blockSize)
            let reference = try time {
                try bytes.withUnsafeBytes { try Dequantizer.decode(type, bytes: $0, into: destination, tensor: type.name) }
            }
            var line = TextColumns.padded(type.name, 10) + TextColumns.padded(String(format: "%.3f", reference), 22)
            report.record("decode_ns_per_weight_\(type.name)", reference)
            if let kernel = BlockDecoding(ggmlName: type.name) {
                let fast = try time { bytes.withUnsafeBytes { kernel.decode($0.baseAddress!, blocks: blocks, into: output.pointer) } }
                report.record("decode_kernel_ns_per_weight_\(type.name)", fast)
                line += TextColumns.padded(String(format: "%.3f", fast), 19) + String(format: "%.1f×", reference / fast)
            } else {
                line += TextColumns.padded("—", 19) + "(no kernel)"
            }
            print(line)
        }
    }

    /// Median ns per weight of `body` over `repeats` calls after one warm-up.
    private func time(_ body: () throws -> Void) throws -> Double {
        try body()
        let seconds = try (0..<repeats).map { _ in try secondsTaken(body) }
        return Summary(seconds).median / Double(Self.weights) * 1e9
    }

    /// Random blocks in which any two adjacent bytes read as an IEEE half (or a byte as an E8M0
    /// exponent) give a normal, finite scale, so no decoder meets subnormal products, which run at a
    /// fraction of the normal speed on x86 and would time the CPU's slow path instead of the decoder.
    /// IQ1_M spreads its d over four nibbles; its exponent's top bits are set apart.
    static func plausibleBlocks(of type: GGMLType, count blocks: Int) -> [UInt8] {
        var state = UInt64(type.rawValue) &+ 0x9E37_79B9_7F4A_7C15
        var bytes = (0..<(blocks * type.blockBytes)).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            let byte = UInt8(truncatingIfNeeded: state >> 56)
            let exponent = byte & 0x7C  // a half's exponent bits when this is its high byte
            return exponent == 0 ? byte | 0x40 : exponent == 0x7C ? byte & ~0x40 : byte
        }
        if type == .iq1_m {
            // d's exponent bits 13 and 14 are bits 5 and 6 of byte 55: 01 keeps it in [8, 23].
            for b in 0..<blocks { bytes[b * type.blockBytes + 55] = bytes[b * type.blockBytes + 55] & ~0x40 | 0x20 }
        }
        return bytes
    }
}
