import Foundation

/// The objective as an estimator sees it. Estimators never see models or tasks: only the arena
/// (through `TrainableSet`) and this oracle, so each can be tested on a quadratic.
public protocol LossOracle: AnyObject {
    /// Loss of the current minibatch at the arena's current values (costs one forward pass).
    func loss() throws -> Float
    /// Replaces the current minibatch with a fresh training batch (DiZO's projection iterations).
    func advanceBatch() throws
    /// In a direction-parallel run, whether this process evaluates `direction` of a step's `count`
    /// (the others' perturbations it only replays, so every process keeps the same weights bit for bit).
    func evaluates(direction: Int, of count: Int) -> Bool
    /// In a direction-parallel run, every direction's losses from the process that evaluated it;
    /// `losses[d]` holds `perDirection` losses, or none for a direction this process did not evaluate.
    func gatherDirectionLosses(_ losses: [[Float]], perDirection: Int) throws -> [[Float]]
}

extension LossOracle {
    /// One process evaluates every direction.
    public func evaluates(direction: Int, of count: Int) -> Bool { true }
    public func gatherDirectionLosses(_ losses: [[Float]], perDirection: Int) throws -> [[Float]] { losses }
}

/// Where a step sits in the run.
public struct StepContext: Sendable {
    /// 0-based global step.
    public let step: Int
    public let totalSteps: Int
    /// η for this step (the trainer's schedule already applied).
    public let learningRate: Float
    /// The run's seed; every random choice derives from (runSeed, step, …).
    public let runSeed: UInt64

    public init(step: Int, totalSteps: Int, learningRate: Float, runSeed: UInt64) {
        self.step = step
        self.totalSteps = totalSteps
        self.learningRate = learningRate
        self.runSeed = runSeed
    }
}

/// One line of the seed log: everything needed to redo a step's weight changes without any forward
/// pass (the estimator's `replay`). Fields an estimator does not use stay empty.
public struct StepRecord: Codable, Equatable, Sendable {
    public var step: Int
    public var learningRate: Float
    /// Seeds of the step's perturbation directions (q of them for n-SPSA).
    public var seeds: [UInt64]
    /// Projected gradient g per direction, as applied (0 when the step was skipped).
    public var gradients: [Float]
    /// Extra scalars the method needs to replay (P-GAP probe scalars, DiZO γ/‖Δ‖ ratios, …),
    /// by name.
    public var scalars: [String: [Float]]
    /// Extra seeds by name (P-GAP probe seeds, SubZero basis seeds, …).
    public var extraSeeds: [String: [UInt64]]
    /// True when a non-finite loss made the step restore the weights instead of updating.
    public var skipped: Bool
    /// True when the trainer then put back the exact weights and state of the step before (from its
    /// last checkpoint and the seed log): replay leaves such a step out. Absent (nil) otherwise, so
    /// logs without discarded steps read as before.
    public var discarded: Bool?
    /// Binary data a replay needs that no seed reproduces (the activation bases of a window, taken by
    /// a forward pass), by name; stored base64 in the JSON line. Absent (nil) otherwise.
    public var attachments: [String: Data]?

    public init(
        step: Int, learningRate: Float, seeds: [UInt64] = [], gradients: [Float] = [],
        scalars: [String: [Float]] = [:], extraSeeds: [String: [UInt64]] = [:], skipped: Bool = false
    ) {
        self.step = step
        self.learningRate = learningRate
        self.seeds = seeds
        self.gradients = gradients
        self.scalars = scalars
        self.extraSeeds = extraSeeds
        self.skipped = skipped
    }
}

/// What a step reports to the trainer.
public struct StepOutcome: Sendable {
    /// Mean of the losses evaluated at the perturbed points of the step's directions.
    public var loss: Float
    /// Forward passes spent (including probes and projection phases).
    public var forwardPasses: Int
    public var record: StepRecord

    public init(loss: Float, forwardPasses: Int, record: StepRecord) {
        self.loss = loss
        self.forwardPasses = forwardPasses
        self.record = record
    }
}

/// A zeroth-order gradient estimator + update rule (MeZO, SubZero, DiZO, P-GAP).
///
/// Contract:
/// - `step` changes the arena exactly as `replay` would given the returned record, with the same
///   floating-point operations in the same order (share the code), so that the seed log rebuilds
///   the trained weights byte for byte from the base model.
/// - All randomness derives from (`context.runSeed`, `context.step`, tensor index, element offset):
///   no global RNG, identical across thread counts.
/// - `State` holds everything a checkpoint must save to resume bit-exactly (bases, windows, …);
///   anything derivable from the base model (DiZO anchors) is re-derived instead of saved.
public protocol ZerothOrderEstimator {
    associatedtype State: Codable

    /// Short name used on the command line (`mezo`, `subzero`, `dizo`, `pgap`).
    static var name: String { get }

    /// Tensors whose pretrained values must be kept as anchors (`TrainableSet.setAnchor`).
    func anchorTensors(in parameters: TrainableSet) -> [TrainableTensor]

    func makeState(for parameters: TrainableSet, runSeed: UInt64) throws -> State

    func step(
        _ parameters: TrainableSet, state: inout State, context: StepContext, oracle: LossOracle
    ) throws -> StepOutcome

    func replay(_ record: StepRecord, parameters: TrainableSet, state: inout State, context: StepContext) throws
}

extension ZerothOrderEstimator {
    public func anchorTensors(in parameters: TrainableSet) -> [TrainableTensor] { [] }
}
