import CZOKernels

/// The packed panels of frozen weights (int8 for `PackedInt8`, bf16 for `PackedBFloat16`), kept
/// between forwards so that a weight is decoded and packed once instead of in every product (on
/// SmolLM2-135M that re-packing was a third of a MeZO-LoRA step with int8 products). Panels are the
/// bytes a product packs for itself, so keeping them changes no output's bits. They take ≈ 1.06
/// (int8) or 2 (bf16) bytes per weight, more than a 4-bit file, so only as many as `limit` bytes
/// allow are kept; the rest are packed per product as before.
final class KeptPanels: @unchecked Sendable {
    enum Encoding: Hashable {
        case int8, bfloat16

        /// Bytes of values and of fp32 scales in the panels of `columns` outputs × `inner` inputs.
        func sizes(columns: Int, inner: Int) -> (values: Int, scales: Int) {
            switch self {
            case .int8: return (zo_int8_panel_bytes(columns, inner), zo_int8_panel_scales(columns, inner))
            case .bfloat16: return (zo_bf16_panel_elements(columns, inner) * 2, 0)
            }
        }
    }

    /// A weight's identity: the storage it is read from (an encoded tensor's object, or the address
    /// of bf16 values; every part's, for a joined product) and its shape, so a fused product of
    /// adjacent weights has its own entry.
    struct Key: Hashable {
        let addresses: [UInt]
        let columns: Int
        let inner: Int
        let encoding: Encoding
    }

    /// One weight's panels over all its columns, in its encoding's packed layout.
    final class Panels: @unchecked Sendable {
        let values: AlignedBuffer<UInt8>
        let scales: FloatBuffer
        /// Whether a product has packed every column (set after the first product completes).
        var isFilled = false
        /// Keeps encoded weights alive while their addresses name these panels.
        let owners: [AnyObject]

        init(_ sizes: (values: Int, scales: Int), owners: [AnyObject]) {
            values = AlignedBuffer(count: sizes.values)
            scales = FloatBuffer(count: sizes.scales)
            self.owners = owners
        }

        var byteCount: Int { values.count + scales.count * 4 }
    }

    /// Bytes the kept panels may take.
    var limit: Int {
        didSet { if limit < usedBytes { forgetAll() } }
    }
    private(set) var usedBytes = 0
    private var entries: [Key: Panels] = [:]

    init(limit: Int) { self.limit = limit }

    /// The panels kept for a weight, made empty on first request if they fit under `limit`; nil
    /// when they do not (the product then packs into scratch).
    func panels(for weight: FrozenWeight, columns: Int, inner: Int, encoding: Encoding) -> Panels? {
        let key = Key(addresses: weight.addresses, columns: columns, inner: inner, encoding: encoding)
        if let kept = entries[key] { return kept }
        let sizes = encoding.sizes(columns: columns, inner: inner)
        guard usedBytes + sizes.values + sizes.scales * 4 <= limit else { return nil }
        let made = Panels(sizes, owners: weight.owners)
        entries[key] = made
        usedBytes += made.byteCount
        return made
    }

    func forgetAll() {
        entries = [:]
        usedBytes = 0
    }
}

/// Which frozen weight a product multiplies, so that its packed form can be kept between forwards.
public struct FrozenWeight {
    let addresses: [UInt]
    let owners: [AnyObject]

    /// A stored weight (its decoder object).
    public init(_ encoded: AnyObject) { self.init(joining: [encoded]) }

    /// Stored weights multiplied as one product over their joined rows, in that order.
    public init(joining parts: [AnyObject]) {
        addresses = parts.map { UInt(bitPattern: Unmanaged.passUnretained($0).toOpaque()) }
        owners = parts
    }

    /// bf16 values in an arena, which never move or change after loading.
    public init(_ values: UnsafePointer<UInt16>) {
        addresses = [UInt(bitPattern: values)]
        owners = []
    }
}
