/// How many key/value rows prefix tuning puts before every sequence in each layer (PEFT's
/// `num_virtual_tokens`).
public struct PrefixSettings: Codable, Equatable, Sendable {
    public var tokens: Int

    /// MeZO's prefix-tuning setting: 5 prefix tokens.
    public init(tokens: Int = 5) { self.tokens = tokens }
}
