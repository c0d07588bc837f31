/// How a tensor's values are held in memory. Trained tensors are always fp32; a frozen base (an
/// adapter run, or a model that is only evaluated) may be held in bfloat16, which halves what it
/// takes, or stay as its file encodes it (`stored`: a GGUF's quantized blocks, read from the mapped
/// file), and is widened tile by tile where the forward multiplies it.
public enum StoragePrecision: String, Sendable, Hashable, Codable, CaseIterable {
    case float32 = "f32"
    case bfloat16 = "bf16"
    case stored

    /// Bytes per element in the arena (a stored tensor takes none there).
    public var bytesPerElement: Int {
        switch self {
        case .float32: return 4
        case .bfloat16: return 2
        case .stored: return 0
        }
    }
}

/// A frozen weight kept encoded outside the arena (a GGUF tensor's quantized blocks in the mapped
/// file), decoded a few rows at a time where the forward uses it. Rows are output features (the
/// rows of `nn.Linear`'s weight, of an embedding table), each `columns` wide.
public protocol EncodedRows: AnyObject, Sendable {
    var rows: Int { get }
    var columns: Int { get }
    /// Bytes the encoded weight takes.
    var byteCount: Int { get }
    /// Decodes rows `range` into `destination` (`range.count × columns` floats, row-major).
    func decode(rows range: Range<Int>, into destination: UnsafeMutablePointer<Float>)
}
