import Foundation
import ZOCommandLine
import ZOEstimators
import ZOModels
import ZORandom
import ZOTasks
import ZOTensor
import ZOTraining

/// `zotune-bench --training-step`: seconds per training step of every estimator with its default
/// configuration, on one fixed batch (the first `batch` rt-sentiment training examples, MeZO-protocol
/// splits, data seed 0), side by side with the official MeZO step in PyTorch on the same weights and
/// batch (`bench_mezo_step.py`).
///
/// Steps whose cost recurs only every few steps are timed separately and amortised:
/// SubZero's basis refresh (every T0 steps), DiZO's projection phase (every κ steps) and P-GAP's
/// window start (probes + SVD, every k steps): amortised = (one special step + (n − 1) steady
/// steps)/n. The measurements run round-robin (one of each per round; round 0 is the warm-up), so
/// that the ratios compare steps taken under the same machine load.
struct TrainingStepBenchmark {
    static let defaultReferenceScript = "scripts/reference/bench_mezo_step.py"
    /// Far beyond any step index used here: schedules (P-GAP's δ) stay at their start values.
    static let totalSteps = 1_000_000

    let modelOptions: ModelOptions
    let batch: Int
    let repeats: Int
    /// PyTorch script; nil skips the comparison.
    let referenceScript: String?
    let report: BenchmarkReport

    /// One timed quantity: `body(round)` runs it once and returns (seconds, forward passes).
    final class Measurement {
        let method: String
        let phase: String
        let body: (Int) throws -> (seconds: Double, forwardPasses: Int)
        var times: [Double] = []
        var forwardPasses = 0

        init(_ method: String, _ phase: String, _ body: @escaping (Int) throws -> (seconds: Double, forwardPasses: Int)) {
            self.method = method
            self.phase = phase
            self.body = body
        }

        var summary: Summary { Summary(times) }
    }

    /// An estimator and its state, stepped at chosen step indices. Steppers share one arena, so each
    /// keeps its own low-rank deltas (factored tensors) parked between its steps, outside the timing.
    final class Stepper<Estimator: ZerothOrderEstimator> {
        let estimator: Estimator
        var state: Estimator.State
        private var parkedDeltas: [Int: LowRankDelta] = [:]
        let parameters: TrainableSet
        let oracle: LossOracle
        let learningRate: Float
        let runSeed: UInt64

        init(_ estimator: Estimator, parameters: TrainableSet, oracle: LossOracle, learningRate: Float, runSeed: UInt64) throws {
            self.estimator = estimator
            self.parameters = parameters
            self.oracle = oracle
            self.learningRate = learningRate
            self.runSeed = runSeed
            for tensor in estimator.anchorTensors(in: parameters) where parameters.anchor(tensor) == nil {
                parameters.setAnchor(tensor, values: parameters.pointer(tensor))
            }
            state = try estimator.makeState(for: parameters, runSeed: runSeed)
        }

        func step(_ step: Int) throws -> (seconds: Double, forwardPasses: Int) {
            let context = StepContext(
                step: step, totalSteps: TrainingStepBenchmark.totalSteps, learningRate: learningRate, runSeed: runSeed)
            var passes = 0
            let arena = parameters.arena
            for (index, delta) in parkedDeltas { arena.setDelta(delta, for: index) }
            let seconds = try secondsTaken {
                passes = try estimator.step(parameters, state: &state, context: context, oracle: oracle).forwardPasses
            }
            parkedDeltas = arena.deltas
            for index in parkedDeltas.keys { arena.setDelta(nil, for: index) }
            return (seconds, passes)
        }
    }

