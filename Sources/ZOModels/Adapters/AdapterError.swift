/// Why an adapter could not be built, loaded or exported. Each case reads as one sentence for the CLI.
public enum AdapterError: Error, CustomStringConvertible, Equatable {
    case invalidSetting(String)
    /// A target kind the model declares no linear weight of.
    case missingTarget(kind: String, available: [String])
    /// The rank exceeds a target's smaller dimension.
    case rankTooLarge(rank: Int, weight: String, inputs: Int, outputs: Int)
    /// An adapter file that does not fit the model it is applied to.
    case mismatch(path: String, reason: String)
    /// An adapter file using an option ZOTune does not implement (e.g. PEFT's `use_dora`).
    case unsupported(path: String, option: String)

    public var description: String {
        switch self {
        case let .invalidSetting(reason):
            return reason
        case let .missingTarget(kind, available):
            return "the model has no linear weight of kind \"\(kind)\" to put LoRA on; its kinds are \(available.joined(separator: ", "))"
        case let .rankTooLarge(rank, weight, inputs, outputs):
            return "LoRA rank \(rank) is larger than \(weight) (\(inputs) inputs, \(outputs) outputs); choose at most \(min(inputs, outputs))"
        case let .mismatch(path, reason):
            return "the adapter \(path) does not fit this model: \(reason)"
        case let .unsupported(path, option):
            return "the adapter \(path) uses \(option), which ZOTune does not implement"
        }
    }
}
