import ArgumentParser
import ZOEstimators
import ZOTraining

/// Estimator options. Each is optional: unset means the method's default (shown per method in
/// `zotune train --help` discussion); setting one the chosen method does not use is an error.
struct MethodOptions: ParsableArguments {
    @Option(name: .long, help: "Zeroth-order method: mezo, subzero, dizo or pgap.")
    var method: String = PGAP.name

    @Option(name: .long, parsing: .unconditional, help: ArgumentHelp("Perturbation scale ε (all methods; default 1e-3).", valueName: "ε"))
    var epsilon: Float?

    @Option(name: .long, parsing: .unconditional, help: "Directions averaged per step, n-SPSA (mezo, dizo; default 1).")
    var directions: Int?

    @Option(name: .long, parsing: .unconditional, help: "Weight decay λ on matrices and embeddings (mezo, subzero, pgap; default 0).")
    var weightDecay: Float?

    @Option(name: .long, parsing: .unconditional, help: "Subspace rank r (subzero default 8, pgap default 64).")
    var rank: Int?

    @Option(name: .long, parsing: .unconditional, help: "Steps per subspace window: subzero's T0 (default 1000), pgap's k (default 100).")
    var window: Int?

    @Option(name: .long, help: "subzero, pgap: apply U Z Vᵀ materialised (into W), factored (added by the forward), or auto (per tensor by a cost model; default).")
    var lowRankApply: LowRankApplication?

    @Option(name: .long, parsing: .unconditional, help: "pgap: probes h per window (default 10).")
    var probes: Int?

    @Option(name: .long, parsing: .unconditional, help: "pgap: ε of the probes (default: --epsilon).")
    var probeEpsilon: Float?

    @Option(name: .long, parsing: .unconditional, help: "pgap: alignment δ₀ (default 2.0).")
    var alignment: Float?

    @Option(name: .long, help: "pgap: δ schedule, linear (to 0 over the run), constant, or off (no alignment: random directions in the estimated subspace) (default linear).")
    var alignmentSchedule: PGAP.AlignmentSchedule?

    @Option(name: .long, help: "pgap: sign ξ per tensor or per step: tensor|step (default tensor).")
    var sign: PGAP.SignMode?

    @Option(name: .long, help: "pgap: scale of U Z Vᵀ: subspace (√(mn)/r, default) or none.")
    var directionScale: PGAP.DirectionScale?

    @Option(name: .long, help: "pgap: whether embeddings take the low-rank path: true|false (default true).")
    var lowRankEmbeddings: Bool?

    @Option(name: .long, parsing: .unconditional, help: "dizo: steps between projection phases κ (default 50).")
    var projectionInterval: Int?

    @Option(name: .long, parsing: .unconditional, help: "dizo: inner iterations per projection phase (default 10).")
    var projectionIterations: Int?

    @Option(name: .long, parsing: .unconditional, help: "dizo: ε of the projection phase (default 0.1).")
    var projectionEpsilon: Float?

    @Option(name: .long, parsing: .unconditional, help: "dizo: step size of the projection phase (default 2.0).")
    var projectionLR: Float?

    @Option(name: .long, parsing: .unconditional, help: "dizo: clip γ to [1−τ, 1+τ]·‖Δ‖ (default 0.2).")
    var projectionRadius: Float?

    @Option(name: .long, parsing: .upToNextOption, help: "dizo: name suffixes (or globs) of projected tensors (default: every family's attention key and value projections).")
    var projectedTensors: [String] = []

    /// Largest `--rank`, `--probes`, `--directions`: beyond it a step's memory or time is absurd.
    static let countLimit = 4096

    /// Refuses values no method can use, before anything is loaded or written.
    func validate() throws {
        for (flag, value) in [("--epsilon", epsilon), ("--probe-epsilon", probeEpsilon), ("--projection-epsilon", projectionEpsilon),
                              ("--projection-lr", projectionLR)] {
            if let value, !(value.isFinite && value > 0) {
                throw ValidationError("\(flag) must be a finite number > 0, got \(value).")
            }
        }
        for (flag, value) in [("--weight-decay", weightDecay), ("--alignment", alignment), ("--projection-radius", projectionRadius)] {
            if let value, !(value.isFinite && value >= 0) {
                throw ValidationError("\(flag) must be a finite number ≥ 0, got \(value).")
            }
        }
        for (flag, value) in [("--rank", rank), ("--probes", probes), ("--directions", directions), ("--window", window),
                              ("--projection-interval", projectionInterval), ("--projection-iterations", projectionIterations)] {
            guard let value else { continue }
            let limit = flag == "--window" || flag == "--projection-interval" ? Int(Int32.max) : Self.countLimit
            guard (1...limit).contains(value) else { throw ValidationError("\(flag) must be between 1 and \(limit), got \(value).") }
        }
    }

