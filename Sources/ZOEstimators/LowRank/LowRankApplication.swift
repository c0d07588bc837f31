import ZOTensor

/// How a subspace estimator (SubZero, P-GAP) applies P = c·U·Z·Vᵀ to a weight.
public enum LowRankApplication: String, Codable, Sendable, CaseIterable, SettingValue {
    /// Per tensor, whichever `LowRankCostModel` says is cheaper for this model and batch.
    case auto
    /// W += c·U·Z·Vᵀ as one rank-r GEMM into W, three times per step (`LowRankUpdate`).
    case materialised
    /// W untouched inside a window; the forward adds U·M·Vᵀ (`LowRankDelta`), folded into W when
    /// the bases change.
    case factored
}

/// Multiply-adds per training step of the two ways to apply a rank-r perturbation to an m×n weight.
///
/// Materialised: three rank-r GEMMs over W per step (+εP, −2εP, restore-and-update), m·n·r each,
/// whatever the batch. Factored: the two forwards of a step each pay r·(m+n) per activation row
/// the weight multiplies, plus R = V·Mᵀ after each of the three coefficient changes and the fold
/// once per window. Factored wins for large matrices and few rows — above all the embedding, which
/// a forward only gathers rows from — and materialised for small matrices and large batches.
public enum LowRankCostModel {
    /// Materialised cost per step.
    public static func materialised(rows m: Int, columns n: Int, rank r: Int) -> Double {
        3 * (Double(m) * Double(n) * Double(r) + Double(n) * Double(r * r))
    }

    /// How much slower a factored multiply-add runs than a materialised one: its GEMMs are skinny
    /// (tokens × n × r, then tokens × r × m) while the materialised update is a large m × n × r.
    /// Measured with `zotune-bench --training-step` on SmolLM2-135M (P-GAP rank 64, 420 tokens):
    /// every tensor factored took as long as every tensor materialised with ≈ 35 % fewer
    /// multiply-adds.
    public static let factoredSlowdown = 1.5

    /// Factored cost per step, in materialised-equivalent multiply-adds; `activationRows` as in
    /// `TrainableSet.activationRows`.
    public static func factored(rows m: Int, columns n: Int, rank r: Int, activationRows: Double, windowLength: Int) -> Double {
        let perForward = activationRows * Double(r) * Double(m + n)
        let fold = Double(m) * Double(n) * Double(r) / Double(max(1, windowLength))
        return factoredSlowdown * (2 * perForward + 3 * Double(n) * Double(r * r)) + fold
    }
}

/// Which low-rank tensors run factored. Decided once per run, at its first step, from the option,
/// the shapes and `TrainableSet.activationRows`; then kept in the estimator state and written to the
/// first seed-log record, so resume and replay apply every tensor the same way (the two ways agree
/// only to rounding, not bit for bit).
enum LowRankPlan {
    static func factoredTensors(
        _ tensors: [TrainableTensor], rank: Int, application: LowRankApplication, windowLength: Int,
        weightDecay: Float, parameters: TrainableSet
    ) -> [Int] {
        tensors.filter { tensor in
            // Only base weights have a forward that adds deltas; adapters are small and materialised.
            guard let (m, n) = tensor.matrixShape, tensor.entry.role != .adapter else { return false }
            // Weight decay scales W itself, which the factored form leaves untouched inside a window.
            let decays = weightDecay != 0 && WeightDecay.applies(to: tensor.entry.role)
            switch application {
            case .materialised: return false
            case .factored: return !decays
            case .auto:
                guard !decays, let rows = parameters.activationRows[tensor.index] else { return false }
                let r = min(rank, m, n)
                return LowRankCostModel.factored(rows: m, columns: n, rank: r, activationRows: rows, windowLength: windowLength)
                    < LowRankCostModel.materialised(rows: m, columns: n, rank: r)
            }
        }.map(\.index)
    }

    /// Makes the arena's delta of every factored tensor belong to the bases of window `tag`: a delta
    /// from an earlier window is folded into W first. A delta already on `tag` (resumed from a
    /// checkpoint) is kept as is.
    static func installDeltas(_ factored: [Int], bases: [Int: LowRankBasis], tag: Int, parameters: TrainableSet) {
        let arena = parameters.arena
        for index in factored {
            guard let basis = bases[index], arena.delta(index)?.tag != tag else { continue }
            arena.foldDelta(index)
            arena.setDelta(
                LowRankDelta(rows: basis.rows, columns: basis.columns, rank: basis.rank, left: basis.left,
                             right: basis.right, tag: tag),
                for: index)
        }
    }

    /// The plan in force at a step: `stored` (from the state) or, at a run's first step, `decide()`,
    /// which is then stored and written into `record`.
    static func resolve(_ stored: inout [Int]?, record: inout StepRecord, decide: () -> [Int]) -> [Int] {
        if let stored { return stored }
        let plan = decide()
        stored = plan
        record.extraSeeds[RecordKey.factoredTensors] = plan.map { UInt64($0) }
        return plan
    }

    /// Replay's counterpart of `resolve`: the plan recorded in `record`, else the stored one, else
    /// none (logs written before factored application existed are all materialised).
    static func adopt(_ stored: inout [Int]?, from record: StepRecord) -> [Int] {
        if let recorded = record.extraSeeds[RecordKey.factoredTensors] { stored = recorded.map { Int($0) } }
        if stored == nil { stored = [] }
        return stored!
    }
}
