import ZORandom

/// FZOO (Dang et al. 2025, "FZOO: Fast Zeroth-Order Optimizer"): N one-sided Rademacher probes
/// against the unperturbed loss, the step normalised by the spread of the N losses:
///
///     l₀ = L(θ);  lᵢ = L(θ + ε·zᵢ), zᵢ ∈ {−1, +1}^d,  i = 1…N
///     σ = population standard deviation of l₁…l_N
///     θ ← θ − η · Σᵢ (lᵢ − l₀)/(N·σ) · zᵢ
///
/// as the authors' code applies it (no division by ε: σ already carries ε's scale, so the step is a
/// normalised direction whose size η sets alone — learning rates are not MeZO's). N + 1 forward
/// passes per step. The sweeps are fused: moving from θ + εz_{i−1} to θ + εz_i is one pass, and
/// restoring the last probe is folded into the update pass, so a step makes N + 1 passes over
/// the weights.
///
/// A non-finite loss, or σ at rounding level (every probe scored alike: no direction to prefer), restores the
/// weights and records `skipped = true`; a non-finite l₀ skips before any probe (no sweep at all).
public struct FZOO: ConfigurableEstimator {
    public struct Configuration: EstimatorConfiguration {
        /// ε, the perturbation scale. `--epsilon`; default 1e-3 (the authors' default).
        public var epsilon: Float
        /// N, one-sided probes per step (N + 1 forward passes). `--directions`; default 8.
        public var directions: Int

        public init(epsilon: Float = 1e-3, directions: Int = 8) {
            self.epsilon = epsilon
            self.directions = directions
        }

        public static var defaults: Configuration { Configuration() }

        public static let settings: [MethodSetting<Configuration>] = [
            MethodSetting("epsilon", \.epsilon, .positive, help: "Perturbation scale ε (default 1e-3)."),
            MethodSetting("directions", \.directions, .within(2...SettingRange<Int>.countLimit),
                          help: "Rademacher probes N per step, N + 1 forward passes; at least 2, their losses' spread normalises the step (default 8)."),
        ]
    }

    /// FZOO keeps nothing between steps but a count of skipped steps (for reports).
    public struct State: Codable, Sendable, Equatable {
        public var skippedSteps: Int = 0
        public init() {}
    }

    public static let name = "fzoo"
    public static let typicalLearningRate: Float = 1e-3
    public static let summary = "N one-sided Rademacher probes, step normalised by the losses' spread (Dang et al. 2025)"

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

    /// Probe i of step s: seed = derive(runSeed, .direction, s, i) (a Rademacher stream, so never
    /// the same numbers as MeZO's Gaussian direction of the same seed).
    public static func directionSeed(runSeed: UInt64, step: Int, direction: Int) -> UInt64 {
        SeedDerivation.derive(runSeed, .direction, step, direction)
    }

    public func step(
        _ parameters: TrainableSet, state: inout State, context: StepContext, oracle: LossOracle
    ) throws -> StepOutcome {
        var record = StepRecord(step: context.step, learningRate: context.learningRate)
        let seeds = (0..<configuration.directions).map {
            Self.directionSeed(runSeed: context.runSeed, step: context.step, direction: $0)
        }
        let measured = try OneSidedProbes.evaluate(
            count: seeds.count, oracle: oracle, walk: { move(parameters, seeds: seeds, toProbe: $0) },
            undo: { perturb(parameters, DenseSweep(seed: seeds[$0], coefficient: -configuration.epsilon, kind: .rademacher)) })
        let base = measured.base
        guard base.isFinite else {
            if measured.walked { finish(parameters, seeds: seeds, gradients: nil, learningRate: context.learningRate) }
            record.skipped = true
            state.skippedSteps += 1
            return StepOutcome(loss: base, forwardPasses: measured.forwardPasses, record: record)
        }
        record.seeds = seeds
        let losses = measured.probes
        let outcome = { (record: StepRecord) in StepOutcome(loss: mean(losses), forwardPasses: losses.count + 1, record: record) }
        guard let gradients = Self.normalisedDifferences(losses: losses, base: base) else {
            record.gradients = Array(repeating: 0, count: record.seeds.count)
            record.skipped = true
            state.skippedSteps += 1
            finish(parameters, seeds: record.seeds, gradients: nil, learningRate: context.learningRate)
            return outcome(record)
        }
        record.gradients = gradients
        finish(parameters, seeds: record.seeds, gradients: gradients, learningRate: context.learningRate)
        return outcome(record)
    }

