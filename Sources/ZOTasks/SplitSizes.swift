/// How many examples each split should get at most.
public struct SplitSizes: Sendable, Hashable, Codable {
    public var train: Int
    public var dev: Int
    public var test: Int

    public init(train: Int, dev: Int, test: Int) {
        self.train = train
        self.dev = dev
        self.test = test
    }

    /// MeZO's "large models" protocol: 1,000 train, 500 dev, 1,000 test.
    public static let mezo = SplitSizes(train: 1000, dev: 500, test: 1000)
}
