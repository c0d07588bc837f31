/// The shared skeleton of two-sided SPSA, whatever the direction P (dense or low-rank):
///
///     θ += εP; L₊ = L(θ); θ −= 2εP; L₋ = L(θ); g = (L₊ − L₋)/2ε
///     finite:     θ += (ε − ηg)·P          (restore and update fused: 3 sweeps, not 4)
///     non-finite: θ += εP                  (restore; the step is skipped)
///
/// `perturb(c)` must apply θ += c·P. `step` and `replay` both go through `sweeps` with the same
/// coefficients in the same order, which is what makes replay byte-exact: the restore is not exact
/// in floating point (|error| ≤ 1.5 ulp per element), so replay redoes it instead of assuming it.
enum TwoPointProtocol {
    /// The two perturbation sweeps with a loss after each. If the oracle throws, the weights are put
    /// back (to within the usual rounding) before the error propagates.
    static func evaluate(
        epsilon: Float, oracle: LossOracle, perturb: (Float) -> Void
    ) throws -> (plus: Float, minus: Float) {
        perturb(epsilon)
        let plus: Float
        do { plus = try oracle.loss() } catch {
            perturb(-epsilon)
            throw error
        }
        perturb(-2 * epsilon)
        let minus: Float
        do { minus = try oracle.loss() } catch {
            perturb(epsilon)
            throw error
        }
        return (plus, minus)
    }

    /// The sweeps of `evaluate` without forward passes (replay).
    static func replayEvaluation(epsilon: Float, perturb: (Float) -> Void) {
        perturb(epsilon)
        perturb(-2 * epsilon)
    }

    /// g = (L₊ − L₋)/(2ε), or nil when either loss is not finite.
    static func projectedGradient(plus: Float, minus: Float, epsilon: Float) -> Float? {
        guard plus.isFinite, minus.isFinite else { return nil }
        let g = (plus - minus) / (2 * epsilon)
        return g.isFinite ? g : nil
    }
}

/// Coefficients of the fused restore-and-update sweep θ += (ε − η·g)·P, with MeZO's weight decay
/// θ ← θ − η(g·P + λθ) folded in for the tensors it applies to (see `WeightDecay`).
struct UpdateCoefficients: Equatable {
    /// For tensors without decay: ε − η·g.
    var plain: Float
    /// 1 − η·λ.
    var decayFactor: Float
    /// For decayed tensors: ε·(1 − ηλ) − η·g.
    var decayed: Float

    /// `gradient` is the already averaged g (g_j/q for n-SPSA); `restore` is ε for the direction
    /// whose −ε point the weights sit at, 0 for directions already restored.
    init(restore epsilon: Float, learningRate: Float, gradient: Float, weightDecay: Float) {
        let step = learningRate * gradient
        decayFactor = 1 - learningRate * weightDecay
        plain = epsilon - step
        decayed = epsilon * decayFactor - step
    }

    var hasDecay: Bool { decayFactor != 1 }
}

/// Keys of the method-specific entries of `StepRecord.scalars` / `.extraSeeds`.
public enum RecordKey {
    /// SubZero: the seed of the window's random bases (one per record).
    public static let subspaceBasisSeed = "subzero.basisSeed"
    /// SubZero with `--subspace-source activations`, first step of a window: the activation bases
    /// (`ActivationSketch.encode`), an attachment.
    public static let activationBases = "lowrank.activationBases"
    /// P-GAP, first step of a window: the h probe seeds …
    public static let probeSeeds = "pgap.probeSeeds"
    /// … and their projected gradients c_j (0 for a probe whose loss was not finite).
    public static let probeGradients = "pgap.probeGradients"
    /// SubZero and P-GAP, first step of a run: indices of the tensors applied factored.
    public static let factoredTensors = "lowrank.factored"
    /// DiZO, projection steps: final γ/‖Δ‖ per projected tensor, in `anchorTensors` order.
    public static let projectionRatios = "dizo.ratios"
}
