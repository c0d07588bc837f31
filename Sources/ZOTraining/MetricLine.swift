import ZOEstimators

/// One line of `metrics.jsonl`: a training step or an evaluation (a generation task's accuracy is
/// its exact-match rate, beside its F1).
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
    var devF1: Double?
    var testF1: Double?

    enum CodingKeys: String, CodingKey {
        case kind, step, loss, seconds, skipped, split
        case learningRate = "lr", forwardPasses = "forward_passes"
        case devAccuracy = "dev_accuracy", devLoss = "dev_loss", testAccuracy = "test_accuracy"
        case devF1 = "dev_f1", testF1 = "test_f1"
    }

    static func step(step: Int, outcome: StepOutcome, learningRate: Float, seconds: Double, forwardPasses: Int) -> MetricLine {
        MetricLine(kind: "step", step: step, loss: outcome.loss.isFinite ? outcome.loss : nil, learningRate: learningRate,
                   seconds: seconds, forwardPasses: forwardPasses, skipped: outcome.record.skipped ? true : nil)
    }

    /// `step` is the number of steps done when the evaluation ran.
    static func evaluation(step: Int, split: String, dev: Evaluation, test: Evaluation?) -> MetricLine {
        MetricLine(kind: "eval", step: step, split: split, devAccuracy: dev.accuracy, devLoss: dev.loss,
                   testAccuracy: test?.accuracy, devF1: dev.f1, testF1: test?.f1)
    }
}
