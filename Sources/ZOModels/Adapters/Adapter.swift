import Foundation
import ZOTensor

/// An adapter trained on a frozen base (LoRA, prompt tuning): its tensors live in an arena of their
/// own (`weights`), which is what an estimator perturbs, and `attach` makes the base's forward use
/// them. The base's own arena is never written.
public protocol Adapter: AnyObject {
    /// The adapter's tensors (role `.adapter`).
    var weights: WeightArena { get }
    /// One line for people: the scheme and its size.
    var summary: String { get }
    /// Whether a freshly initialised adapter leaves the base's outputs exactly as they are (LoRA's
    /// B = 0), so that its starting values do not decide zero-shot scores.
    var startsAtBase: Bool { get }
    /// What a checkpoint of `weights` records besides the tensors, so that it applies on its own.
    var checkpointMetadata: [String: String] { get }
    func attach(to base: WeightArena)
    func detach(from base: WeightArena)
    /// Writes the adapter as the PEFT folder `PeftModel.from_pretrained` loads (a new or empty folder).
    func writePEFT(to folder: URL, baseModel: String, causalLanguageModel: Bool) throws
}
