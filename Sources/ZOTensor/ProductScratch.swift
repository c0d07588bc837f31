/// The working memory of products on weights not held in fp32 (`EncodedLinear`, `BFloat16Linear`,
/// `PackedBFloat16`), kept by each `WeightArena` so a forward allocates nothing per product. One
/// forward at a time per arena, as models run.
public final class ProductScratch: @unchecked Sendable {
    private var widenedRows = FloatBuffer(count: EncodedLinear.tileElements)
    private var roundedActivations = BFloat16Buffer(count: 0)
    private var packedPanels = BFloat16Buffer(count: 0)

    public init() {}

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
