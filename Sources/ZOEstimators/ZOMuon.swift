import ZORandom
import ZOTensor

/// ZO-Muon (Lang et al. 2026, "Powering Up Zeroth-Order Training via Subspace Gradient
/// Orthogonalization"), as the authors' `LowDimTrainer` with `--zo_optimizer muon` defines it:
///
/// - every 2-D tensor W (m×n) gets a one-sided subspace: P (m×r, orthonormal columns, the Q factor
///   of a Gaussian matrix) redrawn every `window` steps; a step perturbs W by ε·P·U with a fresh
///   Gaussian U (r×n). Other tensors get dense Gaussian perturbations.
/// - N = 1: the two-point estimate g = (L₊ − L₋)/2ε. N ≥ 2: one-sided probes against the
///   unperturbed loss, gᵢ = (L(θ + εPᵢ) − L(θ))/ε (their `multiple_sample` mode, N + 1 forwards).
/// - update: M = (1/N)·Σ gᵢUᵢ, orthogonalised by five quintic Newton–Schulz iterations (Muon's
///   coefficients 3.4445, −4.7750, 2.0315 after dividing by ‖M‖_F), and W ← W − η·(P·NS(M) + λW).
///   The step's size is set by η alone (NS(M) has singular values near 1): learning rates are not MeZO's.
/// - other tensors: W ← W − η_v·(1/N)·Σ gᵢzᵢ with η_v = `vectorLearningRate` (the authors' code fixes
///   it at 1e-7, whatever η).
///
/// Restoring the last probe and the update are one pass per tensor (for a matrix one rank-r GEMM:
/// W ← βW + P·(c·U_last − η·NS(M)), β = 1 − ηλ). Bases come from seed derive(runSeed, .subspaceBasis,
/// window) and are recomputed on resume and replay, never saved.
public struct ZOMuon: ConfigurableEstimator {
    /// What the averaged r×n estimate goes through before the update.
    public enum Orthogonalization: String, Codable, Sendable, CaseIterable {
        /// Muon's quintic Newton–Schulz iteration (the method).
        case newtonSchulz = "newton-schulz"
        /// None: a plain projected step (the authors' `sgd` option; the ablation).
        case none
    }

    public struct Configuration: EstimatorConfiguration {
        /// ε. `--epsilon`; default 1e-3 (the authors' script).
        public var epsilon: Float
        /// r, rows of U per matrix (clamped to min(m, n)). `--rank`; default 2 (the authors' script).
        public var rank: Int
        /// Steps between redraws of P. `--window`; default 100 (the authors' script).
        public var window: Int
        /// N: 1 = two-point; ≥ 2 = N one-sided probes and the unperturbed loss. `--directions`; default 1.
        public var directions: Int
        /// `--orthogonalization newton-schulz|none`; default newton-schulz.
        public var orthogonalization: Orthogonalization
        /// η_v for tensors without a subspace (norms, biases). `--vector-learning-rate`; default 1e-7.
        public var vectorLearningRate: Float
        /// λ on matrices and embeddings. `--weight-decay`; default 0.
        public var weightDecay: Float

        public init(
            epsilon: Float = 1e-3, rank: Int = 2, window: Int = 100, directions: Int = 1,
            orthogonalization: Orthogonalization = .newtonSchulz, vectorLearningRate: Float = 1e-7, weightDecay: Float = 0
        ) {
            self.epsilon = epsilon
            self.rank = rank
            self.window = window
            self.directions = directions
            self.orthogonalization = orthogonalization
            self.vectorLearningRate = vectorLearningRate
            self.weightDecay = weightDecay
        }

        public static var defaults: Configuration { Configuration() }

        public static let settings: [MethodSetting<Configuration>] = [
            MethodSetting("epsilon", \.epsilon, .positive, help: "Perturbation scale ε (default 1e-3)."),
            MethodSetting("rank", \.rank, .count, help: "Rows r of each matrix's perturbation U, P·U with P m×r (default 2)."),
            MethodSetting("window", \.window, .steps, help: "Steps between redraws of the projections P (default 100)."),
            MethodSetting("directions", \.directions, .count,
                          help: "1: two-point estimate; N ≥ 2: N one-sided probes against the unperturbed loss, N + 1 forward passes (default 1)."),
            MethodSetting("orthogonalization", \.orthogonalization,
                          help: "newton-schulz (Muon's quintic iteration) or none (a plain projected step) (default newton-schulz)."),
            MethodSetting("vectorLearningRate", \.vectorLearningRate, .nonNegative,
                          help: "Learning rate of norms and biases, which have no subspace (default 1e-7, the authors' constant)."),
            MethodSetting("weightDecay", \.weightDecay, .nonNegative, help: "Weight decay λ on matrices and embeddings (default 0)."),
        ]
    }

