import Foundation

/// The files of one checkpoint folder (`checkpoints/latest`, `checkpoints/best`, or the
/// `latest.partial` being written): the weights a user loads, and what resume needs besides them.
public struct CheckpointFolder: Sendable {
    public let url: URL

    public init(_ url: URL) { self.url = url }

    /// The trainable weights under their Hugging Face names, deltas folded in.
    public var weights: URL { url.appendingPathComponent("model.safetensors") }
    /// Step counters, best evaluation, divergence streaks (`TrainerState`).
    public var trainerState: URL { url.appendingPathComponent("trainer-state.json") }
    /// The estimator's state (`ZerothOrderEstimator.State`).
    public var estimatorState: URL { url.appendingPathComponent("estimator-state.json") }
}
