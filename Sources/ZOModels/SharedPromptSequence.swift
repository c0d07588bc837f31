/// A prompt and continuations of it that are scored separately, e.g. one multiple-choice question
/// and its answers. Each continuation sees the prompt and itself, never another continuation, and
/// counts its positions on from the prompt's end: the logits are those of the sequences
/// `prompt + continuation`, but the prompt's activations are computed once instead of once per
/// continuation.
///
/// Its rows are the prompt's tokens followed by every continuation's, back to back; a
/// `LogitRequest.position` indexes those rows (`row(continuation:position:)`).
public struct SharedPromptSequence: Hashable, Sendable {
    public let prompt: [Int]
    public let continuations: [[Int]]

    public init(prompt: [Int], continuations: [[Int]] = []) {
        self.prompt = prompt
        self.continuations = continuations
    }

    /// Every token in row order.
    public var rows: [Int] { prompt + continuations.joined() }

    public var rowCount: Int { continuations.reduce(prompt.count) { $0 + $1.count } }

    /// The row of `position` within `continuation` (0 is its first token).
    public func row(continuation: Int, position: Int) -> Int {
        prompt.count + continuations[..<continuation].reduce(0) { $0 + $1.count } + position
    }

    /// Longest position any row has, plus one: the context the sequence needs.
    public var span: Int { prompt.count + (continuations.map(\.count).max() ?? 0) }

    /// The plain sequences these rows stand for, and for every row which of them it is (sequence,
    /// position): `prompt + continuation` for each continuation (the prompt alone if there are none);
    /// prompt rows map to the first.
    func expanded() -> (sequences: [[Int]], rowOrigins: [(sequence: Int, position: Int)]) {
        let sequences = continuations.isEmpty ? [prompt] : continuations.map { prompt + $0 }
        var origins = prompt.indices.map { (sequence: 0, position: $0) }
        for (index, continuation) in continuations.enumerated() {
            origins += continuation.indices.map { (sequence: index, position: prompt.count + $0) }
        }
        return (sequences, origins)
    }
}
