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
    /// Whether `skinnyLinear` multiplies without decoding a tile (the encoding has a row kernel).
    var hasSkinnyProduct: Bool { get }
    /// c = a·Wᵀ (+ beta·c) restricted to output rows `outputs` (c's first column is output
    /// `outputs.lowerBound`), for up to `BLAS.skinnyRows` activation rows `lda` apart, decoding a
    /// few weight rows at a time into `row` (room for `BlockDecoding.decodedRows × columns` floats).
    /// Only when `hasSkinnyProduct`.
    func skinnyLinear(
        _ a: UnsafePointer<Float>, rows: Int, lda: Int, outputs: Range<Int>, into c: UnsafeMutablePointer<Float>,
        ldc: Int, beta: Float, row: UnsafeMutablePointer<Float>)
}

extension EncodedRows {
    public var hasSkinnyProduct: Bool { false }

    public func skinnyLinear(
        _ a: UnsafePointer<Float>, rows: Int, lda: Int, outputs: Range<Int>, into c: UnsafeMutablePointer<Float>,
        ldc: Int, beta: Float, row: UnsafeMutablePointer<Float>
    ) {
        preconditionFailure("\(Self.self) has no skinny product")
    }
}
