/// Fixed-width columns for the tables commands print.
public enum TextColumns {
    /// `text` padded with spaces to `width` (at least one space after it).
    public static func padded(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }

    /// A shape as `576×49152`.
    public static func shape(_ s: [Int]) -> String { s.map(String.init).joined(separator: "×") }
}