    /// Saved: the skipped-step count. Cached (rebuilt on demand, never encoded): the window's P.
    public struct State: Codable, Sendable, Equatable {
        public var skippedSteps: Int = 0
        /// Seed the cached projections were drawn from.
        public internal(set) var basisSeed: UInt64?
        /// P (m×r row-major) per matrix, by `TrainableTensor.index`.
        public internal(set) var projections: [Int: [Float]] = [:]

        public init() {}

        enum CodingKeys: String, CodingKey { case skippedSteps }
    }

    public static let name = "zo-muon"
    public static let typicalLearningRate: Float = 1e-2
    public static let summary = "one-sided random subspaces, estimate orthogonalised by Newton-Schulz (ZO-Muon)"

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

    var oneSided: Bool { configuration.directions > 1 }

    public func step(
        _ parameters: TrainableSet, state: inout State, context: StepContext, oracle: LossOracle
    ) throws -> StepOutcome {
        let basisSeed = SubZero.basisSeed(runSeed: context.runSeed, window: context.step / configuration.window)
        var record = StepRecord(
            step: context.step, learningRate: context.learningRate, extraSeeds: [RecordKey.subspaceBasisSeed: [basisSeed]])
        try prepareProjections(&state, seed: basisSeed, parameters: parameters)
        let probes = Probes(projections: state.projections, parameters: parameters, rank: configuration.rank, engine: engine)
        let epsilon = configuration.epsilon
        record.seeds = (0..<configuration.directions).map {
            MeZO.directionSeed(runSeed: context.runSeed, step: context.step, direction: $0)
        }
        var losses: [Float] = []
        var gradients: [Float]?
        if oneSided {
            let seeds = record.seeds
            let measured = try OneSidedProbes.evaluate(
                count: seeds.count, oracle: oracle,
                walk: { probes.apply($0 == 0 ? [(seeds[0], epsilon)] : [(seeds[$0 - 1], -epsilon), (seeds[$0], epsilon)]) },
                undo: { probes.apply([(seeds[$0], -epsilon)]) })
            let base = measured.base
            guard base.isFinite else {
                // Every gᵢ would be meaningless: skip, as FZOO does (replay sees no seeds).
                if measured.walked { finish(probes, seeds: seeds, gradients: nil, learningRate: context.learningRate) }
                record.seeds = []
                record.skipped = true
                state.skippedSteps += 1
                return StepOutcome(loss: base, forwardPasses: measured.forwardPasses, record: record)
            }
            losses = [base] + measured.probes
            let scaled = losses.dropFirst().map { ($0 - base) / epsilon }
            gradients = losses.allSatisfy(\.isFinite) && scaled.allSatisfy(\.isFinite) ? scaled : nil
        } else {
            let seed = record.seeds[0]
            let (plus, minus) = try TwoPointProtocol.evaluate(epsilon: epsilon, oracle: oracle) { probes.apply([(seed, $0)]) }
            losses = [plus, minus]
            gradients = TwoPointProtocol.projectedGradient(plus: plus, minus: minus, epsilon: epsilon).map { [$0] }
        }
        record.gradients = gradients ?? Array(repeating: 0, count: record.seeds.count)
        record.skipped = gradients == nil
        if record.skipped { state.skippedSteps += 1 }
        finish(probes, seeds: record.seeds, gradients: gradients, learningRate: context.learningRate)
        let perturbed = oneSided ? Array(losses.dropFirst()) : losses
        return StepOutcome(loss: mean(perturbed), forwardPasses: losses.count, record: record)
    }

