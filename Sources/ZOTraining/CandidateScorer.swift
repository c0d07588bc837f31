import ZOModels
import ZOTensor

/// Scores each candidate of each example by the mean log-probability of its tokens given the prompt
/// (MeZO's classification score), in one batched forward pass.
///
/// Examples whose candidates are all single tokens (e.g. " great" / " terrible") share one sequence,
/// the prompt: every candidate is read off the same distribution, at the example's `answerPosition`
/// (the last prompt token for decoders, the mask for masked LMs; for a sequence classifier the
/// "tokens" are class indices and the row holds class logits). Otherwise (decoders only) each
/// candidate gets its own sequence `prompt + candidate[..<last]`, and logits are computed only at the
/// positions that predict candidate tokens.
public final class CandidateScorer {
    public let model: LanguageModel

    public init(model: LanguageModel) { self.model = model }

    /// Tokens and logit rows of the forward that scores `examples` (for cost models).
    public func forwardSize(_ examples: [EncodedExample]) -> (tokens: Int, scoredRows: Int) {
        let layout = Self.layout(examples)
        return (layout.sequences.reduce(0) { $0 + $1.count }, layout.requests.count)
    }

    /// `scores[e][c]`: mean log p(candidate c tokens | prompt of example e).
    public func scores(_ examples: [EncodedExample]) throws -> [[Float]] {
        precondition(model.outputKind == .causalLanguageModel || examples.allSatisfy(\.hasSingleTokenCandidates),
                     "encoder heads score single-token candidates only (ExampleEncoder)")
        let (sequences, requests, plan) = Self.layout(examples)
        let vocabulary = model.outputSize
        let logits = try model.logits(sequences, at: requests)
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
    private static func layout(_ examples: [EncodedExample]) -> (
        sequences: [[Int]], requests: [LogitRequest], plan: [[[(row: Int, token: Int)]]]
    ) {
        var sequences: [[Int]] = []
        var requests: [LogitRequest] = []
        // For every example and candidate: the request rows and the target token at each row.
        var plan: [[[(row: Int, token: Int)]]] = []
        for example in examples {
            var candidatePlans: [[(row: Int, token: Int)]] = []
            if example.hasSingleTokenCandidates {
                let row = requests.count
                requests.append(LogitRequest(sequence: sequences.count, position: example.answerPosition))
                sequences.append(example.prompt)
                candidatePlans = example.candidates.map { [(row, $0[0])] }
            } else {
                for candidate in example.candidates {
                    var rows: [(row: Int, token: Int)] = []
                    for (k, token) in candidate.enumerated() {
                        rows.append((requests.count, token))
                        requests.append(LogitRequest(sequence: sequences.count, position: example.prompt.count - 1 + k))
                    }
                    sequences.append(example.prompt + candidate.dropLast())
                    candidatePlans.append(rows)
                }
            }
            plan.append(candidatePlans)
        }
        return (sequences, requests, plan)
    }
}
