/// Finds NaN and ±∞ in a buffer at memory speed: `x − x` is 0 for every finite value and NaN
/// otherwise, so a vector sum of those differences is NaN exactly when a value is not finite. Only
/// then is the buffer walked for the first such index. Loaders run it on every weight they decode
/// (a damaged checkpoint otherwise gives all-NaN logits and a "successful" run).
public enum NonFiniteScan {
    /// The index of the first NaN or infinite value, or nil when all are finite.
    public static func firstIndex(in values: UnsafeBufferPointer<Float>) -> Int? {
        guard let base = values.baseAddress else { return nil }
        let lanes = 16
        let vectors = values.count / lanes
        var accumulator = SIMD16<Float>()
        let raw = UnsafeRawPointer(base)
        for i in 0..<vectors {
            let vector = raw.loadUnaligned(fromByteOffset: i * lanes * 4, as: SIMD16<Float>.self)
            accumulator += vector - vector
        }
        var tail: Float = 0
        for i in (vectors * lanes)..<values.count { tail += values[i] - values[i] }
        guard (accumulator.sum() + tail).isNaN else { return nil }
        return values.firstIndex { !$0.isFinite }
    }
}
