/// Evaluation metrics over predictions.
public enum Metrics {
    /// Fraction of correct predictions; 0 for none.
    public static func accuracy(_ predictions: [Prediction]) -> Double {
        guard !predictions.isEmpty else { return 0 }
        return Double(predictions.lazy.filter(\.isCorrect).count) / Double(predictions.count)
    }
}
