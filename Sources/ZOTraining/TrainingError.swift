/// Why training or evaluation cannot proceed; one sentence each.
public enum TrainingError: Error, CustomStringConvertible, Equatable {
    case emptyCandidate(task: String, candidate: String)
    case candidateTooLong(task: String, limit: Int)
    case emptyPrompt(task: String)
    case multiTokenCandidate(task: String, candidate: String, tokens: Int)
    case classifierNeedsFixedCandidates(task: String)
    case missingSpecialToken(role: String)
    case emptySplit(name: String)
    case invalidOption(String)
    case nonFiniteLoss(step: Int)
    case missingRun(path: String, reason: String)
    case corruptRun(path: String, reason: String)
    case diverged(step: Int, reason: String, lastCheckpoint: Int?)
    case nonFiniteBaseModel(split: String)
    case runInUse(path: String, pid: Int?)
    case runExists(path: String)
    case cannotUseRunFolder(path: String, reason: String)
    case noRoomForAnswer(task: String, place: String?, answerTokens: Int, maxNewTokens: Int, limit: Int)
    case generationNeedsDecoder(task: String)
    case maxNewTokensBeyondContext(task: String, maxNewTokens: Int, context: Int)
    case objectiveDoesNotFitTask(objective: String, task: String, generation: Bool)
    case ranksDisagree(what: String, rank: Int)

    public var description: String {
        switch self {
        case let .emptyCandidate(task, candidate):
            return "task \(task): candidate \"\(candidate)\" tokenizes to nothing"
        case let .candidateTooLong(task, limit):
            return "task \(task): a candidate is longer than the \(limit)-token limit (raise --max-tokens)"
        case let .emptyPrompt(task):
            return "task \(task): a prompt renders to no tokens"
        case let .multiTokenCandidate(task, candidate, tokens):
            return "task \(task): candidate \"\(candidate)\" is \(tokens) tokens, but a masked LM reads one token at the mask "
                + "(choose single-token candidates)"
        case let .classifierNeedsFixedCandidates(task):
            return "task \(task): a classification head needs one fixed list of candidates (its classes), "
                + "not candidates per example"
        case let .missingSpecialToken(role):
            return "the tokenizer has no \(role) token, which encoder prompts need"
        case let .emptySplit(name):
            return "the \(name) split is empty"
        case let .invalidOption(message):
            return message
        case let .nonFiniteLoss(step):
            return "the loss is not finite at step \(step)"
        case let .missingRun(path, reason):
            return "cannot read \(path): \(reason)"
        case let .corruptRun(path, reason):
            return "\(path) is damaged: \(reason)"
        case let .diverged(step, reason, lastCheckpoint):
            let kept = lastCheckpoint.map { "checkpoints/latest keeps step \($0)" + ($0 == 0 ? " (the pretrained weights)" : ", the last evaluation that passed") }
                ?? "no checkpoint was saved (the run diverged before its first evaluation)"
            return "training diverged at step \(step): \(reason); stopped, \(kept); start again with a smaller --lr or --epsilon"
        case let .runInUse(path, pid):
            return "\(path) is in use by another zotune process" + (pid.map { " (pid \($0))" } ?? "")
                + "; wait for it to finish or stop it first"
        case let .runExists(path):
            return "\(path) already holds a run; pass --resume \(path) to continue it, or choose another --output"
        case let .cannotUseRunFolder(path, reason):
            return "cannot use \(path) as a run folder: \(reason)"
        case let .noRoomForAnswer(task, place, answerTokens, maxNewTokens, limit):
            let what = place.map { "\($0): its answer (\(answerTokens) tokens) or" } ?? "the template's own text with"
            return "task \(task): \(what) max_new_tokens (\(maxNewTokens)) leaves no room for the prompt within --max-tokens \(limit) "
                + "(raise --max-tokens or lower max_new_tokens)"
        case let .generationNeedsDecoder(task):
            return "task \(task) has free-form answers, which only a decoder (a causal language model) can generate"
        case let .maxNewTokensBeyondContext(task, maxNewTokens, context):
            return "task \(task): max_new_tokens \(maxNewTokens) does not fit in the model's context of \(context) tokens"
        case let .objectiveDoesNotFitTask(objective, task, generation):
            return generation
                ? "--objective \(objective) needs candidates, but task \(task) has free-form answers: use answer-lm (the default) or neg-f1"
                : "--objective \(objective) needs free-form answers, but task \(task) scores candidates: use candidate-ce, answer-lm or neg-accuracy"
        case let .ranksDisagree(what, rank):
            return "rank \(rank)'s \(what) differs from rank 0's: every rank must run the same build, model and options; stopped"
        case let .nonFiniteBaseModel(split):
            return "the model's \(split) loss is not finite before any training step: its weights hold NaN or infinity"
        }
    }
}
