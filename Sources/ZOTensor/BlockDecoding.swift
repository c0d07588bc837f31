import CZOKernels

/// The ggml block types' vectorised decoders (CZOKernels' BlockDecoding.h): what a quantized base
/// kept as stored decodes on every forward. Results are bit-identical to ZOFormats' decoders, which
/// stay the reference (and decode F16/BF16 and anything a future ggml adds).
public enum BlockDecoding: String, Sendable, CaseIterable {
    // Raw values: ggml's type names in lower case.
    case q4_0, q4_1, q5_0, q5_1, q8_0, q2_K = "q2_k", q3_K = "q3_k", q4_K = "q4_k", q5_K = "q5_k", q6_K = "q6_k"
    case iq4_nl, iq4_xs, iq2_xxs, iq2_xs, iq2_s, iq3_xxs, iq3_s, iq1_s, iq1_m
    case q8_K = "q8_k", mxfp4, nvfp4, tq1_0, tq2_0

    /// The kernel for a ggml type name ("Q4_K", …), nil for a type it does not decode.
    public init?(ggmlName: String) { self.init(rawValue: ggmlName.lowercased()) }

    /// (weights, bytes) per block.
    public var block: (elements: Int, bytes: Int) {
        switch self {
        case .q4_0: return (32, 18)
        case .q4_1: return (32, 20)
        case .q5_0: return (32, 22)
        case .q5_1: return (32, 24)
        case .q8_0: return (32, 34)
        case .q2_K: return (256, 84)
        case .q3_K: return (256, 110)
        case .q4_K: return (256, 144)
        case .q5_K: return (256, 176)
        case .q6_K: return (256, 210)
        case .iq4_nl: return (32, 18)
        case .iq4_xs: return (256, 136)
        case .iq2_xxs: return (256, 66)
        case .iq2_xs: return (256, 74)
        case .iq2_s: return (256, 82)
        case .iq3_xxs: return (256, 98)
        case .iq3_s: return (256, 110)
        case .iq1_s: return (256, 50)
        case .iq1_m: return (256, 56)
        case .q8_K: return (256, 292)
        case .mxfp4: return (32, 17)
        case .nvfp4: return (64, 36)
        case .tq1_0: return (256, 54)
        case .tq2_0: return (256, 66)
        }
    }

    private var kernelType: zo_block_type {
        switch self {
        case .q4_0: return ZO_BLOCKS_Q4_0
        case .q4_1: return ZO_BLOCKS_Q4_1
        case .q5_0: return ZO_BLOCKS_Q5_0
        case .q5_1: return ZO_BLOCKS_Q5_1
        case .q8_0: return ZO_BLOCKS_Q8_0
        case .q2_K: return ZO_BLOCKS_Q2_K
        case .q3_K: return ZO_BLOCKS_Q3_K
        case .q4_K: return ZO_BLOCKS_Q4_K
        case .q5_K: return ZO_BLOCKS_Q5_K
        case .q6_K: return ZO_BLOCKS_Q6_K
        case .iq4_nl: return ZO_BLOCKS_IQ4_NL
        case .iq4_xs: return ZO_BLOCKS_IQ4_XS
        case .iq2_xxs: return ZO_BLOCKS_IQ2_XXS
        case .iq2_xs: return ZO_BLOCKS_IQ2_XS
        case .iq2_s: return ZO_BLOCKS_IQ2_S
        case .iq3_xxs: return ZO_BLOCKS_IQ3_XXS
        case .iq3_s: return ZO_BLOCKS_IQ3_S
        case .iq1_s: return ZO_BLOCKS_IQ1_S
        case .iq1_m: return ZO_BLOCKS_IQ1_M
        case .q8_K: return ZO_BLOCKS_Q8_K
        case .mxfp4: return ZO_BLOCKS_MXFP4
        case .nvfp4: return ZO_BLOCKS_NVFP4
        case .tq1_0: return ZO_BLOCKS_TQ1_0
        case .tq2_0: return ZO_BLOCKS_TQ2_0
        }
    }

    /// Decodes `blocks` consecutive blocks at `source` into `blocks × block.elements` floats.
    public func decode(_ source: UnsafeRawPointer, blocks: Int, into destination: UnsafeMutablePointer<Float>) {
        let known = zo_decode_blocks(kernelType, source, destination, blocks)
        precondition(known, "the block kernels do not know \(self)")
    }

    /// Weight rows `skinnyLinear` holds decoded at once.
    public static let decodedRows = Int(ZO_SKINNY_DECODED_ROWS)

    /// c = a·Wᵀ (+ beta·c) for up to `BLAS.skinnyRows` activation rows, with row j of W
    /// (`columns × inner`) the blocks at `weight + fileRows[j] · rowBytes` (row j itself when
    /// `fileRows` is nil), decoded a few rows at a time into `row` (room for `decodedRows × inner` floats). Bit for bit
    /// what `decode` followed by `BLAS.linear` gives, without a decoded tile in memory.
    public func skinnyLinear(
        _ a: UnsafePointer<Float>, rows: Int, inner: Int, lda: Int, weight: UnsafeRawPointer, rowBytes: Int,
        fileRows: UnsafePointer<Int64>?, columns: Int, into c: UnsafeMutablePointer<Float>, ldc: Int, beta: Float,
        row: UnsafeMutablePointer<Float>
    ) {
        precondition(inner % block.elements == 0, "a row of \(inner) weights is not whole \(self) blocks")
        let known = zo_skinny_blocks(kernelType, a, rows, inner, lda, weight, rowBytes, fileRows, columns, c, ldc, beta, row)
        precondition(known, "the block kernels do not know \(self)")
    }
}
