/// Why training or evaluation cannot proceed; one sentence each.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case emptyCandidate(task: String, candidate: String)
    case candidateTooLong(task: String, limit: Int)
    case emptyPrompt(task: String)
    case emptySplit(name: String)
    case unknownMethod(String, known: [String])
    case invalidOption(String)
    case nonFiniteLoss(step: Int)
    case missingRun(path: String, reason: String)
    case corruptRun(path: String, reason: String)

    public var description: String {
        switch self {
        case let .emptyCandidate(task, candidate):
            return "task \(task): candidate \"\(candidate)\" tokenizes to nothing"
        case let .candidateTooLong(task, limit):
            return "task \(task): a candidate is longer than the \(limit)-token limit (raise --max-tokens)"
        case let .emptyPrompt(task):
            return "task \(task): a prompt renders to no tokens"
        case let .emptySplit(name):
            return "the \(name) split is empty"
        case let .unknownMethod(name, known):
            return "unknown method \(name); known methods: \(known.joined(separator: ", "))"
        case let .invalidOption(message):
            return message
        case let .nonFiniteLoss(step):
            return "the loss is not finite at step \(step)"
        case let .missingRun(path, reason):
            return "cannot resume from \(path): \(reason)"
        case let .corruptRun(path, reason):
            return "\(path) is damaged: \(reason)"
        }
    }
}
