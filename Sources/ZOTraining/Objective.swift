import Foundation

/// What training minimises, computed from candidate scores (mean log-probabilities).
public enum Objective: String, Codable, CaseIterable, Sendable {
    /// Cross-entropy over candidates of their scores (MeZO's classification loss). Default.
    case candidateCrossEntropy = "candidate-ce"
    /// Negative mean log-probability of the correct candidate's tokens (LM loss on the answer).
    case answerLogLikelihood = "answer-lm"
    /// −accuracy on the batch: not differentiable, which zeroth-order methods do not need.
    case negativeAccuracy = "neg-accuracy"

    /// Mean loss over the batch.
    public func loss(scores: [[Float]], labels: [Int]) -> Float {
        precondition(scores.count == labels.count && !scores.isEmpty)
        var total: Double = 0
        for (row, label) in zip(scores, labels) {
            switch self {
            case .candidateCrossEntropy:
                let m = row.max()!
                let lse = Double(m) + log(row.reduce(0.0) { $0 + exp(Double($1 - m)) })
                total += lse - Double(row[label])
            case .answerLogLikelihood:
                total -= Double(row[label])
            case .negativeAccuracy:
                total -= Self.predicted(row) == label ? 1 : 0
            }
        }
        return Float(total / Double(scores.count))
    }

    /// The argmax candidate (first on ties).
    public static func predicted(_ row: [Float]) -> Int {
        var best = 0
        for i in row.indices where row[i] > row[best] { best = i }
        return best
    }
}
