/// Variable-length sequences packed back to back without padding: activation row `offsets[s] + p`
/// holds position `p` of sequence `s`. Attention stays within each sequence, which gives what right
/// padding with an attention mask gives, without computing the padding.
struct PackedBatch {
    let sequences: [[Int]]
    /// First activation row of each sequence.
    let offsets: [Int]
    let tokenCount: Int
    let longest: Int

    init(_ sequences: [[Int]]) {
        self.sequences = sequences
        var offsets: [Int] = []
        var total = 0
        for sequence in sequences {
            offsets.append(total)
            total += sequence.count
        }
        self.offsets = offsets
        tokenCount = total
        longest = sequences.map(\.count).max() ?? 0
    }

    /// Checks the batch against `model` (`LanguageModel.validate`), packs it, and sizes the
    /// model's workspace for it: the start of every family's forward.
    init(_ sequences: [[Int]], _ requests: [LogitRequest], for model: LanguageModel, reserving workspace: ForwardWorkspace) throws {
        try model.validate(sequences, vocabularySize: model.vocabularySize, requests: requests)
        self.init(sequences)
        workspace.reserve(tokens: tokenCount, longestSequence: longest)
    }

    /// The activation row a logit request reads.
    func row(_ request: LogitRequest) -> Int { offsets[request.sequence] + request.position }

    /// Every token id in row order.
    var tokens: [Int] { sequences.flatMap { $0 } }

    /// For every row, its position within its sequence plus `offset`: the rows of a learned
    /// position table the batch reads.
    func positions(offset: Int = 0) -> [Int] { sequences.flatMap { $0.indices.map { $0 + offset } } }
}
