import ZORandom
import ZOTensor

/// DiZO (divergence-driven zeroth-order): plain MeZO steps (no weight decay) plus, every κ steps, a
/// projection phase that rescales how far each projected tensor has moved from its pretrained
/// value θ₀:
///
///     Δ = θ − θ₀, t = ‖Δ‖_F, γ = t
///     repeat I times, each on a new batch (`oracle.advanceBatch()`):
///         u ~ N(0,1) per tensor, clipped to ±(τ/ε_p)·t
///         L± = L with every θ = θ₀ + ((γ ± ε_p·u)/t)·Δ;  ĝ = (L₊ − L₋)/(2ε_p)
///         γ ← clip(γ − α_p·t·ĝ·u, (1 − τ)t, (1 + τ)t)
///     θ = θ₀ + (γ/t)·Δ
///
/// The phase runs after the MeZO update of every step s with (s + 1) mod κ = 0. The record keeps
/// γ/t per projected tensor (`RecordKey.projectionRatios`); `replay` applies θ = θ₀ + (γ/t)(θ − θ₀)
/// with the same float operations (one `fma(ratio, θ − θ₀, θ₀)` per element), so no forward pass or
/// random draw of the phase is needed to replay it. Anchors θ₀ are re-derived from the base model,
/// never saved (`anchorTensors`, `TrainableSet.setAnchor`).
///
/// The official code also freezes the token embedding for full fine-tuning of OPT; that is a choice
/// of trainable set, left to the trainer.
public struct DiZO: ConfigurableEstimator {
    public struct Configuration: EstimatorConfiguration {
        /// ε of the MeZO steps. `--epsilon`; default 1e-3.
        public var epsilon: Float
        /// q, directions per MeZO step. `--directions`; default 1.
        public var directions: Int
        /// κ, steps between projection phases. `--projection-interval`; default 50.
        public var projectionInterval: Int
        /// I, iterations (each on a new batch, 2 forward passes) per phase. `--projection-iterations`;
        /// default 10.
        public var projectionIterations: Int
        /// ε_p, perturbation of γ. `--projection-epsilon`; default 0.1.
        public var projectionEpsilon: Float
        /// α_p, step size on γ. `--projection-lr`; default 2.0.
        public var projectionLR: Float
        /// τ: γ stays within [(1 − τ)t, (1 + τ)t]. `--projection-radius`; default 0.2.
        public var projectionRadius: Float
        /// The projected set 𝒫, by parameter name: a pattern without `*` matches names ending in it
        /// (`self_attn.k_proj.weight` matches every layer's key projection); with `*`, the whole
        /// name must match the glob. `--projected-tensors`. nil (the default): the weights of the
        /// attention key and value projections (DiZO's official code for full fine-tuning), by
        /// `ParameterKind`; where q|k|v are fused (GPT-2's `attn.c_attn`) the whole tensor stands in.
        /// config.json files written before kinds hold those projections' names here, which select
        /// the same tensors.
        public var projectedTensors: [String]?

        /// What the default projected set is made of (see `projectedTensors`).
        public static let defaultProjectedKinds: Set<ParameterKind> = [.key, .value]

        public init(
            epsilon: Float = 1e-3, directions: Int = 1, projectionInterval: Int = 50,
            projectionIterations: Int = 10, projectionEpsilon: Float = 0.1,
            projectionLR: Float = 2.0, projectionRadius: Float = 0.2,
            projectedTensors: [String]? = nil
        ) {
            self.epsilon = epsilon
            self.directions = directions
            self.projectionInterval = projectionInterval
            self.projectionIterations = projectionIterations
            self.projectionEpsilon = projectionEpsilon
            self.projectionLR = projectionLR
            self.projectionRadius = projectionRadius
            self.projectedTensors = projectedTensors
        }

        public static var defaults: Configuration { Configuration() }

        public static let settings: [MethodSetting<Configuration>] = [
            MethodSetting("epsilon", \.epsilon, .positive, help: "Perturbation scale ε of the MeZO steps (default 1e-3)."),
            MethodSetting("directions", \.directions, .count, help: "Directions averaged per step, n-SPSA (default 1)."),
            MethodSetting("projectionInterval", \.projectionInterval, .steps, help: "Steps between projection phases κ (default 50)."),
            MethodSetting("projectionIterations", \.projectionIterations, .within(0...SettingRange<Int>.countLimit),
                          help: "Iterations per projection phase, each on a new batch (default 10)."),
            MethodSetting("projectionEpsilon", \.projectionEpsilon, .positive, help: "ε of the projection phase (default 0.1)."),
            MethodSetting("projectionLR", \.projectionLR, .positive, help: "Step size of the projection phase (default 2.0)."),
            MethodSetting("projectionRadius", \.projectionRadius, .fraction, help: "Clip γ to [1−τ, 1+τ]·‖Δ‖ (default 0.2)."),
            MethodSetting("projectedTensors", \.projectedTensors,
                          help: "Name suffixes (or globs) of the projected tensors (default: the attention key and value projections)."),
        ]

