import ZOEstimators

/// Receives progress from the trainer (console progress bar, logs). Everything is optional.
public protocol TrainingObserver: AnyObject {
    func evaluationDidStart(split: String, examples: Int)
    func evaluationDidProgress(examples: Int)
    func evaluationDidFinish(split: String, result: Evaluation)
    func zeroShotEvaluationsWereReused(dev: Evaluation, test: Evaluation)
    func stepDidFinish(step: Int, totalSteps: Int, outcome: StepOutcome, learningRate: Float, secondsPerStep: Double)
    func checkpointDidSave(step: Int, best: Bool)
    /// A line for the user: downloads, the run folder, warnings.
    func notice(_ message: String)
}

extension TrainingObserver {
    public func evaluationDidStart(split: String, examples: Int) {}
    public func evaluationDidProgress(examples: Int) {}
    public func evaluationDidFinish(split: String, result: Evaluation) {}
    public func zeroShotEvaluationsWereReused(dev: Evaluation, test: Evaluation) {}
    public func stepDidFinish(step: Int, totalSteps: Int, outcome: StepOutcome, learningRate: Float, secondsPerStep: Double) {}
    public func checkpointDidSave(step: Int, best: Bool) {}
    public func notice(_ message: String) {}
}
