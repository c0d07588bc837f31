import ArgumentParser
import Foundation
import ZOCommandLine
import ZOEstimators
import ZOFormats
import ZOTensor
import ZOTraining

/// `zotune-bench --gradient-alignment`: how well each method's step points along the true gradient.
///
/// PyTorch backprop gives ∇L of the benchmark batch at the pretrained weights
/// (`reference_gradient.py`, the same GGUF and prompts); each method then takes `samples` steps from
/// those same weights (put back after each, η = 1 so that −Δθ is the method's estimate) on the same
/// batch, and the table gives the mean cosine between −Δθ and ∇L per step (± its standard error), the
/// cosine of the mean step (how far averaging many steps gets: the bias of the estimate), and the
/// squared mean cosine per forward pass spent, relative to MeZO's. For a dense direction over d weights the per-step cosine is
/// ≈ √(2/π)/√d (7e-5 at 135M): what any method must beat to converge faster per step.
struct GradientAlignmentBenchmark {
    static let defaultReferenceScript = "scripts/reference/reference_gradient.py"

    let modelOptions: ModelOptions
    let batch: Int
    let samples: Int
    let referenceScript: String?
    let report: BenchmarkReport

    func run() throws {
        BenchCommand.describeKernels()
        guard let referenceScript else {
            throw ValidationError("--gradient-alignment needs the PyTorch gradient (drop --no-reference).")
        }
        let settings = TrainingSettings()
        let batch = try BenchmarkBatch(modelOptions: modelOptions, size: self.batch, maxTokens: settings.maxTokens)
        batch.describe()
        let oracle = BenchmarkLossOracle(scorer: CandidateScorer(model: batch.model), objective: settings.objective,
                                         examples: batch.examples)
        let parameters = TrainableSet(arena: batch.model.weights)
        let size = oracle.scorer.forwardSize(batch.examples)
        parameters.setForwardSize(tokens: Double(size.tokens), scoredRows: Double(size.scoredRows))
        let loss = try oracle.loss()

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-gradient-\(UUID().uuidString).safetensors")
        defer { try? FileManager.default.removeItem(at: file) }
        guard let lines = try batch.runPyTorch(referenceScript, model: modelOptions.model, doing: "∇L by backprop",
                                               arguments: ["--output", file.path]),
              let line = lines.first(where: { $0["variant"] as? String == "reference_gradient" }) else {
            throw ValidationError("the PyTorch gradient could not be computed (see above)")
        }
        let gradient = try Self.flatGradient(file, parameters: parameters)
        let gradientNorm = gradient.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        print(String(format: "loss %.5f here, %.5f in PyTorch; ‖∇L‖ = %.4g over %d weights",
                     loss, PyTorchBenchmark.number(line, "loss") ?? .nan, gradientNorm, gradient.count))

        let start = flatValues(parameters)
        let methods: [(String, any ZerothOrderEstimator)] = [
            ("mezo", MeZO()),
            ("subzero", SubZero(configuration: .init(lowRankApply: .materialised))),
            ("subzero, r 1", SubZero(configuration: .init(rank: 1, lowRankApply: .materialised))),
            ("subzero, activ.", SubZero(configuration: .init(lowRankApply: .materialised, subspaceSource: .activations))),
            ("subzero, activ., r 1",
             SubZero(configuration: .init(rank: 1, lowRankApply: .materialised, subspaceSource: .activations))),
            ("pgap", PGAP(configuration: .init(lowRankApply: .materialised))),
            ("pgap, cosine 0.3", PGAP(configuration: .init(alignment: 0.3, alignmentMode: .cosine, lowRankApply: .materialised))),
            ("pgap, activ.", PGAP(configuration: .init(lowRankApply: .materialised, subspaceSource: .activations))),
            ("pgap, activ., cos 0.3", PGAP(configuration: .init(
                alignment: 0.3, alignmentMode: .cosine, lowRankApply: .materialised, subspaceSource: .activations))),
            ("fzoo", FZOO()),
            ("zo-muon", ZOMuon()),
        ]
        print("")
        print("cosine between −Δθ (η = 1) and ∇L, \(samples) steps from the pretrained weights on the same batch:")
        print(TextColumns.padded("method", 22) + TextColumns.padded("fwd/step", 10)
              + "mean cos ± s.e.        cos(mean step)   cos² per forward ÷ MeZO's")
        var mezoEfficiency: Double?
        for (name, estimator) in methods {
            let (cosines, meanCosine, passes) = try measure(estimator, parameters: parameters, oracle: oracle,
                                                            start: start, gradient: gradient, gradientNorm: gradientNorm)
            let mean = cosines.reduce(0, +) / Double(cosines.count)
            let spread = (cosines.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(1, cosines.count - 1))).squareRoot()
            let perStep = Double(passes) / Double(samples)
            report.record("\(name)/mean_cosine", mean)
            report.record("\(name)/cosine_of_mean", meanCosine)
            // With a tuned step size the loss decrease per step grows with cos²: cos² per forward pass is
            // what a budget of forward passes buys.
            let efficiency = mean * mean / perStep
            if name == "mezo" { mezoEfficiency = efficiency }
            print(TextColumns.padded(name, 22) + TextColumns.padded(String(format: "%.2f", perStep), 10)
                  + String(format: "%9.3e ± %8.2e   %9.3e        %6.2f", mean, spread / Double(cosines.count).squareRoot(),
                           meanCosine, efficiency / (mezoEfficiency ?? efficiency)))
        }
        print(String(format: "a dense Gaussian direction's expected |cosine|: √(2/π)/√d = %.2e", (2 / Double.pi).squareRoot() / Double(gradient.count).squareRoot()))
    }

    /// −Δθ's cosine with ∇L for each step from `start`, the cosine of the mean −Δθ, and the forward passes.
    private func measure(
        _ estimator: some ZerothOrderEstimator, parameters: TrainableSet, oracle: LossOracle, start: [Float],
        gradient: [Float], gradientNorm: Double
    ) throws -> (cosines: [Double], meanCosine: Double, passes: Int) {
        for tensor in estimator.anchorTensors(in: parameters) { parameters.setAnchor(tensor, values: parameters.pointer(tensor)) }
        var state = try estimator.makeState(for: parameters, runSeed: 17)
        var sum = [Double](repeating: 0, count: start.count)
        var cosines: [Double] = [], passes = 0
        for step in 0..<samples {
            Console.status("\(type(of: estimator).name): step \(step + 1)/\(samples)")
            let context = StepContext(step: step, totalSteps: 1_000_000, learningRate: 1, runSeed: 17)
            passes += try estimator.step(parameters, state: &state, context: context, oracle: oracle).forwardPasses
            let after = flatValues(parameters)
            var dot = 0.0, norm = 0.0
            for i in after.indices {
                let change = Double(start[i]) - Double(after[i])
                dot += change * Double(gradient[i])
                norm += change * change
                sum[i] += change
            }
            cosines.append(norm > 0 ? dot / (norm.squareRoot() * gradientNorm) : 0)
            setFlatValues(parameters, start)
        }
        for index in parameters.arena.deltas.keys { parameters.arena.setDelta(nil, for: index) }
        var dot = 0.0, norm = 0.0
        for i in sum.indices {
            dot += sum[i] * Double(gradient[i])
            norm += sum[i] * sum[i]
        }
        return (cosines, norm > 0 ? dot / (norm.squareRoot() * gradientNorm) : 0, passes)
    }

    /// The gradient file's tensors in trainable order (each checked against its arena shape).
    static func flatGradient(_ url: URL, parameters: TrainableSet) throws -> [Float] {
        let file = try SafetensorsFile(path: url.path)
        var flat: [Float] = []
        flat.reserveCapacity(parameters.parameterCount)
        for tensor in parameters.tensors {
            guard let stored = file.tensor(named: tensor.entry.name), stored.shape == tensor.entry.shape else {
                throw ValidationError("the PyTorch gradient has no tensor \(tensor.entry.name) of shape \(tensor.entry.shape)")
            }
            flat += try stored.floats()
        }
        return flat
    }

    private func flatValues(_ parameters: TrainableSet) -> [Float] {
        var values: [Float] = []
        values.reserveCapacity(parameters.parameterCount)
        for tensor in parameters.tensors {
            values += UnsafeBufferPointer(start: parameters.pointer(tensor), count: tensor.entry.count)
        }
        return values
    }

    private func setFlatValues(_ parameters: TrainableSet, _ values: [Float]) {
        var offset = 0
        values.withUnsafeBufferPointer { source in
            for tensor in parameters.tensors {
                parameters.pointer(tensor).update(from: source.baseAddress! + offset, count: tensor.entry.count)
                offset += tensor.entry.count
            }
        }
    }
}
