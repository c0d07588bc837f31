import Foundation
import ZOCommandLine
import ZOModels
import ZOTensor
import ZOTraining

/// `zotune-bench --scoring`: multiple-choice scoring (the forward of every training step and
/// evaluation on a task whose answers are several tokens) on the first `batch` copa-like training
/// examples, with each prompt run once and its answers as continuations (`SharedPromptSequence`),
/// against one sequence per answer — in ZOTune, and in PyTorch as MeZO's code does it
/// (`bench_scoring.py`, same weights and token ids). The three must give the same scores.
struct ScoringBenchmark {
    static let defaultReferenceScript = "scripts/reference/bench_scoring.py"
    static let task = "copa-like"

    let modelOptions: ModelOptions
    let batch: Int
    let repeats: Int
    /// PyTorch script; nil skips the comparison.
    let referenceScript: String?
    let report: BenchmarkReport

    /// What the PyTorch script reads: token ids, so that both sides score exactly the same sequences.
    struct IDLine: Encodable {
        let prompt: [Int]
        let candidates: [[Int]]
    }

    func run() throws {
        BenchCommand.warnAboutSlowKernel()
        let fixed = try BenchmarkBatch(modelOptions: modelOptions, size: batch, maxTokens: 256, task: Self.task)
        fixed.describe()
        let shared = CandidateScorer(model: fixed.model), separate = CandidateScorer(model: fixed.model, sharesPrompts: false)
        let sharedTokens = shared.forwardSize(fixed.examples).tokens, separateTokens = separate.forwardSize(fixed.examples).tokens
        var sharedScores: [[Float]] = [], separateScores: [[Float]] = []
        var sharedTimes: [Double] = [], separateTimes: [Double] = []
        // Round-robin, round 0 the warm-up: both layouts timed under the same machine load.
        for round in 0...repeats {
            let a = try secondsTaken { sharedScores = try shared.scores(fixed.examples) }
            let b = try secondsTaken { separateScores = try separate.scores(fixed.examples) }
            if round > 0 { sharedTimes.append(a); separateTimes.append(b) }
        }
        let sharing = Summary(sharedTimes), perAnswer = Summary(separateTimes)
        let disagreement = maxDifference(sharedScores, separateScores)
        print(String(format: "shared prompts:      %5d tokens  %.4f s (min %.4f, max %.4f)  %.1f examples/s",
                     sharedTokens, sharing.median, sharing.min, sharing.max, Double(fixed.examples.count) / sharing.median))
        print(String(format: "one seq. per answer: %5d tokens  %.4f s (min %.4f, max %.4f)  %.1f examples/s",
                     separateTokens, perAnswer.median, perAnswer.min, perAnswer.max, Double(fixed.examples.count) / perAnswer.median))
        print(String(format: "sharing: %.2f× faster; scores agree to %.1e", perAnswer.median / sharing.median, disagreement))
        report.record("scoring/shared_median_s", sharing.median)
        report.record("scoring/separate_median_s", perAnswer.median)
        report.record("scoring/shared_tokens", Double(sharedTokens))
        report.record("scoring/separate_tokens", Double(separateTokens))
        report.record("scoring/max_score_difference", Double(disagreement))

        guard let referenceScript else { return }
        let lines = fixed.examples.map { IDLine(prompt: $0.prompt, candidates: $0.candidates) }
        guard let result = try fixed.runPyTorch(
            referenceScript, model: modelOptions.model, doing: "the same scoring in PyTorch", input: ("--ids", lines),
            threads: BLAS.workerCount, arguments: ["--repeats", String(repeats)]
        )?.first, let median = PyTorchBenchmark.number(result, "median_s"),
              let scores = result["scores"] as? [[Double]] else { return }
        let torchDisagreement = maxDifference(sharedScores, scores.map { $0.map(Float.init) })
        print(String(format: "PyTorch (one padded sequence per answer, %d threads): %.4f s (min %.4f, max %.4f); scores agree to %.1e",
                     BLAS.workerCount, median, PyTorchBenchmark.number(result, "min_s") ?? .nan,
                     PyTorchBenchmark.number(result, "max_s") ?? .nan, torchDisagreement))
        print(String(format: "ZOTune (shared prompts) ÷ PyTorch: %.2f× faster; ZOTune (one sequence per answer): %.2f×",
                     median / sharing.median, median / perAnswer.median))
        report.record("scoring/torch_median_s", median)
        report.record("scoring/torch_max_score_difference", Double(torchDisagreement))
    }

    private func maxDifference(_ a: [[Float]], _ b: [[Float]]) -> Float {
        zip(a, b).flatMap { zip($0, $1).map { abs($0 - $1) } }.max() ?? .nan
    }
}