    func run() throws {
        BenchCommand.describeKernels()
        let settings = TrainingSettings()
        let batch = try BenchmarkBatch(modelOptions: modelOptions, size: self.batch, maxTokens: settings.maxTokens)
        batch.describe()
        let (model, examples) = (batch.model, batch.examples)

        let oracle = BenchmarkLossOracle(scorer: CandidateScorer(model: model), objective: settings.objective, examples: examples)
        let initialLoss = try oracle.loss()
        let parameters = TrainableSet(arena: model.weights)
        let size = oracle.scorer.forwardSize(examples)
        parameters.setForwardSize(tokens: Double(size.tokens), scoredRows: Double(size.scoredRows))
        print(String(format: "%.1fM trainable parameters (all roles); η %g, objective %@, loss at the pretrained weights %.5f",
                     Double(parameters.parameterCount) / 1e6, settings.learningRate, settings.objective.rawValue, initialLoss))

        let measurements = try makeMeasurements(parameters: parameters, oracle: oracle, learningRate: settings.learningRate,
                                                runSeed: settings.seed)
        for round in 0...repeats {
            Console.status(round == 0 ? "warm-up round" : "round \(round)/\(repeats)")
            for measurement in measurements {
                let (seconds, passes) = try measurement.body(round)
                if round > 0 { measurement.times.append(seconds) }
                measurement.forwardPasses = passes
            }
        }
        let zotunePeak = System.peakResidentBytes
        report.record("zotune_peak_rss_bytes", Double(zotunePeak))
        report(measurements)
        if let referenceScript {
            try compareWithPyTorch(script: referenceScript, batch: batch, ours: measurements, initialLoss: initialLoss,
                                   learningRate: settings.learningRate)
        }
        print("peak RSS (zotune process, after loading and all steps): \(Abbreviated.bytes(zotunePeak))")
    }

    // MARK: Measurements

    private var subzero: SubZero.Configuration { SubZero().configuration }
    private var dizo: DiZO.Configuration { DiZO().configuration }
    private var pgap: PGAP.Configuration { PGAP().configuration }
    private var fzoo: FZOO.Configuration { FZOO().configuration }
    private var zoMuon: ZOMuon.Configuration { ZOMuon().configuration }

    private func makeMeasurements(
        parameters: TrainableSet, oracle: BenchmarkLossOracle, learningRate: Float, runSeed: UInt64
    ) throws -> [Measurement] {
        func stepper<E: ZerothOrderEstimator>(_ estimator: E) throws -> Stepper<E> {
            try Stepper(estimator, parameters: parameters, oracle: oracle, learningRate: learningRate, runSeed: runSeed)
        }
        let engine = PerturbationEngine()
        let epsilon = MeZO.Configuration().epsilon
        let mezo = try stepper(MeZO())
        let subzero = try stepper(SubZero())
        let dizo = try stepper(DiZO())
        let pgap = try stepper(PGAP())
        let fzoo = try stepper(FZOO())
        let zoMuon = try stepper(ZOMuon())
        // P-GAP with each application forced, stepped inside window 0 after an untimed window start.
        var forced = [(LowRankApplication, Stepper<PGAP>)]()
        for application in [LowRankApplication.materialised, .factored] {
            var configuration = self.pgap
            configuration.lowRankApply = application
            let variant = try stepper(PGAP(configuration: configuration))
            _ = try variant.step(0)
            forced.append((application, variant))
        }
        let (t0, kappa, k, w) = (self.subzero.window, self.dizo.projectionInterval, self.pgap.window, self.zoMuon.window)
        return [
            Measurement("forward", "loss of the batch") { _ in
                (try secondsTaken { _ = try oracle.loss() }, 1)
            },
            Measurement("sweep", "θ += c·z, all parameters") { round in
                // A +c and a −c sweep (weights unchanged up to rounding); reports one.
                let seed = SeedDerivation.derive(runSeed, .direction, TrainingStepBenchmark.totalSteps + round, 0)
                let seconds = secondsTaken {
                    engine.apply(DenseSweep(seed: seed, coefficient: epsilon), to: parameters.tensors, in: parameters)
                    engine.apply(DenseSweep(seed: seed, coefficient: -epsilon), to: parameters.tensors, in: parameters)
                }
                return (seconds / 2, 0)
            },
            Measurement(MeZO.name, "step") { try mezo.step($0) },
            Measurement(SubZero.name, "window start (new bases)") { try subzero.step($0 * t0) },
            Measurement(SubZero.name, "steady step") { try subzero.step($0 * t0 + 1) },
            Measurement(DiZO.name, "ordinary step") { try dizo.step($0 * kappa) },
            Measurement(DiZO.name, "projection step") { try dizo.step($0 * kappa + kappa - 1) },
            Measurement(PGAP.name, "window start (probes + SVD)") { try pgap.step($0 * k) },
            Measurement(PGAP.name, "steady step") { try pgap.step($0 * k + 1) },
            Measurement(FZOO.name, "step (N = \(self.fzoo.directions) probes + base)") { try fzoo.step($0) },
            Measurement(ZOMuon.name, "window start (new projections)") { try zoMuon.step($0 * w) },
            Measurement(ZOMuon.name, "steady step") { try zoMuon.step($0 * w + 1) },
        ] + forced.map { application, variant in
            Measurement(PGAP.name, "steady step, \(application.rawValue)") { try variant.step(1 + $0 % (k - 1)) }
        }
    }

