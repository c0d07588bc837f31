/// The element encodings a GGUF tensor can have (ggml's `ggml_type`), with their block geometry.
/// Geometry is known for every type so the file layout can be validated even when ZOTune cannot
/// dequantize the type; dequantization support is `Dequantizer.supports(_:)`.
public struct GGMLType: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public let name: String
    /// Elements per block.
    public let blockSize: Int
    /// Bytes per block.
    public let blockBytes: Int

    public var description: String { name }

    public static let f32 = GGMLType(rawValue: 0, name: "F32", blockSize: 1, blockBytes: 4)
    public static let f16 = GGMLType(rawValue: 1, name: "F16", blockSize: 1, blockBytes: 2)
    public static let q4_0 = GGMLType(rawValue: 2, name: "Q4_0", blockSize: 32, blockBytes: 18)
    public static let q4_1 = GGMLType(rawValue: 3, name: "Q4_1", blockSize: 32, blockBytes: 20)
    public static let q5_0 = GGMLType(rawValue: 6, name: "Q5_0", blockSize: 32, blockBytes: 22)
    public static let q5_1 = GGMLType(rawValue: 7, name: "Q5_1", blockSize: 32, blockBytes: 24)
    public static let q8_0 = GGMLType(rawValue: 8, name: "Q8_0", blockSize: 32, blockBytes: 34)
    public static let q8_1 = GGMLType(rawValue: 9, name: "Q8_1", blockSize: 32, blockBytes: 36)
    public static let q2_K = GGMLType(rawValue: 10, name: "Q2_K", blockSize: 256, blockBytes: 84)
    public static let q3_K = GGMLType(rawValue: 11, name: "Q3_K", blockSize: 256, blockBytes: 110)
    public static let q4_K = GGMLType(rawValue: 12, name: "Q4_K", blockSize: 256, blockBytes: 144)
    public static let q5_K = GGMLType(rawValue: 13, name: "Q5_K", blockSize: 256, blockBytes: 176)
    public static let q6_K = GGMLType(rawValue: 14, name: "Q6_K", blockSize: 256, blockBytes: 210)
    public static let q8_K = GGMLType(rawValue: 15, name: "Q8_K", blockSize: 256, blockBytes: 292)
    public static let bf16 = GGMLType(rawValue: 30, name: "BF16", blockSize: 1, blockBytes: 2)
    public static let iq2_xxs = GGMLType(rawValue: 16, name: "IQ2_XXS", blockSize: 256, blockBytes: 66)
    public static let iq2_xs = GGMLType(rawValue: 17, name: "IQ2_XS", blockSize: 256, blockBytes: 74)
    public static let iq3_xxs = GGMLType(rawValue: 18, name: "IQ3_XXS", blockSize: 256, blockBytes: 98)
    public static let iq1_s = GGMLType(rawValue: 19, name: "IQ1_S", blockSize: 256, blockBytes: 50)
    public static let iq4_nl = GGMLType(rawValue: 20, name: "IQ4_NL", blockSize: 32, blockBytes: 18)
    public static let iq3_s = GGMLType(rawValue: 21, name: "IQ3_S", blockSize: 256, blockBytes: 110)
    public static let iq2_s = GGMLType(rawValue: 22, name: "IQ2_S", blockSize: 256, blockBytes: 82)
    public static let iq4_xs = GGMLType(rawValue: 23, name: "IQ4_XS", blockSize: 256, blockBytes: 136)
    public static let tq1_0 = GGMLType(rawValue: 34, name: "TQ1_0", blockSize: 256, blockBytes: 54)
    public static let tq2_0 = GGMLType(rawValue: 35, name: "TQ2_0", blockSize: 256, blockBytes: 66)
    public static let mxfp4 = GGMLType(rawValue: 39, name: "MXFP4", blockSize: 32, blockBytes: 17)
    public static let iq1_m = GGMLType(rawValue: 29, name: "IQ1_M", blockSize: 256, blockBytes: 56)
    public static let nvfp4 = GGMLType(rawValue: 40, name: "NVFP4", blockSize: 64, blockBytes: 36)

    /// Every type ggml defines, by raw value. Unlisted raw values are rejected as unknown.
    public static let all: [UInt32: GGMLType] = {
        let list: [GGMLType] = [
            .f32, .f16, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .q2_K, .q3_K, .q4_K, .q5_K, .q6_K,
            .q8_K, .bf16, .iq4_nl, .iq4_xs, .tq1_0, .tq2_0, .mxfp4, .nvfp4,
            .iq2_xxs, .iq2_xs, .iq3_xxs, .iq1_s, .iq3_s, .iq2_s, .iq1_m,
            GGMLType(rawValue: 24, name: "I8", blockSize: 1, blockBytes: 1),
            GGMLType(rawValue: 25, name: "I16", blockSize: 1, blockBytes: 2),
            GGMLType(rawValue: 26, name: "I32", blockSize: 1, blockBytes: 4),
            GGMLType(rawValue: 27, name: "I64", blockSize: 1, blockBytes: 8),
            GGMLType(rawValue: 28, name: "F64", blockSize: 1, blockBytes: 8),
        ]
        return Dictionary(uniqueKeysWithValues: list.map { ($0.rawValue, $0) })
    }()

    /// Bytes needed for `elements` values, or nil if `elements` is not a whole number of blocks.
    public func byteCount(elements: Int) -> Int? {
        guard elements % blockSize == 0 else { return nil }
        let (bytes, overflow) = (elements / blockSize).multipliedReportingOverflow(by: blockBytes)
        return overflow ? nil : bytes
    }
}
