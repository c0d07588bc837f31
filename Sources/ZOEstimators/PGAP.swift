import Foundation
import Dispatch
import ZORandom
import ZOTensor

/// P-GAP (projected gradient-aligned perturbations). Every k steps (a window), h dense Gaussian
/// probes Z_j over all trainable tensors give c_j = [L(θ+εZ_j) − L(θ−εZ_j)]/2ε on the current batch
/// (θ is put back after each probe; probes never update θ). For each low-rank tensor,
/// S = (1/h)·Σ_j c_j Z_j is rebuilt from the probe seeds (one m×n buffer at a time, never h copies)
/// and factored by a truncated SVD: S ≈ U_r diag(σ) V_rᵀ, S^r = diag(σ).
///
/// Each step, per low-rank tensor: Z0 ~ N(0,1)^{r×r}, a sign ξ, and Z = Z0 moved onto the hyperplane
/// ⟨S^r, Z⟩ = ξ√δ‖S^r‖ (`alignedCoefficients`); P = scale·U_r Z V_rᵀ, applied materialised or factored (`LowRankApplication`). Other
/// tensors: dense Gaussian. Then the usual two-point estimate and fused update.
///
/// Several details come from secondary sources (algorithms.md marks them unverified); each is a
/// `Configuration` option. State saves only the window's probe seeds and c_j; bases are recomputed
/// from them on resume (S depends on nothing else), and replay reads them from the window's first
/// record.
public struct PGAP: ConfigurableEstimator {
    /// How δ evolves over the run.
    public enum AlignmentSchedule: String, Codable, Sendable, CaseIterable {
        /// δ = δ₀·(1 − step/totalSteps): fully aligned early, P ⟂ S^r at the end.
        case linearDecay = "linear"
        /// δ = δ₀ throughout.
        case constant
        /// No alignment: Z = Z0, a random r×r direction in the estimated subspace (the ablation that
        /// separates the subspace's effect from the alignment's; δ = 0 instead would make P ⟂ S^r).
        case off
    }

    /// What δ means.
    public enum AlignmentMode: String, Codable, Sendable, CaseIterable {
        /// The paper's constraint ⟨S^r, Z⟩ = ξ√δ‖S^r‖. With Z0 ~ N(0, I_{r×r}) the cosine between Z
        /// and S^r is then ≈ √δ/r: 0.02 at δ = 2, r = 64, no more than a random direction's.
        case absolute
        /// δ is the cosine itself: Z keeps Z0's part orthogonal to S^r, Z⊥, and gets ξ·t·Ŝ along it with
        /// t = δ‖Z⊥‖/√(1 − δ²), so that cos(Z, S^r) = ξδ exactly (δ < 1; ‖Z‖ grows by 1/√(1 − δ²)).
        case cosine
    }

    /// Granularity of the sign ξ.
    public enum SignMode: String, Codable, Sendable, CaseIterable {
        /// An independent ξ per tensor per step.
        case perTensor = "tensor"
        /// One ξ per step shared by all tensors.
        case perStep = "step"
    }

    /// Factor applied to U_r Z V_rᵀ.
    public enum DirectionScale: String, Codable, Sendable, CaseIterable {
        /// √(mn)/r, as SubZero: E‖P‖² ≈ mn like a dense direction, so MeZO's ε and η carry over.
        case subspaceVolume = "subspace"
        /// 1 (the paper's reported ε = 0.1, η = 1e-2 suggest an unscaled P).
        case none
    }

