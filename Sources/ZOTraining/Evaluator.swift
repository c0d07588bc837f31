/// Accuracy and mean loss of the current weights on a split, in batches. In a generation task
/// `accuracy` is the exact-match rate of the greedy answers and `f1` their mean token F1.
public struct Evaluation: Codable, Sendable, Equatable {
    public let accuracy: Double
    public let loss: Double
    public let examples: Int
    /// Mean F1 of a generation task's answers; nil for a classification task.
    public let f1: Double?

    public init(accuracy: Double, loss: Double, examples: Int, f1: Double? = nil) {
        self.accuracy = accuracy
        self.loss = loss
        self.examples = examples
        self.f1 = f1
    }

    /// What picks the best dev point: F1 for a generation task (as MeZO's SQuAD runs), else accuracy.
    public var score: Double { f1 ?? accuracy }
}

public struct Evaluator {
    public let scorer: CandidateScorer
    public let objective: Objective
    /// Examples per forward pass.
    public let batchSize: Int
    /// Set for a generation task: its answers are generated and scored.
    public let generator: AnswerGenerator?
    /// Set in a data-parallel run: a classification split is scored in shards, one per rank (a
    /// generation split is answered whole on every rank, which keeps every answer on rank 0).
    public let processGroup: ProcessGroup?

    public init(
        scorer: CandidateScorer, objective: Objective, batchSize: Int = 32, generator: AnswerGenerator? = nil,
        processGroup: ProcessGroup? = nil
    ) {
        self.processGroup = processGroup
        self.scorer = scorer
        self.objective = objective
        self.batchSize = batchSize
        self.generator = generator
    }

    public func evaluate(_ examples: [EncodedExample], progress: (Int) -> Void = { _ in }) throws -> Evaluation {
        try evaluateWithAnswers(examples, progress: progress).evaluation
    }

    /// The evaluation and, in a generation task, the model's answer to each example (empty otherwise).
    public func evaluateWithAnswers(
        _ examples: [EncodedExample], progress: (Int) -> Void = { _ in }
    ) throws -> (evaluation: Evaluation, answers: [String]) {
        guard !examples.isEmpty else { return (Evaluation(accuracy: 0, loss: 0, examples: 0, f1: generator.map { _ in 0 }), []) }
        guard generator != nil else { return (try classify(examples, progress: progress), []) }
        var correct: Double = 0
        var f1Sum: Double = 0
        var lossSum: Double = 0
        var answers: [String] = []
        for start in stride(from: 0, to: examples.count, by: batchSize) {
            let batch = Array(examples[start..<min(start + batchSize, examples.count)])
            if let generator {
                let batchAnswers = try generator.answers(batch, model: scorer.model)
                let scores = AnswerGenerator.scores(batchAnswers, for: batch)
                answers += batchAnswers
                correct += scores.reduce(0) { $0 + $1.exactMatch }
                let f1 = scores.reduce(0) { $0 + $1.f1 }
                f1Sum += f1
                lossSum += objective.usesGenerations ? -f1 : try candidateLoss(batch)
            }
            progress(batch.count)
        }
        let count = Double(examples.count)
        return (Evaluation(accuracy: correct / count, loss: lossSum / count, examples: examples.count,
                           f1: generator.map { _ in f1Sum / count }), answers)
    }

    /// A classification split: each example's correctness and loss term, summed in example order. In a
    /// data-parallel run each rank scores its shard and the ranks gather the terms, so every rank gets
    /// the numbers one process would (to the rounding of a differently batched forward).
    private func classify(_ examples: [EncodedExample], progress: (Int) -> Void) throws -> Evaluation {
        let group = processGroup.flatMap { $0.size > 1 ? $0 : nil }
        let mine = group.map { Array(examples[$0.shard(of: examples.count)]) } ?? examples
        var correct: [Double] = [], terms: [Double] = []
        for start in stride(from: 0, to: mine.count, by: batchSize) {
            let batch = Array(mine[start..<min(start + batchSize, mine.count)])
            let scores = try scorer.scores(batch)
            correct += zip(scores, batch).map { Objective.predicted($0) == $1.label ? 1 : 0 }
            terms += objective.terms(scores: scores, labels: batch.map(\.label))
            progress(batch.count)
        }
        if let group {
            correct = try group.gatherShards(correct, count: examples.count)
            terms = try group.gatherShards(terms, count: examples.count)
        }
        let count = Double(examples.count)
        return Evaluation(accuracy: correct.reduce(0, +) / count, loss: terms.reduce(0, +) / count, examples: examples.count)
    }

    /// The objective over the batch's candidate scores, summed over its examples.
    private func candidateLoss(_ batch: [EncodedExample]) throws -> Double {
        Double(objective.loss(scores: try scorer.scores(batch), labels: batch.map(\.label))) * Double(batch.count)
    }
}
