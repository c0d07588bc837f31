import Foundation

/// What training minimises: computed from candidate scores (mean log-probabilities), or for `neg-f1`
/// from the model's greedy answers.
public enum Objective: String, Codable, CaseIterable, Sendable {
    /// Cross-entropy over candidates of their scores (MeZO's classification loss). Default.
    case candidateCrossEntropy = "candidate-ce"
    /// Negative mean log-probability of the correct candidate's tokens (LM loss on the answer).
    case answerLogLikelihood = "answer-lm"
    /// −accuracy on the batch: not differentiable, which zeroth-order methods do not need.
    case negativeAccuracy = "neg-accuracy"
    /// −token F1 of greedy answers against the references (generation tasks; MeZO's
    /// non-differentiable objective): each loss generates the batch's answers.
    case negativeF1 = "neg-f1"

    /// The default for a task: MeZO's for each kind (cross-entropy over candidates; LM loss on the answer).
    public static func `default`(generation: Bool) -> Objective { generation ? .answerLogLikelihood : .candidateCrossEntropy }

    /// Whether the loss comes from generated answers rather than candidate scores.
    public var usesGenerations: Bool { self == .negativeF1 }

    /// Refuses an objective that the task's kind cannot compute (e.g. a cross-entropy over the single
    /// candidate of a generation task, which is always 0).
    public func check(task: String, generation: Bool) throws {
        let fits = generation ? [.answerLogLikelihood, .negativeF1].contains(self) : self != .negativeF1
        if !fits { throw TrainingError.objectiveDoesNotFitTask(objective: rawValue, task: task, generation: generation) }
    }

    /// Mean loss over the batch (`neg-f1` excepted: see `AnswerGenerator.negativeF1`).
    public func loss(scores: [[Float]], labels: [Int]) -> Float {
        Self.mean(terms(scores: scores, labels: labels))
    }

    /// Each example's loss, before averaging (what data-parallel ranks exchange).
    public func terms(scores: [[Float]], labels: [Int]) -> [Double] {
        precondition(scores.count == labels.count && !scores.isEmpty && !usesGenerations)
        return zip(scores, labels).map { row, label in
            switch self {
            case .candidateCrossEntropy:
                let m = row.max()!
                let lse = Double(m) + log(row.reduce(0.0) { $0 + exp(Double($1 - m)) })
                return lse - Double(row[label])
            case .answerLogLikelihood:
                return -Double(row[label])
            case .negativeAccuracy:
                return Self.predicted(row) == label ? -1 : 0
            case .negativeF1:
                preconditionFailure("neg-f1 is computed from generations")
            }
        }
    }

    /// The batch loss from its examples' terms, summed in order (the same bits however they were computed).
    public static func mean(_ terms: [Double]) -> Float {
        Float(terms.reduce(0, +) / Double(terms.count))
    }

    /// The argmax candidate (first on ties).
    public static func predicted(_ row: [Float]) -> Int {
        var best = 0
        for i in row.indices where row[i] > row[best] { best = i }
        return best
    }
}