    public struct Configuration: EstimatorConfiguration {
        /// ε of the steps. `--epsilon`; default 1e-3.
        public var epsilon: Float
        /// r, rank of each tensor's subspace, clamped to min(m, n). `--rank`; default 64 (the paper
        /// uses 128–512 on larger models).
        public var rank: Int
        /// k, steps per window (probes + SVD at its first step). `--window`; default 100.
        public var window: Int
        /// h, probes per window (2h forward passes). `--probes`; default 10.
        public var probes: Int
        /// ε of the probes; nil = `epsilon`. `--probe-epsilon`; default nil.
        public var probeEpsilon: Float?
        /// δ₀. `--alignment`; default 2.0.
        public var alignment: Float
        /// `--alignment-schedule linear|constant|off`; default linear decay to 0 over the run.
        public var alignmentSchedule: AlignmentSchedule
        /// `--alignment-mode absolute|cosine`; nil (the default, and every run before the option
        /// existed) is absolute, the paper's constraint.
        public var alignmentMode: AlignmentMode?
        /// `--sign tensor|step`; default per tensor.
        public var sign: SignMode
        /// `--direction-scale subspace|none`; default `subspace` (√(mn)/r, like SubZero): the pilot
        /// in shared/design/assets.md shows that this lets MeZO's ε/η apply on SmolLM2-135M
        /// (0.620 / 0.677 / 0.687 accuracy at 100/200/300 steps, lr 1e-5, ε 1e-3). algorithms.md
        /// lists `none` as the paper's apparent default; choose it with ε ≈ 0.1, η ≈ 1e-2.
        public var directionScale: DirectionScale
        /// Whether embeddings take the low-rank path (otherwise dense). `--low-rank-embeddings`;
        /// default true (any 2-D tensor).
        public var lowRankEmbeddings: Bool
        /// Randomized-SVD oversampling p. `--oversampling`; default 10.
        public var oversampling: Int
        /// Randomized-SVD power iterations q. `--power-iterations`; default 1 (≈ 1 % error on the
        /// top singular values, compute.md §5).
        public var powerIterations: Int
        /// λ on matrices and embeddings. `--weight-decay`; default 0.
        public var weightDecay: Float
        /// Materialised or factored application per tensor. `--low-rank-apply`; nil (the default)
        /// means `auto`.
        public var lowRankApply: LowRankApplication?
        /// Where each window's bases come from. `--subspace-source probes|activations`; nil (the
        /// default, and every run before the option existed) means `probes`, the paper's.
        public var subspaceSource: SubspaceSource?
        /// Subspace iterations of the activation sketch; nil means 3. `--activation-iterations`.
        public var activationIterations: Int?

        public init(
            epsilon: Float = 1e-3, rank: Int = 64, window: Int = 100, probes: Int = 10,
            probeEpsilon: Float? = nil, alignment: Float = 2.0, alignmentSchedule: AlignmentSchedule = .linearDecay,
            alignmentMode: AlignmentMode? = nil, sign: SignMode = .perTensor, directionScale: DirectionScale = .subspaceVolume,
            lowRankEmbeddings: Bool = true, oversampling: Int = 10, powerIterations: Int = 1, weightDecay: Float = 0,
            lowRankApply: LowRankApplication? = nil, subspaceSource: SubspaceSource? = nil, activationIterations: Int? = nil
        ) {
            self.epsilon = epsilon
            self.rank = rank
            self.window = window
            self.probes = probes
            self.probeEpsilon = probeEpsilon
            self.alignment = alignment
            self.alignmentSchedule = alignmentSchedule
            self.alignmentMode = alignmentMode
            self.sign = sign
            self.directionScale = directionScale
            self.lowRankEmbeddings = lowRankEmbeddings
            self.oversampling = oversampling
            self.powerIterations = powerIterations
            self.weightDecay = weightDecay
            self.lowRankApply = lowRankApply
            self.subspaceSource = subspaceSource
            self.activationIterations = activationIterations
        }

        public static var defaults: Configuration { Configuration() }

