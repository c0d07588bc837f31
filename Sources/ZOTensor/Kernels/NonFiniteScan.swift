import CZOKernels

/// Finds NaN and ±∞ in a buffer at memory speed: `x − x` is 0 for every finite value and NaN
/// otherwise, so a vector sum of those differences is NaN exactly when a value is not finite. Only
/// then is the buffer walked for the first such index. Loaders run it on every weight they decode
/// (a damaged checkpoint otherwise gives all-NaN logits and a "successful" run).
public enum NonFiniteScan {
    /// The index of the first NaN or infinite value, or nil when all are finite.
    public static func firstIndex(in values: UnsafeBufferPointer<Float>) -> Int? {
        guard let base = values.baseAddress, zo_has_non_finite(base, values.count) else { return nil }
        return values.firstIndex { !$0.isFinite }
    }
}
