/// How many virtual tokens prompt tuning puts before every prompt (PEFT's `num_virtual_tokens`).
public struct PromptSettings: Codable, Equatable, Sendable {
    public var tokens: Int

    /// SubZero's prompt-tuning setting: 10 virtual tokens.
    public init(tokens: Int = 10) { self.tokens = tokens }
}
