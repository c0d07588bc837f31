import Foundation
import ZORandom

/// SubZero (Yu et al. 2024): random-subspace perturbations. For every 2-D tensor (matrices and
/// embeddings), U (m×r) and V (n×r) are Q factors of Gaussian matrices, redrawn every T0 steps; each
/// step draws Z ~ N(0,1)^{r×r} and perturbs W by P = √(mn)/r · U Z Vᵀ (the scale keeps E‖P‖² = mn, so
/// MeZO's ε and η keep their meaning). Other tensors get dense Gaussian perturbations.
///
/// Bases come from seed derive(runSeed, .subspaceBasis, window) and are recomputed, not saved: the
/// checkpointed `State` holds no matrices, and resume/replay redo the QR (milliseconds per tensor).
public struct SubZero: ConfigurableEstimator {
    public struct Configuration: EstimatorConfiguration {
        /// ε. `--epsilon`; default 1e-3.
        public var epsilon: Float
        /// r, the subspace rank per tensor (clamped to min(m, n)). `--rank`; default 8 (SubZero's
        /// default; its README example uses 24).
        public var rank: Int
        /// T0, steps between basis redraws. `--window`; default 1000 (the value of SubZero's
        /// README example; its code's default is 2000).
        public var window: Int
        /// λ on matrices and embeddings (folded into the update GEMM as β = 1 − ηλ). `--weight-decay`;
        /// default 0.
        public var weightDecay: Float
        /// Materialised or factored application per tensor. `--low-rank-apply`; nil (the default)
        /// means `auto`.
        public var lowRankApply: LowRankApplication?
        /// Where each window's bases come from. `--subspace-source`; nil (the default) means `random`.
        public var subspaceSource: SubspaceSource?
        /// Subspace iterations of the activation sketch; nil means 3 (AGZO reports that 3 suffice).
        /// `--power-iterations`.
        public var powerIterations: Int?

        public init(
            epsilon: Float = 1e-3, rank: Int = 8, window: Int = 1000, weightDecay: Float = 0,
            lowRankApply: LowRankApplication? = nil, subspaceSource: SubspaceSource? = nil, powerIterations: Int? = nil
        ) {
            self.epsilon = epsilon
            self.rank = rank
            self.window = window
            self.weightDecay = weightDecay
            self.lowRankApply = lowRankApply
            self.subspaceSource = subspaceSource
            self.powerIterations = powerIterations
        }

        public static var defaults: Configuration { Configuration() }

        public static let settings: [MethodSetting<Configuration>] = [
            MethodSetting("epsilon", \.epsilon, .positive, help: "Perturbation scale ε (default 1e-3)."),
            MethodSetting("rank", \.rank, .count, help: "Subspace rank r per tensor (default 8)."),
            MethodSetting("window", \.window, .steps, help: "Steps between basis redraws T0 (default 1000)."),
            MethodSetting("weightDecay", \.weightDecay, .nonNegative, help: "Weight decay λ on matrices and embeddings (default 0)."),
            MethodSetting("lowRankApply", \.lowRankApply, help: "auto, materialised (U Z Vᵀ into W) or factored (added by the forward) (default auto: per tensor by a cost model)."),
            MethodSetting("subspaceSource", \.subspaceSource, .oneOf([.random, .activations]),
                          help: "random, or activations: each linear weight's input-side basis spans the activations it meets on the window's first batch (AGZO; one more forward pass per window) (default random)."),
            MethodSetting("powerIterations", \.powerIterations, .count, help: "Subspace iterations of the activation sketch (default 3)."),
        ]

        public static let formerNames = [
            "perturbationScale": "epsilon", "refreshInterval": "window", "lowRankApplication": "lowRankApply",
        ]
    }

    /// Saved: the skipped-step count, the factored plan and the window's activation bases (which no
    /// seed reproduces). Cached (rebuilt on demand, never encoded): the bases of the current window,
    /// by tensor index.
    public struct State: Codable, Sendable, Equatable {
        public var skippedSteps: Int = 0
        /// Tensors applied factored (`LowRankPlan`), fixed at the first step.
        public internal(set) var factoredTensors: [Int]?
        /// With `--subspace-source activations`: the basis seed of the window whose activations were
        /// sketched, and the sketch (`ActivationSketch.encode`).
        public internal(set) var sketchedSeed: UInt64?
        public internal(set) var sketchedBases: Data?
        /// Seed the cached bases were drawn from.
        public internal(set) var basisSeed: UInt64?
        /// U, V per low-rank tensor (by `TrainableTensor.index`) for the window of `basisSeed`.
        public internal(set) var bases: [Int: LowRankBasis] = [:]

        public init() {}

        enum CodingKeys: String, CodingKey { case skippedSteps, factoredTensors, sketchedSeed, sketchedBases }
    }

    public static let name = "subzero"
    public static let summary = "random low-rank subspace perturbations (SubZero)"

    public var configuration: Configuration
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

    /// Seed of window `window`'s bases.
    public static func basisSeed(runSeed: UInt64, window: Int) -> UInt64 {
        SeedDerivation.derive(runSeed, .subspaceBasis, window)
    }

