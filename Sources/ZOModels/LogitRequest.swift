/// Which logits a forward pass should produce: the vocabulary row at `position` of `sequence`.
public struct LogitRequest: Hashable, Sendable {
    public let sequence: Int
    public let position: Int

    public init(sequence: Int, position: Int) {
        self.sequence = sequence
        self.position = position
    }
}
