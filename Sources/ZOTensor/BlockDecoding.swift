import CZOKernels

/// The ggml block types with a vectorised decoder (CZOKernels' BlockDecoding.h): what a quantized
/// base kept as stored decodes on every forward. Results are bit-identical to ZOFormats' decoders,
/// which stay the reference and handle every other type.
public enum BlockDecoding: Sendable {
    case q4_0, q4_1, q5_0, q8_0, q4_K, q6_K

    /// The kernel's name for a ggml type name ("q4_K", …), nil for a type it does not decode.
    public init?(ggmlName: String) {
        switch ggmlName.lowercased() {
        case "q4_0": self = .q4_0
        case "q4_1": self = .q4_1
        case "q5_0": self = .q5_0
        case "q8_0": self = .q8_0
        case "q4_k": self = .q4_K
        case "q6_k": self = .q6_K
        default: return nil
        }
    }

    /// (weights, bytes) per block.
    public var block: (elements: Int, bytes: Int) {
        switch self {
        case .q4_0: return (32, 18)
        case .q4_1: return (32, 20)
        case .q5_0: return (32, 22)
        case .q8_0: return (32, 34)
        case .q4_K: return (256, 144)
        case .q6_K: return (256, 210)
        }
    }

    private var kernelType: zo_block_type {
        switch self {
        case .q4_0: return ZO_BLOCKS_Q4_0
        case .q4_1: return ZO_BLOCKS_Q4_1
        case .q5_0: return ZO_BLOCKS_Q5_0
        case .q8_0: return ZO_BLOCKS_Q8_0
        case .q4_K: return ZO_BLOCKS_Q4_K
        case .q6_K: return ZO_BLOCKS_Q6_K
        }
    }

    /// Decodes `blocks` consecutive blocks at `source` into `blocks × block.elements` floats.
    public func decode(_ source: UnsafeRawPointer, blocks: Int, into destination: UnsafeMutablePointer<Float>) {
        let known = zo_decode_blocks(kernelType, source, destination, blocks)
        precondition(known, "the block kernels do not know \(self)")
    }
}