        public static let settings: [MethodSetting<Configuration>] = [
            MethodSetting("epsilon", \.epsilon, .positive, help: "Perturbation scale ε of the steps (default 1e-3)."),
            MethodSetting("rank", \.rank, .count, help: "Subspace rank r per tensor (default 64)."),
            MethodSetting("window", \.window, .steps, help: "Steps per window k: probes and SVD at its first step (default 100)."),
            MethodSetting("probes", \.probes, .count, help: "Probes h per window (default 10)."),
            MethodSetting("probeEpsilon", \.probeEpsilon, .positive, help: "ε of the probes (default: --epsilon)."),
            MethodSetting("alignment", \.alignment, .nonNegative, help: "Alignment δ₀ (default 2.0)."),
            MethodSetting("alignmentSchedule", \.alignmentSchedule,
                          help: "δ schedule: linear (to 0 over the run), constant, or off (random directions in the subspace) (default linear)."),
            MethodSetting("alignmentMode", \.alignmentMode,
                          help: "absolute (⟨S, Z⟩ = ξ√δ‖S‖, the paper's) or cosine (δ is the target cos(Z, S), below 1) (default absolute)."),
            MethodSetting("sign", \.sign, help: "Sign ξ per tensor or per step: tensor or step (default tensor)."),
            MethodSetting("directionScale", \.directionScale, help: "Scale of U Z Vᵀ: subspace (√(mn)/r) or none (default subspace)."),
            MethodSetting("lowRankEmbeddings", \.lowRankEmbeddings, help: "Whether embeddings take the low-rank path: true or false (default true)."),
            MethodSetting("oversampling", \.oversampling, .within(0...SettingRange<Int>.countLimit),
                          help: "Randomized-SVD oversampling p (default 10)."),
            MethodSetting("powerIterations", \.powerIterations, .within(0...16), help: "Randomized-SVD power iterations q (default 1)."),
            MethodSetting("weightDecay", \.weightDecay, .nonNegative, help: "Weight decay λ on matrices and embeddings (default 0)."),
            MethodSetting("lowRankApply", \.lowRankApply, help: "auto, materialised (U Z Vᵀ into W) or factored (added by the forward) (default auto: per tensor by a cost model)."),
            MethodSetting("subspaceSource", \.subspaceSource, .oneOf([.probes, .activations]),
                          help: "probes, or activations: each linear weight's probe estimate is factored inside the span of the activations it meets on the window's first batch (AGZO's prior; one more forward pass per window) (default probes)."),
            MethodSetting("activationIterations", \.activationIterations, .count,
                          help: "Subspace iterations of the activation sketch (default 3)."),
        ]

        public static let formerNames = [
            "perturbationScale": "epsilon", "windowLength": "window", "probeCount": "probes", "probeScale": "probeEpsilon",
            "signMode": "sign", "lowRankApplication": "lowRankApply",
        ]
    }

    /// Saved: the current window and its probes (seeds and c_j). Cached, never encoded: the bases.
    public struct State: Codable, Sendable, Equatable {
        public var skippedSteps: Int = 0
        /// Tensors applied factored (`LowRankPlan`), fixed at the first step.
        public internal(set) var factoredTensors: [Int]?
        /// Window whose probes are held.
        public internal(set) var window: Int?
        public internal(set) var probeSeeds: [UInt64] = []
        public internal(set) var probeGradients: [Float] = []
        /// With `--subspace-source activations`: the window whose activations were sketched, and the
        /// sketch (`ActivationSketch.encode`), which no seed reproduces.
        public internal(set) var sketchedWindow: Int?
        public internal(set) var sketchedBases: Data?
        /// U_r, V_r, σ per low-rank tensor (by `TrainableTensor.index`) for `window`'s probes.
        public internal(set) var bases: [Int: LowRankBasis] = [:]
        var basesWindow: Int?

        public init() {}

        enum CodingKeys: String, CodingKey {
            case skippedSteps, factoredTensors, window, probeSeeds, probeGradients, sketchedWindow, sketchedBases
        }
    }

    public static let name = "pgap"
    public static let summary = "gradient-aligned perturbations in a probed subspace (P-GAP)"