        public static let formerNames = [
            "perturbationScale": "epsilon", "projectionPerturbation": "projectionEpsilon", "projectionStepSize": "projectionLR",
            "projectedTensorPatterns": "projectedTensors",
        ]

        /// The projected set in words, for messages.
        public var projectedSetDescription: String {
            projectedTensors.map { "the tensors named \($0.joined(separator: " "))" }
                ?? "the attention key and value projections"
        }

        /// Whether `entry` is in the projected set.
        func projects(_ entry: ParameterEntry) -> Bool {
            guard let patterns = projectedTensors else {
                return (entry.role == .matrix || entry.role == .adapter)
                    && entry.kind.parts.contains { Self.defaultProjectedKinds.contains($0) }
            }
            return patterns.contains { DiZO.matches(entry.name, pattern: $0) }
        }
    }

    public struct State: Codable, Sendable, Equatable {
        public var skippedSteps: Int = 0
        /// Projection phases run so far.
        public var projections: Int = 0
        public init() {}
    }

    public static let name = "dizo"
    public static let summary = "MeZO steps with divergence projection phases (DiZO)"

    public var configuration: Configuration
    public var engine: PerturbationEngine

    public init(configuration: Configuration) { self.init(configuration: configuration, engine: PerturbationEngine()) }

    public init(configuration: Configuration = .defaults, engine: PerturbationEngine = PerturbationEngine()) {
        self.configuration = configuration
        self.engine = engine
    }

    var mezo: MeZO {
        MeZO(
            configuration: MeZO.Configuration(
                epsilon: configuration.epsilon, directions: configuration.directions, weightDecay: 0),
            engine: engine)
    }

    /// The projected set, in trainable-set order.
    public func anchorTensors(in parameters: TrainableSet) -> [TrainableTensor] {
        parameters.tensors.filter { configuration.projects($0.entry) }
    }

    public func makeState(for parameters: TrainableSet, runSeed: UInt64) throws -> State {
        try configuration.validate()
        // With nothing to project DiZO is MeZO plus wasted projection passes: say so rather than run.
        guard !anchorTensors(in: parameters).isEmpty else {
            throw EstimatorError.invalidConfiguration(
                "DiZO projects no tensor: no trainable tensor is among \(configuration.projectedSetDescription) "
                + "(choose others with --projected-tensors, or use mezo)")
        }
        for tensor in anchorTensors(in: parameters) where parameters.anchor(tensor) == nil {
            throw EstimatorError.missingAnchor(tensor.entry.name)
        }
        return State()
    }

    public func step(
        _ parameters: TrainableSet, state: inout State, context: StepContext, oracle: LossOracle
    ) throws -> StepOutcome {
        var mezoState = MeZO.State()
        var outcome = try mezo.step(parameters, state: &mezoState, context: context, oracle: oracle)
        state.skippedSteps += mezoState.skippedSteps
        if isProjectionStep(context.step) {
            let (ratios, forwardPasses) = try project(parameters, context: context, oracle: oracle)
            outcome.record.scalars[RecordKey.projectionRatios] = ratios
            outcome.forwardPasses += forwardPasses
            state.projections += 1
        }
        return outcome
    }

    public func replay(_ record: StepRecord, parameters: TrainableSet, state: inout State, context: StepContext) throws {
        var mezoState = MeZO.State()
        try mezo.replay(record, parameters: parameters, state: &mezoState, context: context)
        state.skippedSteps += mezoState.skippedSteps
        guard let ratios = record.scalars[RecordKey.projectionRatios] else { return }
        let projected = anchorTensors(in: parameters)
        guard ratios.count == projected.count else {
            throw EstimatorError.recordMismatch("\(ratios.count) projection ratios for \(projected.count) projected tensors")
        }
        for (tensor, ratio) in zip(projected, ratios) {
            let anchor = try anchorValues(tensor, parameters)
            let weights = parameters.pointer(tensor)
            Self.interpolate(anchor: anchor, moved: weights, ratio: ratio, into: weights, count: tensor.entry.count)
        }
        state.projections += 1
    }

