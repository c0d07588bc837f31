import ZOEstimators
import ZOTraining

/// A `LossOracle` over one fixed batch, for timing estimator steps: every `loss()` is the objective
/// on the same examples (one forward pass, as `MinibatchLossOracle`), and `advanceBatch()` keeps them,
/// so DiZO's projection iterations cost what they cost in training without any sampling in the way.
final class BenchmarkLossOracle: LossOracle {
    let scorer: CandidateScorer
    let objective: Objective
    let examples: [EncodedExample]
    private let labels: [Int]
    private(set) var forwardPasses = 0

    init(scorer: CandidateScorer, objective: Objective, examples: [EncodedExample]) {
        self.scorer = scorer
        self.objective = objective
        self.examples = examples
        labels = examples.map(\.label)
    }

    func loss() throws -> Float {
        forwardPasses += 1
        return objective.loss(scores: try scorer.scores(examples), labels: labels)
    }

    func advanceBatch() throws {}
}
