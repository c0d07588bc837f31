/// How the learning rate changes over the run.
public enum LearningRateSchedule: String, Codable, CaseIterable, Sendable {
    case constant
    /// Linear decay from the base rate to 0 at the last step.
    case linear

    public func rate(base: Float, step: Int, totalSteps: Int) -> Float {
        switch self {
        case .constant: return base
        case .linear: return base * Float(totalSteps - step) / Float(max(totalSteps, 1))
        }
    }
}

/// The trainer's options (the estimator's own options live in its configuration).
public struct TrainingSettings: Codable, Sendable, Equatable {
    public var steps = 300
    public var batchSize = 16
    public var learningRate: Float = 1e-5
    public var schedule = LearningRateSchedule.constant
    public var seed: UInt64 = 0
    /// Evaluate on dev (and checkpoint) every this many steps, and at the end.
    public var evalEvery = 100
    public var objective = Objective.candidateCrossEntropy
    /// Longest prompt + candidate in tokens; longer prompts keep their end.
    public var maxTokens = 256
    /// Examples per forward pass when evaluating.
    public var evalBatchSize = 32

    public init() {}
}

/// Progress and counters that a checkpoint must carry to resume exactly.
public struct TrainerState: Codable, Sendable, Equatable {
    public var nextStep = 0
    public var forwardPasses = 0
    public var skippedSteps = 0
    public var seconds: Double = 0
    public var bestStep: Int?
    public var bestDev: Evaluation?
    public var zeroShotDev: Evaluation?
    public var zeroShotTest: Evaluation?
    /// `DivergenceGuard`'s streaks and reference (optional: checkpoints from before it have none).
    public var badStepStreak: Int?
    public var flatStepStreak: Int?
    public var initialWeightRMS: Double?

    public init() {}
}

/// What a finished run reports (also `summary.json`).
public struct TrainingSummary: Codable, Sendable {
    public var method: String
    public var task: String
    public var steps: Int
    public var zeroShotDev: Evaluation?
    public var zeroShotTest: Evaluation?
    public var bestStep: Int?
    public var bestDev: Evaluation?
    /// Test accuracy of the weights at the best dev evaluation.
    public var test: Evaluation?
    public var forwardPasses: Int
    public var skippedSteps: Int
    public var seconds: Double
    public var peakResidentBytes: Int
    /// Why the run stopped before its last step (divergence), if it did.
    public var stopReason: String?
}
