import ZOTensor

/// Variable-length sequences packed back to back without padding: activation row `offsets[s] + p`
/// holds row `p` of sequence `s`. Attention stays within each sequence, which gives what right
/// padding with an attention mask gives, without computing the padding.
///
/// A sequence may be a `SharedPromptSequence`: its prompt rows come first, then each continuation's,
/// which attend to the prompt and to themselves and take positions on from the prompt's end.
struct PackedBatch {
    /// Every sequence's rows (prompt, then continuations).
    let sequences: [[Int]]
    /// Rows of each sequence's prompt (all its rows when it has no continuations).
    let promptLengths: [Int]
    /// Each sequence's continuations as row ranges within the sequence.
    let continuations: [[Range<Int>]]
    /// First activation row of each sequence.
    let offsets: [Int]
    let tokenCount: Int
    /// Most keys any row attends to, and most positions any sequence uses (prefix rows included).
    let longest: Int
    /// Rows of an attached prefix-tuning adapter every query attends to first; the sequences' own
    /// positions start after them.
    let prefixLength: Int
    /// Tokens of each sequence already run and held in a `KeyValueCache`: its rows attend to them
    /// and take positions on from them (all 0 without a cache).
    let pastLengths: [Int]

    init(_ sequences: [SharedPromptSequence], prefixLength: Int = 0, pastLengths: [Int]? = nil) {
        self.prefixLength = prefixLength
        self.pastLengths = pastLengths ?? Array(repeating: 0, count: sequences.count)
        precondition(self.pastLengths.count == sequences.count)
        self.sequences = sequences.map(\.rows)
        promptLengths = sequences.map(\.prompt.count)
        continuations = sequences.map { sequence in
            var start = sequence.prompt.count
            return sequence.continuations.map { continuation in
                defer { start += continuation.count }
                return start..<(start + continuation.count)
            }
        }
        var offsets: [Int] = []
        var total = 0
        for rows in self.sequences {
            offsets.append(total)
            total += rows.count
        }
        self.offsets = offsets
        tokenCount = total
        longest = (zip(sequences, self.pastLengths).map { $0.span + $1 }.max() ?? 0) + prefixLength
    }

    init(_ sequences: [[Int]]) { self.init(sequences.map { SharedPromptSequence(prompt: $0) }) }

    /// Checks the batch against `model` (`LanguageModel.validate`), packs it, and sizes the
    /// model's workspace for it: the start of every family's forward.
    init(_ sequences: [SharedPromptSequence], _ requests: [LogitRequest], for model: LanguageModel,
         reserving workspace: ForwardWorkspace) throws {
        try model.validate(sequences, vocabularySize: model.vocabularySize, requests: requests)
        self.init(sequences, prefixLength: model.weights.attentionPrefix?.count ?? 0)
        workspace.reserve(tokens: tokenCount, longestSequence: longest)
    }

    init(_ sequences: [[Int]], _ requests: [LogitRequest], for model: LanguageModel, reserving workspace: ForwardWorkspace) throws {
        try self.init(sequences.map { SharedPromptSequence(prompt: $0) }, requests, for: model, reserving: workspace)
    }

    /// The new tokens of the cache's sequences that have any (`cached.sequences`, in order), checked
    /// against `model` with the cached tokens counted in the context, packed and reserved for.
    init(appending cached: CachedSequences, for model: LanguageModel, reserving workspace: ForwardWorkspace) throws {
        let sequences = cached.sequences.map { SharedPromptSequence(prompt: cached.tokens[$0]) }
        let past = cached.sequences.map { cached.cache.lengths[$0] }
        try model.validate(sequences, vocabularySize: model.vocabularySize, requests: cached.requests, pastLengths: past)
        self.init(sequences, prefixLength: model.weights.attentionPrefix?.count ?? 0, pastLengths: past)
        workspace.reserve(tokens: tokenCount, longestSequence: longest)
    }

    /// The activation row a logit request reads.
    func row(_ request: LogitRequest) -> Int { offsets[request.sequence] + request.position }

    /// Every token id in row order.
    var tokens: [Int] { sequences.flatMap { $0 } }

    /// For every row, its position plus `offset`: the rows of a learned position table the batch reads.
    func positions(offset: Int = 0) -> [Int] {
        sequences.indices.flatMap { s in
            positionRuns(s).flatMap { run in (0..<run.rows.count).map { run.firstPosition + $0 + offset } }
        }
    }

    /// Row spans of sequence `s` that take consecutive positions, with the first position of each:
    /// the prompt from 0 (from `prefixLength` behind a prefix, and after the cached tokens), every
    /// continuation from the prompt's end.
    func positionRuns(_ s: Int) -> [(rows: Range<Int>, firstPosition: Int)] {
        let start = prefixLength + pastLengths[s]
        return [(0..<promptLengths[s], start)] + continuations[s].map { ($0, start + promptLengths[s]) }
    }
}
