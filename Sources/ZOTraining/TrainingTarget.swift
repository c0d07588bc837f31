import ZOEstimators
import ZOModels
import ZOTensor

/// What a run changes on a loaded model: the base's own weights, by role and layer (full tuning), or
/// an adapter's, which is laid out for the model, initialised from the run seed and attached to the
/// base's forward — the same way for training, resume and replay, so all three see the same start.
public struct TrainingTarget {
    /// What the estimator perturbs.
    public let parameters: TrainableSet
    /// The adapter, when the run trains one (its arena is `parameters.arena`).
    public let adapter: (any Adapter)?

    public init(_ configuration: RunConfiguration, model: LanguageModel) throws {
        guard let settings = configuration.adapter else {
            guard model.weights.isAllFloat32 else {
                throw TrainingError.invalidOption(
                    "a base held as bf16 or stored is frozen: it trains adapters only (--tuning lora, prefix or prompt), "
                    + "since full tuning changes the base every step.")
            }
            parameters = TrainableSet(
                arena: model.weights, roles: Set(configuration.trainableRoles), lastLayers: configuration.trainableLastLayers)
            adapter = nil
            guard !parameters.tensors.isEmpty else {
                throw TrainingError.invalidOption(
                    "--trainable \(configuration.trainableRoles.map(\.rawValue).joined(separator: " "))"
                    + (configuration.trainableLastLayers.map { " --trainable-layers \($0)" } ?? "")
                    + " selects no parameter of this model.")
            }
            return
        }
        guard Set(configuration.trainableRoles) == Set(ParameterRole.allCases) || configuration.trainableRoles.isEmpty,
              configuration.trainableLastLayers == nil
        else {
            throw TrainingError.invalidOption(
                "--trainable and --trainable-layers choose base weights for full tuning; with --tuning \(settings.scheme) only the adapter trains.")
        }
        if let encoder = model as? EncoderModel, encoder.classifierIsNew {
            throw TrainingError.invalidOption(
                "this encoder's classification head is new (at chance) and an adapter would leave it untrained; "
                + "use a checkpoint with a masked-LM head, or --tuning full.")
        }
        let adapter = try settings.makeAdapter(for: model, seed: configuration.training.seed)
        adapter.attach(to: model.weights)
        self.adapter = adapter
        parameters = TrainableSet(arena: adapter.weights)
    }
}
