import ZORandom

/// MeZO (Malladi et al. 2023): two-point SPSA with a dense Gaussian direction over every trainable
/// tensor, regenerated from its seed in each of three fused sweeps (θ += εz; θ −= 2εz;
/// θ += (ε − ηg)z), and n-SPSA averaging over q directions (2q forward passes).
///
/// A non-finite loss restores the weights (θ += εz after the −2εz sweep: equal to the pre-step
/// weights up to ≈ 1 ulp of rounding, not bit for bit), records `skipped = true` and applies no
/// update. Replay reproduces those sweeps, so the seed log still rebuilds the arena byte for byte.
public struct MeZO: ConfigurableEstimator {
    public struct Configuration: EstimatorConfiguration {
        /// ε, the perturbation scale. `--epsilon`; default 1e-3 (MeZO's full-parameter setting).
        public var epsilon: Float
        /// q, directions averaged per step (n-SPSA; 2q forward passes). `--directions`; default 1.
        public var directions: Int
        /// λ, decoupled from the estimate: θ ← θ − η(g·z + λθ), on `.matrix` and `.embedding` tensors
        /// only (never norms or biases). `--weight-decay`; default 0.
        public var weightDecay: Float

        public init(epsilon: Float = 1e-3, directions: Int = 1, weightDecay: Float = 0) {
            self.epsilon = epsilon
            self.directions = directions
            self.weightDecay = weightDecay
        }

        public static var defaults: Configuration { Configuration() }

        public static let settings: [MethodSetting<Configuration>] = [
            MethodSetting("epsilon", \.epsilon, .positive, help: "Perturbation scale ε (default 1e-3)."),
            MethodSetting("directions", \.directions, .count, help: "Directions averaged per step, n-SPSA (default 1)."),
            MethodSetting("weightDecay", \.weightDecay, .nonNegative, help: "Weight decay λ on matrices and embeddings (default 0)."),
        ]

        public static let formerNames = ["perturbationScale": "epsilon"]
    }

    /// MeZO needs nothing between steps but a count of skipped steps (for reports).
    public struct State: Codable, Sendable, Equatable {
        public var skippedSteps: Int = 0
        public init() {}
    }

    public static let name = "mezo"
    public static let summary = "dense Gaussian SPSA (Malladi et al. 2023)"

    public var configuration: Configuration
    /// How sweeps use the cores (not part of the run's identity: results do not depend on it).
    public var engine: PerturbationEngine

    public init(configuration: Configuration) { self.init(configuration: configuration, engine: PerturbationEngine()) }

    public init(configuration: Configuration = .defaults, engine: PerturbationEngine = PerturbationEngine()) {
        self.configuration = configuration
        self.engine = engine
    }

    public func makeState(for parameters: TrainableSet, runSeed: UInt64) throws -> State {
        try configuration.validate()
        return State()
    }

    /// Direction j of step s: seed = derive(runSeed, .direction, s, j).
    public static func directionSeed(runSeed: UInt64, step: Int, direction: Int) -> UInt64 {
        SeedDerivation.derive(runSeed, .direction, step, direction)
    }

    public func step(
        _ parameters: TrainableSet, state: inout State, context: StepContext, oracle: LossOracle
    ) throws -> StepOutcome {
        let epsilon = configuration.epsilon
        var record = StepRecord(step: context.step, learningRate: context.learningRate)
        let count = configuration.directions
        var local = [[Float]](repeating: [], count: count)
        for direction in 0..<count {
            let seed = Self.directionSeed(runSeed: context.runSeed, step: context.step, direction: direction)
            record.seeds.append(seed)
            if oracle.evaluates(direction: direction, of: count) {
                let (plus, minus) = try TwoPointProtocol.evaluate(epsilon: epsilon, oracle: oracle) {
                    perturb(parameters, seed: seed, coefficient: $0)
                }
                local[direction] = [plus, minus]
            } else {
                // Another process evaluates it: the same sweeps without the forward passes.
                TwoPointProtocol.replayEvaluation(epsilon: epsilon) { perturb(parameters, seed: seed, coefficient: $0) }
            }
            if direction < count - 1 {
                perturb(parameters, seed: seed, coefficient: epsilon)
            }
        }
        let pairs = try oracle.gatherDirectionLosses(local, perDirection: 2)
        let losses = pairs.flatMap { $0 }
        let gradients = pairs.map { TwoPointProtocol.projectedGradient(plus: $0[0], minus: $0[1], epsilon: epsilon) }
        guard gradients.allSatisfy({ $0 != nil }) else {
            // A non-finite loss: no update (the trainer restores the exact weights from before the step).
            perturb(parameters, seed: record.seeds[count - 1], coefficient: epsilon)
            record.gradients = Array(repeating: 0, count: count)
            record.skipped = true
            state.skippedSteps += 1
            return StepOutcome(loss: mean(losses), forwardPasses: losses.count, record: record)
        }
        record.gradients = gradients.map { $0! }
        update(parameters, seeds: record.seeds, gradients: record.gradients, learningRate: context.learningRate)
        return StepOutcome(loss: mean(losses), forwardPasses: losses.count, record: record)
    }

    public func replay(_ record: StepRecord, parameters: TrainableSet, state: inout State, context: StepContext) throws {
        let epsilon = configuration.epsilon
        guard record.gradients.count == record.seeds.count, !record.seeds.isEmpty else {
            throw EstimatorError.recordMismatch("step \(record.step): \(record.seeds.count) seeds, \(record.gradients.count) gradients")
        }
        for (index, seed) in record.seeds.enumerated() {
            TwoPointProtocol.replayEvaluation(epsilon: epsilon) { perturb(parameters, seed: seed, coefficient: $0) }
            if record.skipped || index < record.seeds.count - 1 {
                perturb(parameters, seed: seed, coefficient: epsilon)
            }
        }
        if record.skipped {
            state.skippedSteps += 1
        } else {
            update(parameters, seeds: record.seeds, gradients: record.gradients, learningRate: record.learningRate)
        }
    }

    func perturb(_ parameters: TrainableSet, seed: UInt64, coefficient: Float) {
        engine.apply(DenseSweep(seed: seed, coefficient: coefficient), to: parameters.tensors, in: parameters)
    }

    /// One sweep: restore the last direction and apply θ −= (η/q)·Σ_j g_j z_j (− ηλθ by role). The
    /// last direction comes first in the sum, then the earlier ones in order.
    func update(_ parameters: TrainableSet, seeds: [UInt64], gradients: [Float], learningRate: Float) {
        let q = Float(seeds.count)
        let order = [seeds.count - 1] + Array(0..<(seeds.count - 1))
        var plain: [Float] = [], decayed: [Float] = []
        var factor: Float = 1
        for (position, direction) in order.enumerated() {
            let coefficients = UpdateCoefficients(
                restore: position == 0 ? configuration.epsilon : 0, learningRate: learningRate,
                gradient: gradients[direction] / q, weightDecay: configuration.weightDecay)
            plain.append(coefficients.plain)
            decayed.append(position == 0 ? coefficients.decayed : coefficients.plain)
            factor = coefficients.decayFactor
        }
        let sweep = DenseSweep(
            seeds: order.map { seeds[$0] }, coefficients: plain,
            decay: factor != 1 ? WeightDecay(factor: factor, coefficients: decayed) : nil)
        engine.apply(sweep, to: parameters.tensors, in: parameters)
    }
}

func mean(_ values: [Float]) -> Float {
    values.isEmpty ? .nan : values.reduce(0, +) / Float(values.count)
}
