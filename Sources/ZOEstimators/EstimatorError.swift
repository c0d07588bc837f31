/// Errors an estimator throws; each says what to do about it.
public enum EstimatorError: Error, Equatable, CustomStringConvertible {
    /// DiZO needs the pretrained values of a projected tensor: call `TrainableSet.setAnchor` for every
    /// tensor of `anchorTensors(in:)` before training (and after reloading the base model on resume).
    case missingAnchor(String)
    /// A configuration value is out of range.
    case invalidConfiguration(String)
    /// A LAPACK routine reported failure (`info` as LAPACK defines it).
    case factorizationFailed(routine: String, info: Int)
    /// A seed-log record does not fit the estimator replaying it.
    case recordMismatch(String)
    /// No registered method has this name (`MethodRegistry`).
    case unknownMethod(String, known: [String])
    /// A command-line setting the chosen method does not have, or a value it does not accept.
    case invalidSetting(String)
    /// The activations sketched for `--subspace-source activations` were not finite.
    case nonFiniteActivations

    public var description: String {
        switch self {
        case .missingAnchor(let name):
            return "no anchor (pretrained copy) for \(name): set anchors for anchorTensors(in:) before training"
        case .invalidConfiguration(let message):
            return "invalid estimator configuration: \(message)"
        case .factorizationFailed(let routine, let info):
            return "LAPACK \(routine) failed with info = \(info)"
        case .recordMismatch(let message):
            return "seed-log record does not match the estimator: \(message)"
        case let .unknownMethod(name, known):
            return "unknown method \(name); known methods: \(known.joined(separator: ", "))"
        case .invalidSetting(let message):
            return message
        case .nonFiniteActivations:
            return "the model's activations on the training batch are not finite, so they give no subspace: lower the learning rate or use --subspace-source random"
        }
    }
}