    public func replay(_ record: StepRecord, parameters: TrainableSet, state: inout State, context: StepContext) throws {
        if oneSided, record.skipped, record.seeds.isEmpty {
            state.skippedSteps += 1
            return
        }
        guard record.seeds.count == configuration.directions, record.gradients.count == record.seeds.count else {
            throw EstimatorError.recordMismatch(
                "step \(record.step): \(record.seeds.count) seeds and \(record.gradients.count) gradients for --directions \(configuration.directions)")
        }
        let basisSeed = record.extraSeeds[RecordKey.subspaceBasisSeed]?.first
            ?? SubZero.basisSeed(runSeed: context.runSeed, window: record.step / configuration.window)
        try prepareProjections(&state, seed: basisSeed, parameters: parameters)
        let probes = Probes(projections: state.projections, parameters: parameters, rank: configuration.rank, engine: engine)
        let epsilon = configuration.epsilon
        if oneSided {
            for probe in record.seeds.indices {
                probes.apply(probe == 0 ? [(record.seeds[0], epsilon)] : [(record.seeds[probe - 1], -epsilon), (record.seeds[probe], epsilon)])
            }
        } else {
            TwoPointProtocol.replayEvaluation(epsilon: epsilon) { probes.apply([(record.seeds[0], $0)]) }
        }
        if record.skipped { state.skippedSteps += 1 }
        finish(probes, seeds: record.seeds, gradients: record.skipped ? nil : record.gradients, learningRate: record.learningRate)
    }

    /// From the last probe's point (θ − εP for two-point, θ + εP one-sided): restore, then unless
    /// `gradients` is nil apply the update, in one pass per tensor.
    func finish(_ probes: Probes, seeds: [UInt64], gradients: [Float]?, learningRate: Float) {
        let last = seeds.count - 1
        let restore = oneSided ? -configuration.epsilon : configuration.epsilon
        guard let gradients else {
            probes.apply([(seeds[last], restore)])
            return
        }
        let n = Float(seeds.count)
        let decay = 1 - learningRate * configuration.weightDecay
        probes.update(
            restore: (seeds[last], restore), estimate: zip(seeds, gradients).map { ($0, $1 / n) },
            learningRate: learningRate, vectorLearningRate: configuration.vectorLearningRate, decayFactor: decay,
            orthogonalize: configuration.orthogonalization == .newtonSchulz)
    }

    /// P per matrix: the Q factor of a Gaussian m×r matrix z(seed, tensor, .basisRows).
    func prepareProjections(_ state: inout State, seed: UInt64, parameters: TrainableSet) throws {
        guard state.basisSeed != seed || state.projections.isEmpty else { return }
        var projections: [Int: [Float]] = [:]
        for tensor in parameters.tensors {
            guard let (m, n) = tensor.matrixShape else { continue }
            projections[tensor.index] = try LowRankBasis.orthonormalGaussian(
                m, min(configuration.rank, m, n), GaussianStream(seed: seed, tensor: tensor.index, kind: .basisRows))
        }
        state.projections = projections
        state.basisSeed = seed
    }

    /// Muon's quintic Newton–Schulz iteration on a rows×columns row-major matrix: X = G/(‖G‖_F + 1e-7),
    /// then five times A = XXᵀ, X ← aX + (bA + cA²)X with (a, b, c) = (3.4445, −4.7750, 2.0315), on the
    /// orientation with rows ≤ columns. Approximately U·Vᵀ of G's SVD (singular values pushed into
    /// ≈ [0.7, 1.2]). Double precision, fixed loop order: the same bits in step and replay.
    public static func newtonSchulz(_ g: [Float], rows: Int, columns: Int, iterations: Int = 5) -> [Float] {
        precondition(g.count == rows * columns)
        let wide = rows <= columns
        let (r, c) = wide ? (rows, columns) : (columns, rows)
        var x = [Double](repeating: 0, count: r * c)
        for i in 0..<rows { for j in 0..<columns { x[wide ? i * c + j : j * c + i] = Double(g[i * columns + j]) } }
        let norm = x.reduce(0) { $0 + $1 * $1 }.squareRoot() + 1e-7
        for k in x.indices { x[k] /= norm }
        let (a, b, cc) = (3.4445, -4.7750, 2.0315)
        for _ in 0..<iterations {
            var gram = [Double](repeating: 0, count: r * r)
            for i in 0..<r { for j in 0..<r {
                var sum = 0.0
                for k in 0..<c { sum += x[i * c + k] * x[j * c + k] }
                gram[i * r + j] = sum
            } }
            var mix = [Double](repeating: 0, count: r * r)  // bA + cA²
            for i in 0..<r { for j in 0..<r {
                var square = 0.0
                for k in 0..<r { square += gram[i * r + k] * gram[k * r + j] }
                mix[i * r + j] = b * gram[i * r + j] + cc * square
            } }
            var next = [Double](repeating: 0, count: r * c)
            for i in 0..<r {
                for k in 0..<r {
                    let m = mix[i * r + k]
                    for j in 0..<c { next[i * c + j] += m * x[k * c + j] }
                }
                for j in 0..<c { next[i * c + j] += a * x[i * c + j] }
            }
            x = next
        }
        var out = [Float](repeating: 0, count: rows * columns)
        for i in 0..<rows { for j in 0..<columns { out[i * columns + j] = Float(x[wide ? i * c + j : j * c + i]) } }
        return out
    }

