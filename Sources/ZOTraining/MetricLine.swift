import ZOEstimators

/// One line of `metrics.jsonl`: a training step or an evaluation.
struct MetricLine: Encodable {
    let kind: String
    let step: Int
    var loss: Float?
    var learningRate: Float?
    var seconds: Double?
    var forwardPasses: Int?
    var skipped: Bool?
    var split: String?
    var devAccuracy: Double?
    var devLoss: Double?
    var testAccuracy: Double?

    enum CodingKeys: String, CodingKey {
        case kind, step, loss, seconds, skipped, split
        case learningRate = "lr", forwardPasses = "forward_passes"
        case devAccuracy = "dev_accuracy", devLoss = "dev_loss", testAccuracy = "test_accuracy"
    }

    static func step(step: Int, outcome: StepOutcome, learningRate: Float, seconds: Double, forwardPasses: Int) -> MetricLine {
        MetricLine(kind: "step", step: step, loss: outcome.loss.isFinite ? outcome.loss : nil, learningRate: learningRate,
                   seconds: seconds, forwardPasses: forwardPasses, skipped: outcome.record.skipped ? true : nil)
    }

    /// `step` is the number of steps done when the evaluation ran.
    static func evaluation(step: Int, split: String, dev: Evaluation, test: Evaluation?) -> MetricLine {
        MetricLine(kind: "eval", step: step, split: split, devAccuracy: dev.accuracy, devLoss: dev.loss,
                   testAccuracy: test?.accuracy)
    }
}
