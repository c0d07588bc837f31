/// Accuracy and mean loss of the current weights on a split, in batches.
public struct Evaluation: Codable, Sendable, Equatable {
    public let accuracy: Double
    public let loss: Double
    public let examples: Int

    public init(accuracy: Double, loss: Double, examples: Int) {
        self.accuracy = accuracy
        self.loss = loss
        self.examples = examples
    }
}

public struct Evaluator {
    public let scorer: CandidateScorer
    public let objective: Objective
    /// Examples per forward pass.
    public let batchSize: Int

    public init(scorer: CandidateScorer, objective: Objective, batchSize: Int = 32) {
        self.scorer = scorer
        self.objective = objective
        self.batchSize = batchSize
    }

    public func evaluate(_ examples: [EncodedExample], progress: (Int) -> Void = { _ in }) throws -> Evaluation {
        guard !examples.isEmpty else { return Evaluation(accuracy: 0, loss: 0, examples: 0) }
        var correct = 0
        var lossSum: Double = 0
        for start in stride(from: 0, to: examples.count, by: batchSize) {
            let batch = Array(examples[start..<min(start + batchSize, examples.count)])
            let scores = try scorer.scores(batch)
            for (row, example) in zip(scores, batch) where Objective.predicted(row) == example.label { correct += 1 }
            lossSum += Double(objective.loss(scores: scores, labels: batch.map(\.label))) * Double(batch.count)
            progress(batch.count)
        }
        return Evaluation(
            accuracy: Double(correct) / Double(examples.count), loss: lossSum / Double(examples.count),
            examples: examples.count)
    }
}