    /// The method's configuration with the given options applied.
    func configuration() throws -> MethodConfiguration {
        var used: Set<String> = []
        func take<T>(_ value: T?, _ flag: String, into target: inout T) {
            if let value { target = value; used.insert(flag) }
        }
        // For optional settings (nil = derived default): without this overload T would be the
        // optional itself and an unset flag would count as given.
        func take<T>(_ value: T?, _ flag: String, into target: inout T?) {
            if let value { target = value; used.insert(flag) }
        }
        let given: [(String, Bool)] = [
            ("--epsilon", epsilon != nil), ("--directions", directions != nil), ("--weight-decay", weightDecay != nil),
            ("--rank", rank != nil), ("--window", window != nil), ("--low-rank-apply", lowRankApply != nil),
            ("--probes", probes != nil),
            ("--probe-epsilon", probeEpsilon != nil), ("--alignment", alignment != nil),
            ("--alignment-schedule", alignmentSchedule != nil), ("--sign", sign != nil),
            ("--direction-scale", directionScale != nil), ("--low-rank-embeddings", lowRankEmbeddings != nil),
            ("--projection-interval", projectionInterval != nil), ("--projection-iterations", projectionIterations != nil),
            ("--projection-epsilon", projectionEpsilon != nil), ("--projection-lr", projectionLR != nil),
            ("--projection-radius", projectionRadius != nil), ("--projected-tensors", !projectedTensors.isEmpty),
        ]
        let result: MethodConfiguration
        switch try MethodConfiguration.defaults(for: method) {
        case var .mezo(c):
            take(epsilon, "--epsilon", into: &c.perturbationScale)
            take(directions, "--directions", into: &c.directions)
            take(weightDecay, "--weight-decay", into: &c.weightDecay)
            result = .mezo(c)
        case var .subzero(c):
            take(epsilon, "--epsilon", into: &c.perturbationScale)
            take(rank, "--rank", into: &c.rank)
            take(window, "--window", into: &c.refreshInterval)
            take(weightDecay, "--weight-decay", into: &c.weightDecay)
            take(lowRankApply, "--low-rank-apply", into: &c.lowRankApplication)
            result = .subzero(c)
        case var .dizo(c):
            take(epsilon, "--epsilon", into: &c.perturbationScale)
            take(directions, "--directions", into: &c.directions)
            take(projectionInterval, "--projection-interval", into: &c.projectionInterval)
            take(projectionIterations, "--projection-iterations", into: &c.projectionIterations)
            take(projectionEpsilon, "--projection-epsilon", into: &c.projectionPerturbation)
            take(projectionLR, "--projection-lr", into: &c.projectionStepSize)
            take(projectionRadius, "--projection-radius", into: &c.projectionRadius)
            take(projectedTensors.isEmpty ? nil : projectedTensors, "--projected-tensors", into: &c.projectedTensorPatterns)
            result = .dizo(c)
        case var .pgap(c):
            take(epsilon, "--epsilon", into: &c.perturbationScale)
            take(rank, "--rank", into: &c.rank)
            take(window, "--window", into: &c.windowLength)
            take(probes, "--probes", into: &c.probeCount)
            take(probeEpsilon, "--probe-epsilon", into: &c.probeScale)
            take(alignment, "--alignment", into: &c.alignment)
            take(alignmentSchedule, "--alignment-schedule", into: &c.alignmentSchedule)
            take(sign, "--sign", into: &c.signMode)
            take(directionScale, "--direction-scale", into: &c.directionScale)
            take(lowRankEmbeddings, "--low-rank-embeddings", into: &c.lowRankEmbeddings)
            take(weightDecay, "--weight-decay", into: &c.weightDecay)
            take(lowRankApply, "--low-rank-apply", into: &c.lowRankApplication)
            result = .pgap(c)
        }
        if let unused = given.first(where: { $0.1 && !used.contains($0.0) }) {
            throw ValidationError("\(unused.0) does not apply to --method \(method).")
        }
        return result
    }
}

extension PGAP.AlignmentSchedule: ExpressibleByArgument {}
extension LowRankApplication: ExpressibleByArgument {}
extension PGAP.SignMode: ExpressibleByArgument {}
extension PGAP.DirectionScale: ExpressibleByArgument {}
