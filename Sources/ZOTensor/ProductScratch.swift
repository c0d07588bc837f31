import CZOKernels
/// The working memory of products on weights not held in fp32 (`EncodedLinear`, `BFloat16Linear`,
/// `PackedBFloat16`), kept by each `WeightArena` so a forward allocates nothing per product. One
/// forward at a time per arena, as models run.
public final class ProductScratch: @unchecked Sendable {
    private var widenedRows = FloatBuffer(count: EncodedLinear.tileElements)
    private var roundedActivations = BFloat16Buffer(count: 0)
    private var packedPanels = BFloat16Buffer(count: 0)

    private var int8Values = AlignedBuffer<Int8>(count: 0)
    private var int8RowScales = FloatBuffer(count: 0)
    private var int8Offsets = AlignedBuffer<Int32>(count: 0)
    private var int8PanelBytes = AlignedBuffer<UInt8>(count: 0)
    private var int8PanelScales = FloatBuffer(count: 0)

    /// How products on the frozen base of the arena that owns this scratch are computed.
    public var products = BaseProducts.automatic {
        didSet { kept.forgetAll() }
    }

    /// Bytes the packed panels of frozen weights may take between forwards (`KeptPanels`).
    public var keptPanelLimit: Int {
        get { kept.limit }
        set { kept.limit = max(0, newValue) }
    }

    /// `keptPanelLimit` of every new scratch: an eighth of the memory this process may use, so a
    /// small or mid-sized base is packed once while an 8B one stays near the memory of its file
    /// (`--packed-base-memory` sets it; 0 keeps none).
    nonisolated(unsafe) public static var defaultKeptPanelLimit = System.memoryLimitBytes / 8

    /// Bytes the kept panels take now.
    public var keptPanelBytes: Int { kept.usedBytes }

    let kept = KeptPanels(limit: ProductScratch.defaultKeptPanelLimit)

    /// The kernels a product on that base runs: int8 when asked for, else bf16 where it is active
    /// (`PackedBFloat16`), else fp32 on decoded tiles.
    enum Path { case float32, bfloat16, int8 }

    var path: Path { products == .int8 ? .int8 : PackedBFloat16.isActive ? .bfloat16 : .float32 }

    public init() {}

    /// Room for `rows` quantized activation rows of `blocks` blocks, with their scales and offsets.
    func int8Activations(rows: Int, blocks: Int)
        -> (values: UnsafeMutablePointer<Int8>, scales: UnsafeMutablePointer<Float>, offsets: UnsafeMutablePointer<Int32>) {
        let count = rows * blocks
        if int8Values.count < count * Int(ZO_INT8_BLOCK) { int8Values = AlignedBuffer(count: count * Int(ZO_INT8_BLOCK)) }
        if int8RowScales.count < count { int8RowScales = FloatBuffer(count: count) }
        if int8Offsets.count < count { int8Offsets = AlignedBuffer(count: count) }
        return (int8Values.pointer, int8RowScales.pointer, int8Offsets.pointer)
    }

    /// Room for packed int8 weight panels and their scales.
    func int8Panels(bytes: Int, scales: Int) -> (bytes: UnsafeMutablePointer<UInt8>, scales: UnsafeMutablePointer<Float>) {
        if int8PanelBytes.count < bytes { int8PanelBytes = AlignedBuffer(count: bytes) }
        if int8PanelScales.count < scales { int8PanelScales = FloatBuffer(count: scales) }
        return (int8PanelBytes.pointer, int8PanelScales.pointer)
    }

    /// Room for `count` widened or decoded fp32 weight values (a tile of rows for a product, or one
    /// embedding row); at least `EncodedLinear.tileElements`.
    public func widened(count: Int) -> UnsafeMutablePointer<Float> {
        if widenedRows.count < count { widenedRows = FloatBuffer(count: count) }
        return widenedRows.pointer
    }

    /// Room for `count` bf16 activation values (grown on demand, never shrunk).
    func activations(count: Int) -> UnsafeMutablePointer<UInt16> {
        if roundedActivations.count < count { roundedActivations = BFloat16Buffer(count: count) }
        return roundedActivations.pointer
    }

    /// Room for `count` bf16 values of packed weight panels.
    func panels(count: Int) -> UnsafeMutablePointer<UInt16> {
        if packedPanels.count < count { packedPanels = BFloat16Buffer(count: count) }
        return packedPanels.pointer
    }
}