    public func replay(_ record: StepRecord, parameters: TrainableSet, state: inout State, context: StepContext) throws {
        if record.seeds.isEmpty {
            guard record.skipped else { throw EstimatorError.recordMismatch("step \(record.step): no probes but not skipped") }
            state.skippedSteps += 1
            return
        }
        guard record.gradients.count == record.seeds.count else {
            throw EstimatorError.recordMismatch("step \(record.step): \(record.seeds.count) seeds, \(record.gradients.count) gradients")
        }
        for probe in record.seeds.indices { move(parameters, seeds: record.seeds, toProbe: probe) }
        if record.skipped { state.skippedSteps += 1 }
        finish(parameters, seeds: record.seeds, gradients: record.skipped ? nil : record.gradients, learningRate: record.learningRate)
    }

    /// gᵢ = (lᵢ − l₀)/(N·σ), σ the population standard deviation of the lᵢ; nil when a loss is not
    /// finite, or σ is at the losses' rounding level (≤ 1e-6·max(|l₀|, 1): the probes cannot be told
    /// apart, and dividing by that noise would make a huge step), or the quotients overflow.
    public static func normalisedDifferences(losses: [Float], base: Float) -> [Float]? {
        guard losses.count >= 2, base.isFinite, losses.allSatisfy(\.isFinite) else { return nil }
        let values = losses.map(Double.init)
        let average = values.reduce(0, +) / Double(values.count)
        let sigma = (values.reduce(0) { $0 + ($1 - average) * ($1 - average) } / Double(values.count)).squareRoot()
        guard sigma > 1e-6 * max(abs(Double(base)), 1) else { return nil }
        let scale = 1 / (Double(values.count) * sigma)
        let gradients = values.map { Float(($0 - Double(base)) * scale) }
        return gradients.allSatisfy(\.isFinite) ? gradients : nil
    }

    /// θ + εz_{i−1} → θ + εz_i in one pass (θ → θ + εz₀ for the first probe).
    func move(_ parameters: TrainableSet, seeds: [UInt64], toProbe probe: Int) {
        let epsilon = configuration.epsilon
        let sweep = probe == 0
            ? DenseSweep(seed: seeds[0], coefficient: epsilon, kind: .rademacher)
            : DenseSweep(seeds: [seeds[probe - 1], seeds[probe]], coefficients: [-epsilon, epsilon], kind: .rademacher)
        perturb(parameters, sweep)
    }

    /// One pass from θ + εz_{N−1}: restore it and apply −η·Σ gᵢzᵢ (the last probe first, then the
    /// others in order); restore only when `gradients` is nil.
    func finish(_ parameters: TrainableSet, seeds: [UInt64], gradients: [Float]?, learningRate: Float) {
        let last = seeds.count - 1
        guard let gradients else {
            perturb(parameters, DenseSweep(seed: seeds[last], coefficient: -configuration.epsilon, kind: .rademacher))
            return
        }
        let order = [last] + Array(0..<last)
        let coefficients = order.map { probe in
            (probe == last ? -configuration.epsilon : 0) - learningRate * gradients[probe]
        }
        perturb(parameters, DenseSweep(seeds: order.map { seeds[$0] }, coefficients: coefficients, kind: .rademacher))
    }

    func perturb(_ parameters: TrainableSet, _ sweep: DenseSweep) {
        engine.apply(sweep, to: parameters.tensors, in: parameters)
    }
}
