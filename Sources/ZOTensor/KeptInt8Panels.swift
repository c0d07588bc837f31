import CZOKernels

/// The int8 panels of frozen weights, kept between forwards so that a weight is decoded and quantized
/// once instead of in every product (on SmolLM2-135M that re-packing was a third of a MeZO-LoRA
/// step). Panels are the same bytes a product packs for itself, so keeping them changes no output's
/// bits. They take ≈ 1.06 bytes per weight (more than a 4-bit file), so only as many as `limit`
/// bytes allow are kept; the rest are packed per product as before.
final class KeptInt8Panels: @unchecked Sendable {
    /// A weight's identity: the storage it is read from (an encoded tensor's object, or the address
    /// of bf16 values) and its shape, so a fused product of adjacent weights has its own entry.
    struct Key: Hashable {
        let address: UInt
        let columns: Int
        let inner: Int
    }

    /// One weight's panels over all its columns, in `zo_int8_pack_f32`'s layout.
    final class Panels: @unchecked Sendable {
        let bytes: AlignedBuffer<UInt8>
        let scales: FloatBuffer
        /// Whether a product has packed every column (set after the first product completes).
        var isFilled = false
        /// Keeps an encoded weight alive while its address names these panels.
        let owner: AnyObject?

        init(columns: Int, inner: Int, owner: AnyObject?) {
            bytes = AlignedBuffer(count: zo_int8_panel_bytes(columns, inner))
            scales = FloatBuffer(count: zo_int8_panel_scales(columns, inner))
            self.owner = owner
        }

        var byteCount: Int { bytes.count + scales.count * 4 }
    }

    /// Bytes the kept panels may take.
    var limit: Int {
        didSet { if limit < usedBytes { forgetAll() } }
    }
    private(set) var usedBytes = 0
    private var entries: [Key: Panels] = [:]

    init(limit: Int) { self.limit = limit }

    /// The panels kept for `key`, made empty on first request if they fit under `limit`; nil when
    /// they do not (the product then packs into scratch).
    func panels(for weight: FrozenWeight, columns: Int, inner: Int) -> Panels? {
        let key = Key(address: weight.address, columns: columns, inner: inner)
        if let kept = entries[key] { return kept }
        let bytes = zo_int8_panel_bytes(key.columns, key.inner) + zo_int8_panel_scales(key.columns, key.inner) * 4
        guard usedBytes + bytes <= limit else { return nil }
        let made = Panels(columns: columns, inner: inner, owner: weight.owner)
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
    let address: UInt
    let owner: AnyObject?

    /// A stored weight (its decoder object).
    public init(_ encoded: AnyObject) {
        address = UInt(bitPattern: Unmanaged.passUnretained(encoded).toOpaque())
        owner = encoded
    }

    /// bf16 values in an arena, which never move or change after loading.
    public init(_ values: UnsafePointer<UInt16>) {
        address = UInt(bitPattern: values)
        owner = nil
    }
}
