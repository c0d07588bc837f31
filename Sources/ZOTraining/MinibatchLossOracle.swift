import ZOEstimators

/// The estimators' view of the task: the objective on the current minibatch at the model's current
/// weights. Counts forward passes (one per `loss()`: all candidates of a batch go in one pass; a
/// `neg-f1` loss is one greedy generation of the batch, counted as one though it runs one forward per
/// generated token on the newest tokens only).
public final class MinibatchLossOracle: LossOracle {
    private let scorer: CandidateScorer
    private let objective: Objective
    private let examples: [EncodedExample]
    private let sampler: MinibatchSampler
    /// A generation task's answers, for `neg-f1`.
    private let generator: AnswerGenerator?
    /// Set in a distributed run: each rank scores its shard of the batch (`data`), or its directions (`directions`).
    private let processGroup: ProcessGroup?
    private let parallelMode: ParallelMode
    private var step = 0
    private var draw = 0
    private var current: [EncodedExample] = []
    public private(set) var forwardPasses = 0

    public init(
        scorer: CandidateScorer, objective: Objective, examples: [EncodedExample], sampler: MinibatchSampler,
        generator: AnswerGenerator? = nil, processGroup: ProcessGroup? = nil, parallelMode: ParallelMode = .data
    ) {
        self.processGroup = processGroup
        self.parallelMode = parallelMode
        precondition(!objective.usesGenerations || generator != nil, "neg-f1 needs a generation task")
        self.scorer = scorer
        self.generator = generator
        self.objective = objective
        self.examples = examples
        self.sampler = sampler
    }

    /// Selects the batch of `step` (draw 0).
    public func begin(step: Int) {
        self.step = step
        draw = 0
        current = sampler.batch(step: step, draw: 0).map { examples[$0] }
    }

    public func loss() throws -> Float {
        forwardPasses += 1
        guard let group = processGroup, group.size > 1, parallelMode == .data else { return Objective.mean(try terms(current)) }
        // Data-parallel: this rank scores its shard; every rank gathers all terms in batch order.
        let mine = try terms(Array(current[group.shard(of: current.count)]))
        return Objective.mean(try group.gatherShards(mine, count: current.count))
    }

    /// The objective's per-example terms on `examples`.
    private func terms(_ examples: [EncodedExample]) throws -> [Double] {
        if objective.usesGenerations, let generator { return try generator.negativeF1Terms(examples, model: scorer.model) }
        return objective.terms(scores: try scorer.scores(examples), labels: examples.map(\.label))
    }

    public func evaluates(direction: Int, of count: Int) -> Bool {
        guard let group = processGroup, parallelMode == .directions else { return true }
        return group.owner(ofDirection: direction) == group.rank
    }

    public func gatherDirectionLosses(_ losses: [[Float]], perDirection: Int) throws -> [[Float]] {
        guard let group = processGroup, group.size > 1, parallelMode == .directions else { return losses }
        return try group.gatherDirectionLosses(losses, perDirection: perDirection)
    }

    public func advanceBatch() throws {
        draw += 1
        current = sampler.batch(step: step, draw: draw).map { examples[$0] }
    }
}
