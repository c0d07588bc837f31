/// The model's choice for one example next to the true label.
public struct Prediction: Sendable, Hashable {
    /// Index of the chosen candidate.
    public var predicted: Int
    /// Index of the correct candidate.
    public var label: Int

    public init(predicted: Int, label: Int) {
        self.predicted = predicted
        self.label = label
    }

    /// Picks the highest-scoring candidate (the first on ties); `scores` must not be empty.
    public init(scores: [Float], label: Int) {
        var best = 0
        for i in scores.indices where scores[i] > scores[best] { best = i }
        self.init(predicted: best, label: label)
    }

    public var isCorrect: Bool { predicted == label }
}
