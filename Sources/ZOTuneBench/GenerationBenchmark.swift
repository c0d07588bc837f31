import Foundation
import ZOCommandLine
import ZOModels
import ZOTensor
import ZOTraining

/// `zotune-bench --generate`: greedy decoding speed in new tokens per second — with the key/value
/// cache, without it (every step re-runs whole sequences), and transformers' `generate`
/// (`bench_generate.py`, same weights, same prompts, its own cache) as a ratio — and whether both
/// sides chose the same tokens.
struct GenerationBenchmark {
    static let defaultReferenceScript = "scripts/reference/bench_generate.py"

    let modelOptions: ModelOptions
    let batch: Int
    let newTokens: Int
    let repeats: Int
    let referenceScript: String?
    let report: BenchmarkReport

    func run() throws {
        BenchCommand.describeKernels()
        let data = try BenchmarkBatch(modelOptions: modelOptions, size: batch, maxTokens: TrainingSettings().maxTokens)
        // One length for all, so that transformers needs no padding (which would change its positions).
        let length = data.examples.map(\.prompt.count).min() ?? 0
        let prompts = data.examples.map { Array($0.prompt.prefix(length)) }
        print("prompts: the first \(prompts.count) \(data.taskName) training prompts cut to \(length) tokens; "
              + "\(newTokens) new tokens each, greedy, no stop token")
        let total = Double(prompts.count * newTokens)

        var cached: [[Int]] = [], uncached: [[Int]] = []
        var cachedSeconds: [Double] = [], uncachedSeconds: [Double] = []
        for repeat_ in 0...repeats {
            Console.status("zotune generate: run \(repeat_ + 1)/\(repeats + 1)")
            let withCache = try secondsTaken {
                cached = try GreedyDecoding.continuations(of: prompts, model: data.model, maxNewTokens: newTokens)
            }
            let withoutCache = try secondsTaken {
                uncached = try GreedyDecoding.continuations(of: prompts, model: data.model, maxNewTokens: newTokens, usesCache: false)
            }
            // The first run warms up.
            if repeat_ > 0 { cachedSeconds.append(withCache); uncachedSeconds.append(withoutCache) }
        }
        let withCache = Summary(cachedSeconds), withoutCache = Summary(uncachedSeconds)
        report.record("generate_cached_tokens_per_s", total / withCache.median)
        report.record("generate_uncached_tokens_per_s", total / withoutCache.median)
        print(String(format: "zotune, key/value cache:       %.3f s median (min %.3f) = %.1f new tokens/s", withCache.median,
                     withCache.min, total / withCache.median))
        print(String(format: "zotune, no cache:              %.3f s median (min %.3f) = %.1f new tokens/s → the cache %.2f× faster",
                     withoutCache.median, withoutCache.min, total / withoutCache.median, withoutCache.median / withCache.median))
        print("continuations with and without the cache identical: \(agreement(cached, uncached))")

        guard let referenceScript,
              let lines = try data.runPyTorch(referenceScript, model: modelOptions.model, doing: "greedy generate",
                                              input: ("--prompts", prompts), threads: BLAS.workerCount,
                                              arguments: ["--new-tokens", String(newTokens), "--repeats", String(repeats)]),
              let line = lines.first(where: { $0["variant"] as? String == "generate" }),
              let seconds = PyTorchBenchmark.number(line, "median_s") else { return }
        let theirs = (line["generated"] as? [[Int]]) ?? []
        report.record("generate_speedup_vs_pytorch", seconds / withCache.median)
        print(String(format: "transformers generate (cache):  %.3f s median = %.1f new tokens/s (transformers %@, torch %@)",
                     seconds, total / seconds, line["transformers"] as? String ?? "?", line["torch"] as? String ?? "?"))
        print(String(format: "→ zotune with its cache: %.2f× transformers' tokens/s", seconds / withCache.median))
        print("continuations identical to transformers': \(agreement(cached, theirs))")
    }

    /// "k of n", and for the others the first position that differs.
    private func agreement(_ ours: [[Int]], _ theirs: [[Int]]) -> String {
        let differing = ours.indices.filter { $0 >= theirs.count || ours[$0] != theirs[$0] }
        let firsts = differing.map { s in
            s < theirs.count ? zip(ours[s], theirs[s]).prefix { $0 == $1 }.count : 0
        }
        return "\(ours.count - differing.count) of \(ours.count)"
            + (differing.isEmpty ? "" : " (the others first differ at new token \(firsts.map(String.init).joined(separator: ", ")))")
    }
}