    func isProjectionStep(_ step: Int) -> Bool {
        configuration.projectionIterations > 0 && (step + 1) % configuration.projectionInterval == 0
    }

    /// The projection phase; returns the final γ/t per projected tensor and the forward passes spent.
    func project(_ parameters: TrainableSet, context: StepContext, oracle: LossOracle) throws -> ([Float], Int) {
        let projected = anchorTensors(in: parameters)
        guard !projected.isEmpty else { return ([], 0) }
        let anchors = try projected.map { try anchorValues($0, parameters) }
        // θ at the start of the phase: every evaluation point and the result are built from it.
        let starts = projected.map { tensor -> FloatBuffer in
            let copy = FloatBuffer(count: tensor.entry.count)
            copy.pointer.update(from: parameters.pointer(tensor), count: tensor.entry.count)
            return copy
        }
        let norms = zip(starts, anchors).map { start, anchor in
            Self.distance(start.pointer, anchor, count: start.count)
        }
        var gammas = norms
        let epsilon = configuration.projectionEpsilon, tau = configuration.projectionRadius
        let setRatios = { (ratios: [Float]) in
            for index in projected.indices {
                Self.interpolate(
                    anchor: anchors[index], moved: starts[index].pointer, ratio: ratios[index],
                    into: parameters.pointer(projected[index]), count: starts[index].count)
            }
        }
        let ratios = { (offsets: [Float]) in
            projected.indices.map { norms[$0] > 0 ? (gammas[$0] + offsets[$0]) / norms[$0] : 1 }
        }
        var forwardPasses = 0
        do {
            for iteration in 0..<configuration.projectionIterations {
                try oracle.advanceBatch()
                let seed = SeedDerivation.derive(context.runSeed, .projection, context.step, iteration)
                let units = projected.indices.map { index -> Float in
                    let u = GaussianStream(seed: seed, tensor: projected[index].index, kind: .projection).normal(at: 0)
                    let bound = tau / epsilon * norms[index]
                    return min(max(u, -bound), bound)
                }
                setRatios(ratios(units.map { epsilon * $0 }))
                let plus = try oracle.loss()
                setRatios(ratios(units.map { -epsilon * $0 }))
                let minus = try oracle.loss()
                forwardPasses += 2
                guard let g = TwoPointProtocol.projectedGradient(plus: plus, minus: minus, epsilon: epsilon) else {
                    continue
                }
                for index in projected.indices where norms[index] > 0 {
                    let t = norms[index]
                    let moved = gammas[index] - configuration.projectionLR * t * g * units[index]
                    gammas[index] = min(max(moved, (1 - tau) * t), (1 + tau) * t)
                }
            }
        } catch {
            // Put the phase's starting values back exactly (we hold copies), then report.
            for (tensor, start) in zip(projected, starts) {
                parameters.pointer(tensor).update(from: start.pointer, count: start.count)
            }
            throw error
        }
        let final = ratios(Array(repeating: 0, count: projected.count))
        setRatios(final)
        return (final, forwardPasses)
    }

    func anchorValues(_ tensor: TrainableTensor, _ parameters: TrainableSet) throws -> UnsafeMutablePointer<Float> {
        guard let anchor = parameters.anchor(tensor) else { throw EstimatorError.missingAnchor(tensor.entry.name) }
        return anchor.pointer
    }

    /// out = θ₀ + ratio·(moved − θ₀), one fused multiply-add per element (`out` may alias `moved`).
    static func interpolate(
        anchor: UnsafePointer<Float>, moved: UnsafePointer<Float>, ratio: Float,
        into out: UnsafeMutablePointer<Float>, count: Int
    ) {
        for i in 0..<count { out[i] = anchor[i].addingProduct(ratio, moved[i] - anchor[i]) }
    }

    /// ‖a − b‖_F, accumulated in double precision.
    static func distance(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var sum = 0.0
        for i in 0..<count {
            let d = Double(a[i]) - Double(b[i])
            sum += d * d
        }
        return Float(sum.squareRoot())
    }

    /// `pattern` without `*`: name ends with it at a component boundary. With `*`: glob over the name.
    static func matches(_ name: String, pattern: String) -> Bool {
        guard pattern.contains("*") else { return name == pattern || name.hasSuffix("." + pattern) }
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        var rest = Substring(name)
        guard rest.hasPrefix(parts[0]) else { return false }
        rest = rest.dropFirst(parts[0].count)
        for part in parts.dropFirst().dropLast() {
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.hasSuffix(parts.last!)
    }
}
