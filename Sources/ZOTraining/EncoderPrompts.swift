import ZOModels
import ZOTasks

/// Prompts for encoder heads (BERT, RoBERTa), framed with the tokenizer's [CLS] … [SEP]:
/// - masked LM (MeZO's RoBERTa protocol): `[CLS] prompt [MASK] text-after-answer [SEP]`, and each
///   candidate must be one token, whose logit is read at the mask: rt-sentiment becomes
///   "<sentence> It was<mask>." with " great" / " terrible" (MeZO's SST-2 template).
/// - sequence classifier: `[CLS] prompt [SEP]`, and candidate i becomes class i, so the task needs
///   one fixed candidate list (its length is the head's size).
/// Long prompts keep their end, as for decoders.
extension ExampleEncoder {
    func encodeForEncoder(_ example: Example) throws -> EncodedExample {
        let special = tokenizer.specialTokenIDs
        guard let cls = special.cls, let sep = special.sep else {
            throw TrainingError.missingSpecialToken(role: special.cls == nil ? "classifier ([CLS], <s>)" : "separator ([SEP], </s>)")
        }
        let (middle, candidates) = try answerSlot(example)
        let room = maxTokens - 2 - middle.count
        guard room > 0 else {
            throw TrainingError.invalidOption("--max-tokens \(maxTokens) leaves no room for the prompt of task \(task.name)")
        }
        var body = tokenizer.encode(try task.prompt(for: example), addSpecialTokens: false)
        if body.isEmpty { throw TrainingError.emptyPrompt(task: task.name) }
        if body.count > room { body = Array(body.suffix(room)) }
        return EncodedExample(
            prompt: [cls] + body + middle + [sep], candidates: candidates, label: example.label,
            answerPosition: outputKind == .sequenceClassifier ? 0 : 1 + body.count)
    }

    /// What follows the prompt inside the frame, and the candidates as the head scores them.
    private func answerSlot(_ example: Example) throws -> (middle: [Int], candidates: [[Int]]) {
        switch outputKind {
        case let .maskedLanguageModel(mask):
            let candidates = try task.candidates(for: example).map { text in
                let ids = tokenizer.encode(text, addSpecialTokens: false)
                if ids.isEmpty { throw TrainingError.emptyCandidate(task: task.name, candidate: text) }
                guard ids.count == 1 else {
                    throw TrainingError.multiTokenCandidate(task: task.name, candidate: text, tokens: ids.count)
                }
                return ids
            }
            return ([mask] + tokenizer.encode(task.textAfterAnswer, addSpecialTokens: false), candidates)
        case .sequenceClassifier:
            guard example.candidates == nil, !task.candidates.isEmpty else {
                throw TrainingError.classifierNeedsFixedCandidates(task: task.name)
            }
            return ([], task.candidates.indices.map { [$0] })
        case .causalLanguageModel:
            preconditionFailure("decoder prompts are encoded by encode(_:)")
        }
    }
}
