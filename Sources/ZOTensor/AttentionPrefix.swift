/// Prefix tuning's trainable keys and values: `count` rows per layer that every query attends to
/// before its sequence's own, as if `count` tokens had been seen before every input (a KV cache that
/// training moves). They live in the adapter's own arena (`owner`); keys are stored as attention
/// uses them (after RoPE, for families that rotate), and real tokens take positions from `count` on.
public struct AttentionPrefix: @unchecked Sendable {
    public let owner: WeightArena
    /// Prefix rows per layer.
    public let count: Int
    /// Floats per key (and value) row: key/value heads × head size.
    public let width: Int
    private let keyRows: [UnsafeMutablePointer<Float>]
    private let valueRows: [UnsafeMutablePointer<Float>]

    /// `keys[l]` and `values[l]` are layer l's `[count × width]` entries of `owner`.
    public init(owner: WeightArena, keys: [ParameterEntry], values: [ParameterEntry]) {
        precondition(!keys.isEmpty && keys.count == values.count, "a prefix has keys and values for every layer")
        let shape = keys[0].shape
        precondition(shape.count == 2 && (keys + values).allSatisfy { $0.shape == shape }, "prefix rows differ in shape")
        self.owner = owner
        count = shape[0]
        width = shape[1]
        keyRows = keys.map { owner.pointer($0) }
        valueRows = values.map { owner.pointer($0) }
    }

    public var layerCount: Int { keyRows.count }

    /// Layer `layer`'s rows: `count` keys and values, `width` floats apart.
    public func rows(layer: Int) -> (keys: UnsafePointer<Float>, values: UnsafePointer<Float>) {
        (UnsafePointer(keyRows[layer]), UnsafePointer(valueRows[layer]))
    }
}
