import Foundation
import ZOCommandLine
import ZOEstimators
import ZOTraining

/// Shows training on stderr: on a terminal a redrawn status line (step, loss, steps/s, ETA), in logs
/// a plain line every few percent; evaluations and checkpoints as lines of their own.
final class ConsoleTrainingObserver: TrainingObserver {
    private let interactive = Console.standardErrorIsTerminal
    private var smoothedLoss: Float?
    private var evaluation: ProgressReporter?
    private var lastPlainStep = -1
    private var recentSeconds: [Double] = []

    func evaluationDidStart(split: String, examples: Int) {
        evaluation = ProgressReporter(total: examples, unit: "examples")
        Console.status("evaluating \(split): \(examples) examples")
    }

    func evaluationDidProgress(examples: Int) { evaluation?.advance(by: examples) }

    func evaluationDidFinish(split: String, result: Evaluation) {
        evaluation?.finish()
        evaluation = nil
        Console.status("  \(split) \(Self.scores(result))  " + String(format: "loss %.4f", result.loss))
    }

    func zeroShotEvaluationsWereReused(dev: Evaluation, test: Evaluation) {
        Console.status("zero-shot (reused: same weights, examples and build): dev \(Self.scores(dev)), test \(Self.scores(test))")
    }

    /// "accuracy 0.8120", or for a generation task "F1 0.4512  exact match 0.3800".
    static func scores(_ result: Evaluation) -> String {
        if let f1 = result.f1 { return String(format: "F1 %.4f  exact match %.4f", f1, result.accuracy) }
        return String(format: "accuracy %.4f", result.accuracy)
    }

    func stepDidFinish(step: Int, totalSteps: Int, outcome: StepOutcome, learningRate: Float, secondsPerStep: Double) {
        if outcome.loss.isFinite { smoothedLoss = smoothedLoss.map { 0.95 * $0 + 0.05 * outcome.loss } ?? outcome.loss }
        recentSeconds.append(secondsPerStep)
        if recentSeconds.count > 20 { recentSeconds.removeFirst() }
        let perStep = recentSeconds.reduce(0, +) / Double(recentSeconds.count)
        let done = step + 1
        let eta = ProgressReporter.duration(perStep * Double(totalSteps - done))
        let skipped = outcome.record.skipped ? "  (step skipped: non-finite loss, weights restored)" : ""
        let line = String(format: "step %d/%d  loss %.4f  %.2f steps/s  ETA %@%@", done, totalSteps,
                          smoothedLoss ?? .nan, 1 / perStep, eta, skipped)
        if interactive {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
            if done == totalSteps || !skipped.isEmpty { FileHandle.standardError.write(Data("\n".utf8)) }
        } else if done == totalSteps || done == 1 || !skipped.isEmpty || done * 20 / totalSteps != lastPlainStep * 20 / totalSteps {
            Console.status(line)
        }
        lastPlainStep = done
    }

    func notice(_ message: String) { Console.status(message) }

    func checkpointDidSave(step: Int, best: Bool) {
        if interactive { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
        Console.status(best ? "  new best dev score at step \(step): saved checkpoints/best" : "  checkpoint at step \(step)")
    }
}