    // MARK: Report

    private func row(_ method: String, _ phase: String, passes: String, _ s: Summary, mezo: Summary?) -> String {
        var line = TextColumns.padded(method, 9) + TextColumns.padded(phase, 38) + TextColumns.padded(passes, 5)
        line += String(format: "%8.3f %8.3f %8.3f", s.median, s.min, s.max)
        if let mezo { line += String(format: "   %6.3f× %6.3f×", s.median / mezo.median, s.min / mezo.min) }
        return line
    }

    /// (special + (n − 1)·steady)/n for min, median and max alike.
    private func amortised(_ special: Summary, _ steady: Summary, over n: Int) -> Summary {
        let f = { (a: Double, b: Double) in (a + Double(n - 1) * b) / Double(n) }
        return Summary([f(special.min, steady.min), f(special.median, steady.median), f(special.max, steady.max)])
    }

    private func report(_ m: [Measurement]) {
        let byName = Dictionary(uniqueKeysWithValues: m.map { ("\($0.method)/\($0.phase)", $0) })
        let mezo = byName["\(MeZO.name)/step"]!.summary
        print("")
        print("seconds per step, \(repeats) rounds after a warm-up round (measurements interleaved round by round):")
        print(TextColumns.padded("method", 9) + TextColumns.padded("phase", 38) + TextColumns.padded("fwd", 5)
              + "  median      min      max   ÷ MeZO (median, best)")
        for measurement in m {
            report.record("\(measurement.method)/\(measurement.phase)/median_s", measurement.summary.median)
            let isStep = measurement.method != "forward" && measurement.method != "sweep"
            print(row(measurement.method, measurement.phase, passes: "\(measurement.forwardPasses)", measurement.summary,
                      mezo: isStep ? mezo : nil))
        }
        let amortisedRows: [(String, String, String, String, Int)] = [
            (SubZero.name, "window start", "steady step", "amortised over T0 = \(subzero.window)", subzero.window),
            (DiZO.name, "projection step", "ordinary step", "amortised over κ = \(dizo.projectionInterval)", dizo.projectionInterval),
            (PGAP.name, "window start", "steady step", "amortised over k = \(pgap.window)", pgap.window),
            (ZOMuon.name, "window start", "steady step", "amortised over \(zoMuon.window) steps", zoMuon.window),
        ]
        print("amortised (one special step + (n − 1) steady steps)/n:")
        for (method, specialPrefix, steadyPhase, label, n) in amortisedRows {
            guard let special = m.first(where: { $0.method == method && $0.phase.hasPrefix(specialPrefix) }),
                  let steady = byName["\(method)/\(steadyPhase)"] else { continue }
            let passes = Double(special.forwardPasses + (n - 1) * steady.forwardPasses) / Double(n)
            let s = amortised(special.summary, steady.summary, over: n)
            report.record("\(method)/amortised/median_s", s.median)
            report.record("\(method)/amortised/ratio_to_mezo", s.median / mezo.median)
            print(row(method, label, passes: String(format: "%.2f", passes), s, mezo: mezo)
                  + ((method == SubZero.name || method == PGAP.name)
                     ? (s.median / mezo.median <= 1.10 ? "  (target ≤ 1.10×: met)" : "  (target ≤ 1.10×: not met)") : ""))
        }
        print(String(format: "pgap rank %d, %d probes; subzero rank %d; zo-muon rank %d; dizo %d projection iterations on %@",
                     pgap.rank, pgap.probes, subzero.rank, zoMuon.rank, dizo.projectionIterations,
                     dizo.projectedSetDescription))
        // Methods differ in forward passes per step: what a study's equal budget compares is the cost per pass.
        let perPass = mezo.median / 2
        print("seconds per forward pass of a step (the study's budget unit), ÷ MeZO's:")
        for measurement in m where measurement.method == FZOO.name || measurement.method == MeZO.name {
            let s = measurement.summary.median / Double(max(1, measurement.forwardPasses))
            report.record("\(measurement.method)/per_forward_s", s)
            // FZOO has no recurring special step: its step is its amortised step (the study report's idle time).
            if measurement.method == FZOO.name { report.record("\(FZOO.name)/amortised/ratio_to_mezo", measurement.summary.median / mezo.median) }
            print(TextColumns.padded(measurement.method, 9) + String(format: "%8.3f s   %6.3f×", s, s / perPass))
        }
    }

