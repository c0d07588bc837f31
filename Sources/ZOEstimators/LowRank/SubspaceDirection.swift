/// One step's direction for the subspace methods (SubZero, P-GAP): on each low-rank tensor
/// P_ℓ = scale_ℓ · U_ℓ Z_ℓ V_ℓᵀ, on every other tensor a dense Gaussian z(seed, ℓ).
///
/// Each component is applied materialised (W += c·P, a rank-r GEMM into W: `LowRankUpdate`) or
/// factored (M += c·scale·Z in the tensor's `LowRankDelta`, which the forward adds), per the
/// run's `LowRankPlan`.
struct SubspaceDirection {
    struct Component {
        let tensor: TrainableTensor
        let basis: LowRankBasis
        /// Z, r×r row-major.
        let coefficients: [Float]
        let scale: Float
        /// Whether the arena holds a `LowRankDelta` for this tensor that takes the change instead of W.
        var factored = false
    }

    var seed: UInt64
    var components: [Component]
    var denseTensors: [TrainableTensor]

    /// A low-rank component on every tensor with a basis — its Z and scale from the method — and a
    /// dense Gaussian on the rest.
    init(
        seed: UInt64, parameters: TrainableSet, bases: [Int: LowRankBasis], factored: Set<Int>,
        component: (TrainableTensor, LowRankBasis) -> (coefficients: [Float], scale: Float)
    ) {
        var components: [Component] = []
        var dense: [TrainableTensor] = []
        for tensor in parameters.tensors {
            guard let basis = bases[tensor.index] else {
                dense.append(tensor)
                continue
            }
            let (coefficients, scale) = component(tensor, basis)
            components.append(Component(tensor: tensor, basis: basis, coefficients: coefficients, scale: scale,
                                        factored: factored.contains(tensor.index)))
        }
        self.seed = seed
        self.components = components
        self.denseTensors = dense
    }

    /// θ += c·P (or, with `decay`, θ ← κθ + c′·P on matrices and embeddings).
    func apply(
        _ coefficient: Float, decay: (factor: Float, coefficient: Float)? = nil,
        to parameters: TrainableSet, engine: PerturbationEngine
    ) {
        let sweep = DenseSweep(
            seeds: [seed], coefficients: [coefficient],
            decay: decay.map { WeightDecay(factor: $0.factor, coefficients: [$0.coefficient]) })
        engine.apply(sweep, to: denseTensors, in: parameters)
        for component in components {
            if component.factored {
                guard let delta = parameters.arena.delta(component.tensor.index) else {
                    preconditionFailure("\(component.tensor.entry.name) is planned factored but has no delta")
                }
                // The plan never factors a tensor that decays (`LowRankPlan`).
                delta.accumulate(component.coefficients, scale: coefficient * component.scale)
                continue
            }
            let decayed = decay != nil && WeightDecay.applies(to: component.tensor.entry.role)
            let c = decayed ? decay!.coefficient : coefficient
            LowRankUpdate.apply(
                to: parameters.pointer(component.tensor), basis: component.basis,
                coefficients: component.coefficients, alpha: c * component.scale,
                beta: decayed ? decay!.factor : 1)
        }
    }

    /// The fused restore-and-update sweep, shared by `step` and `replay`.
    func update(
        epsilon: Float, learningRate: Float, gradient: Float, weightDecay: Float,
        parameters: TrainableSet, engine: PerturbationEngine
    ) {
        let coefficients = UpdateCoefficients(
            restore: epsilon, learningRate: learningRate, gradient: gradient, weightDecay: weightDecay)
        apply(
            coefficients.plain,
            decay: coefficients.hasDecay ? (coefficients.decayFactor, coefficients.decayed) : nil,
            to: parameters, engine: engine)
    }

    /// Runs the two-point protocol on this direction: both losses, then update or restore.
    /// Returns (L₊, L₋, g or nil when skipped).
    func twoPointStep(
        epsilon: Float, learningRate: Float, weightDecay: Float, parameters: TrainableSet,
        engine: PerturbationEngine, oracle: LossOracle
    ) throws -> (plus: Float, minus: Float, gradient: Float?) {
        let (plus, minus) = try TwoPointProtocol.evaluate(epsilon: epsilon, oracle: oracle) {
            apply($0, to: parameters, engine: engine)
        }
        let gradient = TwoPointProtocol.projectedGradient(plus: plus, minus: minus, epsilon: epsilon)
        finish(epsilon: epsilon, learningRate: learningRate, gradient: gradient, weightDecay: weightDecay, parameters: parameters, engine: engine)
        return (plus, minus, gradient)
    }

    /// The same sweeps as `twoPointStep`, given the recorded outcome.
    func replay(
        epsilon: Float, learningRate: Float, gradient: Float?, weightDecay: Float,
        parameters: TrainableSet, engine: PerturbationEngine
    ) {
        TwoPointProtocol.replayEvaluation(epsilon: epsilon) { apply($0, to: parameters, engine: engine) }
        finish(epsilon: epsilon, learningRate: learningRate, gradient: gradient, weightDecay: weightDecay, parameters: parameters, engine: engine)
    }

    private func finish(
        epsilon: Float, learningRate: Float, gradient: Float?, weightDecay: Float,
        parameters: TrainableSet, engine: PerturbationEngine
    ) {
        if let gradient {
            update(epsilon: epsilon, learningRate: learningRate, gradient: gradient, weightDecay: weightDecay, parameters: parameters, engine: engine)
        } else {
            apply(epsilon, to: parameters, engine: engine)
        }
    }
}
