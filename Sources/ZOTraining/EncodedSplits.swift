/// A task's train/dev/test examples, tokenized once.
public struct EncodedSplits: Sendable {
    public let train: [EncodedExample]
    public let dev: [EncodedExample]
    public let test: [EncodedExample]
    /// Set for a generation task: how its answers are generated and read.
    public let generator: AnswerGenerator?

    public init(train: [EncodedExample], dev: [EncodedExample], test: [EncodedExample], generator: AnswerGenerator? = nil) throws {
        for (name, split) in [("train", train), ("dev", dev), ("test", test)] where split.isEmpty {
            throw TrainingError.emptySplit(name: name)
        }
        self.train = train
        self.dev = dev
        self.test = test
        self.generator = generator
    }
}