    private func compareWithPyTorch(
        script: String, batch: BenchmarkBatch, ours: [Measurement], initialLoss: Float, learningRate: Float
    ) throws {
        guard let lines = try batch.runPyTorch(
            script, model: modelOptions.model, doing: "PyTorch MeZO step, \(repeats) repeats after a warm-up step",
            arguments: ["--repeats", String(repeats), "--eps", "\(MeZO.Configuration().epsilon)", "--lr", "\(learningRate)"]),
              let object = lines.first(where: { $0["variant"] as? String == "mezo_step" }),
              let median = PyTorchBenchmark.number(object, "median_s"),
              let best = PyTorchBenchmark.number(object, "min_s"),
              let worst = PyTorchBenchmark.number(object, "max_s")
        else { return }
        let mezo = ours.first { $0.method == MeZO.name }!.summary
        let forward = ours.first { $0.method == "forward" }!.summary
        let sweep = ours.first { $0.method == "sweep" }!.summary
        print("")
        print(String(format: "PyTorch MeZO step (eager fp32, full logits, 4 torch.normal sweeps): %.3f s median (min %.3f, max %.3f)",
                     median, best, worst))
        if let f = PyTorchBenchmark.number(object, "forward_median_s"), let s = PyTorchBenchmark.number(object, "sweep_median_s") {
            print(String(format: "  breakdown (medians): forward %.3f s × 2, sweep %.3f s × 4; zotune: forward %.3f s × 2, sweep %.3f s × 3",
                         f, s, forward.median, sweep.median))
        }
        let ratio = median / mezo.median
        report.record("pytorch_mezo_step_median_s", median)
        report.record("mezo_speedup_vs_pytorch", ratio)
        print(String(format: "→ zotune MeZO step %.2f× faster (median), %.2f× (best) — target ≥ 5×: %@",
                     ratio, best / mezo.min, ratio >= 5 ? "met" : "not met"))
        let theirLoss = PyTorchBenchmark.number(object, "loss0")
        let theirTokens = PyTorchBenchmark.number(object, "prompt_tokens").map(Int.init)
        print(String(format: "same batch check: loss at the pretrained weights zotune %.5f, PyTorch %@; prompt tokens zotune %d, PyTorch %@ (padded to %@)",
                     initialLoss, theirLoss.map { String(format: "%.5f", $0) } ?? "?", batch.promptTokens,
                     theirTokens.map(String.init) ?? "?",
                     PyTorchBenchmark.number(object, "padded_tokens").map { String(Int($0)) } ?? "?"))
        if let rss = PyTorchBenchmark.number(object, "peak_rss_bytes") {
            report.record("pytorch_mezo_peak_rss_bytes", rss)
            print("peak RSS (PyTorch process): \(Abbreviated.bytes(Int(rss)))")
        }
    }
}