    /// The step's perturbations over the trainable tensors: ε·P·U(seed) on matrices (U r×n from
    /// z(seed, tensor, .coefficients)), dense z(seed, tensor) elsewhere.
    struct Probes {
        let projections: [Int: [Float]]
        let parameters: TrainableSet
        let rank: Int
        let engine: PerturbationEngine

        var matrices: [TrainableTensor] { parameters.tensors.filter { projections[$0.index] != nil } }
        var vectors: [TrainableTensor] { parameters.tensors.filter { projections[$0.index] == nil } }

        /// U (r×n row-major) of `tensor` for `seed`.
        func coefficients(_ seed: UInt64, _ tensor: TrainableTensor, rank r: Int) -> [Float] {
            GaussianStream(seed: seed, tensor: tensor.index, kind: .coefficients).normals(0..<(r * tensor.matrixShape!.columns))
        }

        /// θ += Σ c_k·P_k over the terms (seed_k, c_k): one rank-r GEMM per matrix, one sweep for the rest.
        func apply(_ terms: [(seed: UInt64, coefficient: Float)]) {
            engine.apply(DenseSweep(seeds: terms.map(\.seed), coefficients: terms.map(\.coefficient)), to: vectors, in: parameters)
            for tensor in matrices {
                let r = projections[tensor.index]!.count / tensor.matrixShape!.rows
                var sum = [Float](repeating: 0, count: r * tensor.matrixShape!.columns)
                for term in terms {
                    let u = coefficients(term.seed, tensor, rank: r)
                    for k in sum.indices { sum[k] += term.coefficient * u[k] }
                }
                accumulate(sum, into: tensor, decayFactor: 1)
            }
        }

        /// W ← β·W + P·C for C (r×n row-major): one GEMM, C transposed into the weight operand.
        func accumulate(_ c: [Float], into tensor: TrainableTensor, decayFactor: Float) {
            let (m, n) = tensor.matrixShape!
            let p = projections[tensor.index]!
            let r = p.count / m
            var transposed = [Float](repeating: 0, count: n * r)
            for i in 0..<r { for j in 0..<n { transposed[j * r + i] = c[i * n + j] } }
            p.withUnsafeBufferPointer { p in
                transposed.withUnsafeBufferPointer { t in
                    BLAS.linear(p.baseAddress!, rows: m, inner: r, weight: t.baseAddress!, columns: n,
                                into: parameters.pointer(tensor), alpha: 1, beta: decayFactor)
                }
            }
        }

        /// Restore (seed, c) and apply the update −η·P·NS(Σ wᵢUᵢ) (matrices, decayed by β) and
        /// −η_v·Σ wᵢzᵢ (other tensors), one pass per tensor.
        func update(
            restore: (seed: UInt64, coefficient: Float), estimate: [(seed: UInt64, weight: Float)],
            learningRate: Float, vectorLearningRate: Float, decayFactor: Float, orthogonalize: Bool
        ) {
            var seeds = [restore.seed], plain = [restore.coefficient]
            for (index, term) in estimate.enumerated() {
                if term.seed == restore.seed, index == estimate.count - 1 {
                    plain[0] -= vectorLearningRate * term.weight
                } else {
                    seeds.append(term.seed)
                    plain.append(-vectorLearningRate * term.weight)
                }
            }
            engine.apply(DenseSweep(seeds: seeds, coefficients: plain), to: vectors, in: parameters)
            for tensor in matrices {
                let (m, n) = tensor.matrixShape!
                let r = projections[tensor.index]!.count / m
                var average = [Float](repeating: 0, count: r * n)
                for term in estimate {
                    let u = coefficients(term.seed, tensor, rank: r)
                    for k in average.indices { average[k] += term.weight * u[k] }
                }
                let direction = orthogonalize ? ZOMuon.newtonSchulz(average, rows: r, columns: n) : average
                let decayed = WeightDecay.applies(to: tensor.entry.role)
                let beta = decayed ? decayFactor : 1
                let u = coefficients(restore.seed, tensor, rank: r)
                let c = (0..<(r * n)).map { beta * restore.coefficient * u[$0] - learningRate * direction[$0] }
                accumulate(c, into: tensor, decayFactor: beta)
            }
        }
    }
}

extension ZOMuon.Orthogonalization: SettingValue {}