    public func step(
        _ parameters: TrainableSet, state: inout State, context: StepContext, oracle: LossOracle
    ) throws -> StepOutcome {
        let window = context.step / configuration.window
        let basisSeed = Self.basisSeed(runSeed: context.runSeed, window: window)
        var record = StepRecord(
            step: context.step, learningRate: context.learningRate, extraSeeds: [RecordKey.subspaceBasisSeed: [basisSeed]])
        var forwardPasses = 2
        if configuration.subspaceSource == .activations && state.sketchedSeed != basisSeed {
            state.sketchedBases = try ActivationSketch.take(
                parameters, rank: configuration.rank, powerIterations: configuration.powerIterations ?? 3, seed: basisSeed,
                oracle: oracle)
            state.sketchedSeed = basisSeed
            record.attachments = [RecordKey.activationBases: state.sketchedBases!]
            forwardPasses += 1
        }
        try prepareBases(&state, seed: basisSeed, parameters: parameters)
        let factored = LowRankPlan.resolve(&state.factoredTensors, record: &record) {
            LowRankPlan.factoredTensors(
                Self.lowRankTensors(parameters), rank: configuration.rank,
                application: configuration.lowRankApply ?? .auto, windowLength: configuration.window,
                weightDecay: configuration.weightDecay, parameters: parameters)
        }
        LowRankPlan.installDeltas(factored, bases: state.bases, tag: window, parameters: parameters)
        let seed = MeZO.directionSeed(runSeed: context.runSeed, step: context.step, direction: 0)
        let direction = self.direction(seed: seed, state: state, parameters: parameters)
        let (plus, minus, gradient) = try direction.twoPointStep(
            epsilon: configuration.epsilon, learningRate: context.learningRate,
            weightDecay: configuration.weightDecay, parameters: parameters, engine: engine, oracle: oracle)
        if gradient == nil { state.skippedSteps += 1 }
        record.seeds = [seed]
        record.gradients = [gradient ?? 0]
        record.skipped = gradient == nil
        return StepOutcome(loss: (plus + minus) / 2, forwardPasses: forwardPasses, record: record)
    }

    public func replay(_ record: StepRecord, parameters: TrainableSet, state: inout State, context: StepContext) throws {
        guard record.seeds.count == 1, record.gradients.count == 1 else {
            throw EstimatorError.recordMismatch("SubZero records hold one seed and one gradient (step \(record.step))")
        }
        let window = record.step / configuration.window
        let basisSeed = record.extraSeeds[RecordKey.subspaceBasisSeed]?.first
            ?? Self.basisSeed(runSeed: context.runSeed, window: window)
        if let sketch = record.attachments?[RecordKey.activationBases] {
            (state.sketchedSeed, state.sketchedBases) = (basisSeed, sketch)
        }
        if configuration.subspaceSource == .activations && state.sketchedSeed != basisSeed {
            throw EstimatorError.recordMismatch(
                "step \(record.step) uses the activation bases of its window, which come with the window's first record: replay from that record or a checkpoint")
        }
        try prepareBases(&state, seed: basisSeed, parameters: parameters)
        let factored = LowRankPlan.adopt(&state.factoredTensors, from: record)
        LowRankPlan.installDeltas(factored, bases: state.bases, tag: window, parameters: parameters)
        let direction = self.direction(seed: record.seeds[0], state: state, parameters: parameters)
        direction.replay(
            epsilon: configuration.epsilon, learningRate: record.learningRate,
            gradient: record.skipped ? nil : record.gradients[0], weightDecay: configuration.weightDecay,
            parameters: parameters, engine: engine)
        if record.skipped { state.skippedSteps += 1 }
    }

    /// Tensors that take the low-rank path: every 2-D tensor.
    static func lowRankTensors(_ parameters: TrainableSet) -> [TrainableTensor] {
        parameters.tensors.filter { $0.matrixShape != nil }
    }

    func prepareBases(_ state: inout State, seed: UInt64, parameters: TrainableSet) throws {
        guard state.basisSeed != seed || state.bases.isEmpty else { return }
        var sketched: [Int: [Float]] = [:]
        if configuration.subspaceSource == .activations, state.sketchedSeed == seed, let data = state.sketchedBases {
            sketched = try ActivationSketch.decode(data, parameters: parameters, rank: configuration.rank)
        }
        var bases: [Int: LowRankBasis] = [:]
        for tensor in Self.lowRankTensors(parameters) {
            let (m, n) = tensor.matrixShape!
            var basis = try LowRankBasis.random(
                rows: m, columns: n, rank: min(configuration.rank, m, n), seed: seed, tensorIndex: tensor.index)
            if let inputSide = sketched[tensor.index] {
                // The input features are the columns of an outputs × inputs weight, the rows of a
                // Conv1D-style inputs × outputs one.
                if tensor.entry.layout == .outputsByInputs { basis.right = inputSide } else { basis.left = inputSide }
            }
            bases[tensor.index] = basis
        }
        state.bases = bases
        state.basisSeed = seed
    }

    /// Z_ℓ = z(seed, ℓ, .coefficients)[0..<r²] per low-rank tensor; dense z(seed, ℓ) elsewhere.
    func direction(seed: UInt64, state: State, parameters: TrainableSet) -> SubspaceDirection {
        SubspaceDirection(seed: seed, parameters: parameters, bases: state.bases, factored: Set(state.factoredTensors ?? [])) {
            tensor, basis in
            let r = basis.rank
            return (GaussianStream(seed: seed, tensor: tensor.index, kind: .coefficients).normals(0..<(r * r)),
                    subspaceScale(rows: basis.rows, columns: basis.columns, rank: r))
        }
    }
}

/// √(m·n)/r: makes E‖U Z Vᵀ‖² · scale² = m·n, the squared norm of a dense Gaussian m×n direction.
func subspaceScale(rows: Int, columns: Int, rank: Int) -> Float {
    (Float(rows) * Float(columns)).squareRoot() / Float(rank)
}
