import ZOModels
import ZOTensor

/// Scores each candidate of each example by the mean log-probability of its tokens given the prompt
/// (MeZO's classification score), in one batched forward pass.
///
/// Examples whose candidates are all single tokens (e.g. " great" / " terrible") share one sequence,
/// the prompt: every candidate is read off the same distribution, at the example's `answerPosition`
/// (the last prompt token for decoders, the mask for masked LMs; for a sequence classifier the
/// "tokens" are class indices and the row holds class logits). Otherwise (decoders only) the prompt
/// is run once with every candidate as a continuation of it (`SharedPromptSequence`: the logits of
/// `prompt + candidate[..<last]`), and logits are computed only at the rows that predict candidate
/// tokens; every candidate's first token is read off the prompt's last row.
public final class CandidateScorer {
    public let model: LanguageModel
    /// Off: every candidate is its own sequence `prompt + candidate[..<last]` (the same scores; how
    /// `zotune-bench --scoring` measures what sharing saves).
    public let sharesPrompts: Bool

    public init(model: LanguageModel, sharesPrompts: Bool = true) {
        self.model = model
        self.sharesPrompts = sharesPrompts
    }

    /// Tokens and logit rows of the forward that scores `examples` (for cost models).
    public func forwardSize(_ examples: [EncodedExample]) -> (tokens: Int, scoredRows: Int) {
        let layout = layout(examples)
        return (layout.sequences.reduce(0) { $0 + $1.rowCount }, layout.requests.count)
    }

    /// `scores[e][c]`: mean log p(candidate c tokens | prompt of example e).
    public func scores(_ examples: [EncodedExample]) throws -> [[Float]] {
        precondition(model.outputKind == .causalLanguageModel || examples.allSatisfy(\.hasSingleTokenCandidates),
                     "encoder heads score single-token candidates only (ExampleEncoder)")
        let (sequences, requests, plan) = layout(examples)
        let vocabulary = model.outputSize
        let logits = try model.logits(sharing: sequences, at: requests)
        return logits.withUnsafeBufferPointer { buffer in
            let normalizers = (0..<requests.count).map { logSumExp(buffer.baseAddress! + $0 * vocabulary, count: vocabulary) }
            return plan.map { candidates in
                candidates.map { rows in
                    rows.reduce(Float(0)) { $0 + buffer[$1.row * vocabulary + $1.token] - normalizers[$1.row] }
                        / Float(rows.count)
                }
            }
        }
    }

    /// The batch's sequences, the logit rows to compute, and for every example and candidate the
    /// request rows with the target token at each.
    private func layout(_ examples: [EncodedExample]) -> (
        sequences: [SharedPromptSequence], requests: [LogitRequest], plan: [[[(row: Int, token: Int)]]]
    ) {
        var sequences: [SharedPromptSequence] = []
        var requests: [LogitRequest] = []
        // For every example and candidate: the request rows and the target token at each row.
        var plan: [[[(row: Int, token: Int)]]] = []
        for example in examples {
            if example.hasSingleTokenCandidates {
                let row = requests.count
                requests.append(LogitRequest(sequence: sequences.count, position: example.answerPosition))
                sequences.append(SharedPromptSequence(prompt: example.prompt))
                plan.append(example.candidates.map { [(row, $0[0])] })
                continue
            }
            let continuations = example.candidates.map { Array($0.dropLast()) }
            guard sharesPrompts else {
                plan.append(example.candidates.indices.map { c in
                    sequences.append(SharedPromptSequence(prompt: example.prompt + continuations[c]))
                    return example.candidates[c].enumerated().map { k, token in
                        requests.append(LogitRequest(sequence: sequences.count - 1, position: example.prompt.count - 1 + k))
                        return (requests.count - 1, token)
                    }
                })
                continue
            }
            let sequence = SharedPromptSequence(prompt: example.prompt, continuations: continuations)
            // Request index of each sequence row asked for: candidates' first tokens share one.
            var requestAtRow: [Int: Int] = [:]
            plan.append(example.candidates.indices.map { c in
                example.candidates[c].enumerated().map { k, token in
                    let position = k == 0 ? example.prompt.count - 1 : sequence.row(continuation: c, position: k - 1)
                    if let row = requestAtRow[position] { return (row, token) }
                    requestAtRow[position] = requests.count
                    requests.append(LogitRequest(sequence: sequences.count, position: position))
                    return (requests.count - 1, token)
                }
            })
            sequences.append(sequence)
        }
        return (sequences, requests, plan)
    }
}