    public var configuration: Configuration
    public var engine: PerturbationEngine
    /// Tensors above this many elements (and above `parallelThreshold`) have their gradient
    /// estimate streamed through the SVD in row blocks instead of held whole
    /// (`defaultStreamingThreshold`; tests lower it).
    public var streamingThreshold: Int

    public init(configuration: Configuration) { self.init(configuration: configuration, engine: PerturbationEngine()) }

    public init(
        configuration: Configuration = .defaults, engine: PerturbationEngine = PerturbationEngine(),
        streamingThreshold: Int = PGAP.defaultStreamingThreshold
    ) {
        self.configuration = configuration
        self.engine = engine
        self.streamingThreshold = streamingThreshold
    }

    public func makeState(for parameters: TrainableSet, runSeed: UInt64) throws -> State {
        try configuration.validate()
        if configuration.alignmentMode == .cosine, configuration.alignment >= 1, configuration.alignmentSchedule != .off {
            throw EstimatorError.invalidConfiguration(
                "--alignment is a target cosine with --alignment-mode cosine and must be below 1, got \(configuration.alignment)")
        }
        return State()
    }

    public func step(
        _ parameters: TrainableSet, state: inout State, context: StepContext, oracle: LossOracle
    ) throws -> StepOutcome {
        let window = context.step / configuration.window
        var record = StepRecord(step: context.step, learningRate: context.learningRate)
        var forwardPasses = 2
        if state.window != window {
            if configuration.subspaceSource == .activations {
                state.sketchedBases = try ActivationSketch.take(
                    parameters, rank: configuration.rank, powerIterations: configuration.activationIterations ?? 3,
                    seed: SeedDerivation.derive(context.runSeed, .subspaceBasis, window), oracle: oracle)
                state.sketchedWindow = window
                record.attachments = [RecordKey.activationBases: state.sketchedBases!]
                forwardPasses += 1
            }
            let seeds = (0..<configuration.probes).map {
                SeedDerivation.derive(context.runSeed, .probe, window, $0)
            }
            // Direction-parallel runs share the probes among the processes (each replays the others').
            var local = [[Float]](repeating: [], count: seeds.count)
            for (index, seed) in seeds.enumerated() {
                if oracle.evaluates(direction: index, of: seeds.count) {
                    local[index] = try probe(seed, parameters: parameters, oracle: oracle)
                } else {
                    replayProbe(seed, parameters: parameters)
                }
            }
            let epsilon = probeEpsilon
            let gradients = try oracle.gatherDirectionLosses(local, perDirection: 2).map {
                TwoPointProtocol.projectedGradient(plus: $0[0], minus: $0[1], epsilon: epsilon) ?? 0
            }
            forwardPasses += 2 * seeds.count
            adoptProbes(&state, window: window, seeds: seeds, gradients: gradients)
            record.extraSeeds[RecordKey.probeSeeds] = seeds
            record.scalars[RecordKey.probeGradients] = gradients
        }
        try prepareBases(&state, parameters: parameters, runSeed: context.runSeed)
        let factored = LowRankPlan.resolve(&state.factoredTensors, record: &record) {
            LowRankPlan.factoredTensors(
                lowRankTensors(parameters), rank: configuration.rank,
                application: configuration.lowRankApply ?? .auto, windowLength: configuration.window,
                weightDecay: configuration.weightDecay, parameters: parameters)
        }
        LowRankPlan.installDeltas(factored, bases: state.bases, tag: window, parameters: parameters)
        let seed = MeZO.directionSeed(runSeed: context.runSeed, step: context.step, direction: 0)
        let direction = self.direction(seed: seed, state: state, parameters: parameters, context: context)
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
            throw EstimatorError.recordMismatch("P-GAP records hold one seed and one gradient (step \(record.step))")
        }
        let window = record.step / configuration.window
        if let sketch = record.attachments?[RecordKey.activationBases] {
            (state.sketchedWindow, state.sketchedBases) = (window, sketch)
        }
        if configuration.subspaceSource == .activations && state.sketchedWindow != window {
            throw EstimatorError.recordMismatch(
                "step \(record.step) uses the activation bases of its window, which come with the window's first record: replay from that record or a checkpoint")
        }
        if let seeds = record.extraSeeds[RecordKey.probeSeeds], let gradients = record.scalars[RecordKey.probeGradients] {
            guard seeds.count == gradients.count else {
                throw EstimatorError.recordMismatch("\(seeds.count) probe seeds, \(gradients.count) probe gradients")
            }
            for seed in seeds { replayProbe(seed, parameters: parameters) }
            adoptProbes(&state, window: window, seeds: seeds, gradients: gradients)
        } else if state.window != window {
            throw EstimatorError.recordMismatch(
                "step \(record.step) is in window \(window), but the probes held are for window \(state.window.map(String.init) ?? "none"): replay from the window's first record or a checkpoint")
        }
        try prepareBases(&state, parameters: parameters, runSeed: context.runSeed)
        let factored = LowRankPlan.adopt(&state.factoredTensors, from: record)
        LowRankPlan.installDeltas(factored, bases: state.bases, tag: window, parameters: parameters)
        var context = context
        if context.step != record.step {
            context = StepContext(step: record.step, totalSteps: context.totalSteps, learningRate: record.learningRate, runSeed: context.runSeed)
        }
        let direction = self.direction(seed: record.seeds[0], state: state, parameters: parameters, context: context)
        direction.replay(
            epsilon: configuration.epsilon, learningRate: record.learningRate,
            gradient: record.skipped ? nil : record.gradients[0], weightDecay: configuration.weightDecay,
            parameters: parameters, engine: engine)
        if record.skipped { state.skippedSteps += 1 }
    }

    // MARK: Probes and bases

    var probeEpsilon: Float { configuration.probeEpsilon ?? configuration.epsilon }

    func probeSweep(_ seed: UInt64, _ coefficient: Float, _ parameters: TrainableSet) {
        engine.apply(DenseSweep(seed: seed, coefficient: coefficient), to: parameters.tensors, in: parameters)
    }

    /// One probe's losses [L(θ+εZ), L(θ−εZ)] (c_j follows from them; 0 if one is not finite); θ is
    /// put back by a +ε sweep.
    func probe(_ seed: UInt64, parameters: TrainableSet, oracle: LossOracle) throws -> [Float] {
        let epsilon = probeEpsilon
        let (plus, minus) = try TwoPointProtocol.evaluate(epsilon: epsilon, oracle: oracle) {
            probeSweep(seed, $0, parameters)
        }
        probeSweep(seed, epsilon, parameters)
        return [plus, minus]
    }

    func replayProbe(_ seed: UInt64, parameters: TrainableSet) {
        let epsilon = probeEpsilon
        TwoPointProtocol.replayEvaluation(epsilon: epsilon) { probeSweep(seed, $0, parameters) }
        probeSweep(seed, epsilon, parameters)
    }

    func adoptProbes(_ state: inout State, window: Int, seeds: [UInt64], gradients: [Float]) {
        state.window = window
        state.probeSeeds = seeds
        state.probeGradients = gradients
        state.bases = [:]
        state.basesWindow = nil
    }

    /// Tensors that take the low-rank path: 2-D tensors (embeddings only if configured).
    func lowRankTensors(_ parameters: TrainableSet) -> [TrainableTensor] {
        parameters.tensors.filter {
            $0.matrixShape != nil && (configuration.lowRankEmbeddings || $0.entry.role != .embedding)
        }
    }

    /// Builds U_r, V_r, σ of every low-rank tensor from the held probes (no-op when cached).
    ///
    /// Tensors above `parallelThreshold` elements (the embedding) are done one at a time with every
    /// core on the estimate; the many smaller ones run one tensor per core, since the SVD itself is
    /// single-threaded (compute.md §5). Every tensor's result is the same either way.
    func prepareBases(_ state: inout State, parameters: TrainableSet, runSeed: UInt64) throws {
        guard let window = state.window, state.basesWindow != window else { return }
        let h = Float(state.probeSeeds.count)
        let sweep = DenseSweep(seeds: state.probeSeeds, coefficients: state.probeGradients.map { $0 / h })
        let sketchSeed = SeedDerivation.derive(runSeed, .sketch, window)
        let tensors = lowRankTensors(parameters)
        let sketched = try activationBases(state, window: window, parameters: parameters)
        let (large, small) = (tensors.filter { $0.entry.count > Self.parallelThreshold },
                              tensors.filter { $0.entry.count <= Self.parallelThreshold })
        var bases: [Int: LowRankBasis] = [:]
        let streamed = { (tensor: TrainableTensor) in tensor.entry.count > streamingThreshold }
        let scratch = FloatBuffer(count: large.filter { !streamed($0) }.map(\.entry.count).max() ?? 0)
        for tensor in large {
            if let activations = sketched[tensor.index] {
                bases[tensor.index] = try projectedBasis(tensor, sweep: sweep, activations: activations, engine: engine)
                continue
            }
            bases[tensor.index] = try streamed(tensor)
                ? streamedBasis(tensor, sweep: sweep, sketchSeed: sketchSeed, engine: engine)
                : basis(tensor, sweep: sweep, sketchSeed: sketchSeed, engine: engine, scratch: scratch)
        }
        // One tensor per core: each worker has its own scratch, a single-threaded engine, and
        // writes only its own slots of `results`.
        let workers = BLAS.threading == .splitColumns ? min(engine.workerCount, max(1, small.count)) : 1
        let results = UnsafeMutableBufferPointer<Result<LowRankBasis, Error>?>.allocate(capacity: small.count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        let largestSmall = small.map(\.entry.count).max() ?? 0
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let scratch = FloatBuffer(count: largestSmall)
            let single = PerturbationEngine(workerCount: 1)
            for i in stride(from: worker, to: small.count, by: workers) {
                results[i] = Result {
                    if let activations = sketched[small[i].index] {
                        return try projectedBasis(small[i], sweep: sweep, activations: activations, engine: single)
                    }
                    return try basis(small[i], sweep: sweep, sketchSeed: sketchSeed, engine: single, scratch: scratch)
                }
            }
        }
        for (i, tensor) in small.enumerated() { bases[tensor.index] = try results[i]!.get() }
        state.bases = bases
        state.basesWindow = window
    }

    /// Tensors larger than this get all cores on their estimate instead of one core each.
    static let parallelThreshold = 1 << 22
    /// 2²⁵ elements (128 MiB of estimate): a 0.5B model's embedding (Qwen2.5-0.5B: 545 MB) is
    /// streamed, SmolLM2-135M's (113 MB) is held. Held and streamed bases differ in the low bits
    /// (block sums), which P-GAP's runs amplify into another draw: holding SmolLM2-135M's keeps its
    /// runs those of docs/RESULTS.md bit for bit, for 77 MiB of peak memory.
    public static let defaultStreamingThreshold = 1 << 25
    /// Floats per block of a streamed estimate (8 MB).
    static let streamingBlock = 1 << 21

    /// U_r, V_r, σ of a tensor above `streamingThreshold` without holding S:
    /// each of the randomized SVD's products regenerates S block by block from the probe seeds.
    /// Equal to `basis` to rounding (sums over blocks run in another order).
    private func streamedBasis(
        _ tensor: TrainableTensor, sweep: DenseSweep, sketchSeed: UInt64, engine: PerturbationEngine
    ) throws -> LowRankBasis {
        let (m, n) = tensor.matrixShape!
        return try TruncatedSVD.compute(
            rows: m, columns: n, rank: min(configuration.rank, m, n), oversampling: configuration.oversampling,
            powerIterations: configuration.powerIterations,
            sketch: GaussianStream(seed: sketchSeed, tensor: tensor.index, kind: .sketch),
            blockRows: max(1, Self.streamingBlock / n)
        ) { rows, block in
            let elements = (rows.lowerBound * n)..<(rows.upperBound * n)
            block.update(repeating: 0, count: elements.count)
            engine.apply(sweep, to: block, elements: elements, tensorIndex: tensor.index)
        }
    }

    /// The window's activation bases by tensor index (empty unless `--subspace-source activations`);
    /// a tensor the sketch's forward never multiplied keeps its probe basis.
    private func activationBases(_ state: State, window: Int, parameters: TrainableSet) throws -> [Int: [Float]] {
        guard configuration.subspaceSource == .activations, state.sketchedWindow == window, let data = state.sketchedBases else {
            return [:]
        }
        return try ActivationSketch.decode(data, parameters: parameters, rank: configuration.rank)
    }

    /// U, V, σ of one tensor inside its activation span (`ActivationProjection`): S is rebuilt block
    /// by block of rows and projected as it goes, so it is never held whole.
    private func projectedBasis(
        _ tensor: TrainableTensor, sweep: DenseSweep, activations: [Float], engine: PerturbationEngine
    ) throws -> LowRankBasis {
        let (m, n) = tensor.matrixShape!
        let inputsAreRows = tensor.entry.layout != .outputsByInputs
        let rank = activations.count / (inputsAreRows ? m : n)
        let projected = ActivationProjection.project(
            rows: m, columns: n, inputsAreRows: inputsAreRows, activations: activations, rank: rank,
            blockRows: max(1, Self.streamingBlock / n)
        ) { rows, block in
            let elements = (rows.lowerBound * n)..<(rows.upperBound * n)
            block.update(repeating: 0, count: elements.count)
            engine.apply(sweep, to: block, elements: elements, tensorIndex: tensor.index)
        }
        return try ActivationProjection.basis(
            projected: projected, rows: m, columns: n, inputsAreRows: inputsAreRows, activations: activations, rank: rank)
    }

    /// U_r, V_r, σ of one tensor: S = Σ_j (c_j/h)·z_j rebuilt into `scratch`, then the truncated SVD.
    private func basis(
        _ tensor: TrainableTensor, sweep: DenseSweep, sketchSeed: UInt64, engine: PerturbationEngine, scratch: FloatBuffer
    ) throws -> LowRankBasis {
        let (m, n) = tensor.matrixShape!
        scratch.pointer.update(repeating: 0, count: m * n)
        engine.apply(sweep, to: scratch.pointer, count: m * n, tensorIndex: tensor.index)
        return try TruncatedSVD.compute(
            scratch.pointer, rows: m, columns: n, rank: min(configuration.rank, m, n),
            oversampling: configuration.oversampling, powerIterations: configuration.powerIterations,
            sketch: GaussianStream(seed: sketchSeed, tensor: tensor.index, kind: .sketch))
    }

    // MARK: Directions

    /// δ at `step` of `totalSteps`; nil when alignment is off.
    public func alignment(step: Int, totalSteps: Int) -> Float? {
        switch configuration.alignmentSchedule {
        case .constant:
            return configuration.alignment
        case .linearDecay:
            return configuration.alignment * max(0, 1 - Float(step) / Float(max(1, totalSteps)))
        case .off:
            return nil
        }
    }

    /// Z = Z0 − [(⟨S^r, Z0⟩ − ξ√δ‖S^r‖)/‖S^r‖²]·S^r with S^r = diag(σ), so that ⟨S^r, Z⟩ = ξ√δ‖S^r‖
    /// (only the diagonal of Z0 moves). Z0 unchanged when S^r = 0. Inner products in double precision.
    public static func alignedCoefficients(_ z0: [Float], singularValues: [Float], sign: Float, alignment: Float) -> [Float] {
        let r = singularValues.count
        precondition(z0.count == r * r)
        var normSquared = 0.0, inner = 0.0
        for i in 0..<r {
            normSquared += Double(singularValues[i]) * Double(singularValues[i])
            inner += Double(singularValues[i]) * Double(z0[i * r + i])
        }
        guard normSquared > 0 else { return z0 }
        let target = Double(sign) * Double(alignment).squareRoot() * normSquared.squareRoot()
        let factor = (inner - target) / normSquared
        var z = z0
        for i in 0..<r { z[i * r + i] = Float(Double(z0[i * r + i]) - factor * Double(singularValues[i])) }
        return z
    }

    /// Z = Z⊥ + ξ·t·Ŝ with Ŝ = S^r/‖S^r‖ = diag(σ)/‖σ‖, Z⊥ = Z0 − ⟨Ŝ, Z0⟩Ŝ and t = c‖Z⊥‖/√(1 − c²), so
    /// that cos(Z, S^r) = ξc (only the diagonal of Z0 moves). Z0 unchanged when S^r = 0 or when Z0 has
    /// no part orthogonal to it (r = 1: the subspace is S^r's own line).
    public static func cosineAlignedCoefficients(_ z0: [Float], singularValues: [Float], sign: Float, cosine: Float) -> [Float] {
        let r = singularValues.count
        precondition(z0.count == r * r && cosine >= 0 && cosine < 1)
        let norm = singularValues.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
        guard norm > 0 else { return z0 }
        var along = 0.0, total = 0.0
        for i in 0..<r { along += Double(singularValues[i]) / norm * Double(z0[i * r + i]) }
        for value in z0 { total += Double(value) * Double(value) }
        let orthogonal = max(0, total - along * along).squareRoot()
        guard orthogonal > 0 else { return z0 }
        let c = Double(cosine)
        let target = Double(sign) * c * orthogonal / (1 - c * c).squareRoot()
        var z = z0
        for i in 0..<r {
            z[i * r + i] = Float(Double(z0[i * r + i]) + (target - along) * Double(singularValues[i]) / norm)
        }
        return z
    }

    /// ξ ∈ {−1, +1} for `tensorIndex` (or for the whole step) from the step seed.
    func sign(seed: UInt64, tensorIndex: Int) -> Float {
        let tensor = configuration.sign == .perTensor ? tensorIndex : -1
        return GaussianStream(seed: seed, tensor: tensor, kind: .signs).bits(at: 0) & 1 == 0 ? 1 : -1
    }

    func direction(seed: UInt64, state: State, parameters: TrainableSet, context: StepContext) -> SubspaceDirection {
        let delta = alignment(step: context.step, totalSteps: context.totalSteps)
        return SubspaceDirection(seed: seed, parameters: parameters, bases: state.bases, factored: Set(state.factoredTensors ?? [])) {
            tensor, basis in
            let r = basis.rank
            let z0 = GaussianStream(seed: seed, tensor: tensor.index, kind: .coefficients).normals(0..<(r * r))
            let z = delta.map {
                let xi = sign(seed: seed, tensorIndex: tensor.index)
                return configuration.alignmentMode == .cosine
                    ? Self.cosineAlignedCoefficients(z0, singularValues: basis.singularValues, sign: xi, cosine: $0)
                    : Self.alignedCoefficients(z0, singularValues: basis.singularValues, sign: xi, alignment: $0)
            } ?? z0
            let scale: Float = configuration.directionScale == .subspaceVolume
                ? subspaceScale(rows: basis.rows, columns: basis.columns, rank: r) : 1
            return (z, scale)
        }
    }
}

extension PGAP.AlignmentSchedule: SettingValue {}
extension PGAP.AlignmentMode: SettingValue {}
extension PGAP.SignMode: SettingValue {}
extension PGAP.DirectionScale: SettingValue {}
