import ZOEstimators
import ZOTensor

/// Watches a run for the ways zeroth-order training goes wrong without failing by itself, so that a
/// ruined model never passes for a trained one:
///
/// - **non-finite steps**: a step whose loss or estimate is not finite is skipped by the estimator
///   (weights restored); `badStepLimit` of them in a row means the weights themselves are ruined;
/// - **collapse**: every projected gradient exactly 0 for `flatStepLimit` steps in a row — the loss
///   no longer responds to the weights (saturated outputs; seen with weights grown to ~1e12);
/// - **runaway weights**: at an evaluation, the trainable weights' RMS above `growthLimit` × its value
///   before training, or not finite;
/// - **non-finite evaluations**.
///
/// The trainer stops with `TrainingError.diverged` on any of them, before the damaged weights are
/// checkpointed: `checkpoints/latest` and `best` keep the last evaluation that passed.
public struct DivergenceGuard: Sendable {
    /// Consecutive non-finite steps that stop a run.
    public static let badStepLimit = 5
    /// Consecutive steps with every projected gradient exactly 0 that stop a run (objectives with
    /// continuous losses only: −accuracy is flat between changes of a prediction by design).
    public static let flatStepLimit = 100
    /// How much the trainable weights' RMS may grow over a run.
    public static let growthLimit = 100.0

    /// Whether exact-zero gradients mean collapse for this objective.
    let watchesFlatSteps: Bool

    public init(objective: Objective) {
        watchesFlatSteps = objective != .negativeAccuracy
    }

    /// Updates the streaks in `progress` with a step's record; returns why the run must stop, if it must.
    func check(_ record: StepRecord, progress: inout TrainerState) -> String? {
        if record.skipped {
            progress.badStepStreak = (progress.badStepStreak ?? 0) + 1
            progress.flatStepStreak = 0
            if progress.badStepStreak! >= Self.badStepLimit {
                return "the loss was not finite at \(Self.badStepLimit) consecutive steps"
            }
            return nil
        }
        progress.badStepStreak = 0
        let flat = watchesFlatSteps && !record.gradients.isEmpty && record.gradients.allSatisfy { $0 == 0 }
        progress.flatStepStreak = flat ? (progress.flatStepStreak ?? 0) + 1 : 0
        if progress.flatStepStreak! >= Self.flatStepLimit {
            return "every projected gradient was exactly 0 for \(Self.flatStepLimit) consecutive steps: "
                + "the loss no longer responds to the weights"
        }
        return nil
    }

    /// Why an evaluation of weights whose RMS is `weightRMS` (against `initialRMS` before training)
    /// must stop the run, if it must.
    func check(_ evaluation: Evaluation, weightRMS: Double, initialRMS: Double?) -> String? {
        guard evaluation.loss.isFinite else { return "the dev loss is not finite" }
        guard weightRMS.isFinite else { return "the trainable weights are no longer finite" }
        if let initialRMS, initialRMS > 0, weightRMS > Self.growthLimit * initialRMS {
            return String(format: "the trainable weights' RMS grew from %.3g to %.3g", initialRMS, weightRMS)
        }
        return nil
    }

    /// Root mean square of the trainable weights as stored (a factored low-rank delta is not included).
    public static func rootMeanSquare(_ parameters: TrainableSet) -> Double {
        var sum = 0.0, count = 0
        for tensor in parameters.tensors {
            let values = parameters.pointer(tensor)
            var partial: Float = 0
            var chunk = 0.0
            for i in 0..<tensor.entry.count {
                partial += values[i] * values[i]
                if i & 4095 == 4095 { chunk += Double(partial); partial = 0 }
            }
            sum += chunk + Double(partial)
            count += tensor.entry.count
        }
        return count == 0 ? 0 : (sum / Double(count)).squareRoot()
    }
}
