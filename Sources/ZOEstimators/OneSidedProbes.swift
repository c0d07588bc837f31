/// N one-sided probes L(θ + εzᵢ) against the unperturbed L(θ) (FZOO, ZO-Muon with N ≥ 2), walked
/// θ + εz_{i−1} → θ + εz_i. In a direction-parallel run the N + 1 evaluations (the probes, then the
/// unperturbed loss) are shared among the processes (`LossOracle.evaluates`): each walks every probe,
/// evaluates only its own, and the losses are gathered, so every process ends at the same weights
/// with the same losses — the single-process run's, bit for bit.
enum OneSidedProbes {
    struct Losses {
        /// L(θ); the probes are not evaluated when one process runs them all and this is not finite.
        let base: Float
        let probes: [Float]
        /// Whether the weights were moved to the last probe (false: still θ).
        let walked: Bool
        /// Forward passes of the whole step, over every process.
        let forwardPasses: Int
    }

    /// `walk(i)` moves the weights to probe i (from probe i − 1, or from θ for i = 0); `undo(i)` takes
    /// probe i's perturbation back when its loss throws.
    static func evaluate(count: Int, oracle: LossOracle, walk: (Int) -> Void, undo: (Int) -> Void) throws -> Losses {
        let slots = count + 1
        let alone = (0..<slots).allSatisfy { oracle.evaluates(direction: $0, of: slots) }
        var local = [[Float]](repeating: [], count: slots)
        if oracle.evaluates(direction: count, of: slots) {
            let base = try oracle.loss()
            // One process alone skips the probes when L(θ) is unusable (no weight moved, one pass spent).
            if alone && !base.isFinite { return Losses(base: base, probes: [], walked: false, forwardPasses: 1) }
            local[count] = [base]
        }
        for probe in 0..<count {
            walk(probe)
            guard oracle.evaluates(direction: probe, of: slots) else { continue }
            do { local[probe] = [try oracle.loss()] } catch {
                undo(probe)
                throw error
            }
        }
        let losses = try oracle.gatherDirectionLosses(local, perDirection: 1)
        return Losses(base: losses[count][0], probes: losses[..<count].map { $0[0] }, walked: true, forwardPasses: slots)
    }
}
