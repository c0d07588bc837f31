import Foundation

/// How a generation task's answers are produced and read (MeZO's SQuAD protocol): the model continues
/// the prompt greedily for at most `maxNewTokens` tokens, stopping at a newline or the end-of-sequence
/// token, and the text before the first newline, trimmed, is the answer scored by exact match and F1.
///
/// Training on an answer (`answer-lm`) scores the reference followed by the newline, so that the
/// model also learns where an answer ends — without it a tuned model keeps talking past its answer
/// and loses F1 on every extra word. The reference is preceded by a space unless the prompt already
/// ends in whitespace (BPE spells " Paris" and "Paris" differently, and prompts end in "Answer:").
public struct AnswerGeneration: Sendable, Hashable {
    /// MeZO's SQuAD generation length.
    public static let defaultMaxNewTokens = 50

    public let maxNewTokens: Int

    public init(maxNewTokens: Int = defaultMaxNewTokens) {
        self.maxNewTokens = maxNewTokens
    }

    /// The text appended to `prompt` when training on `answer`.
    public func target(for answer: String, after prompt: String) -> String {
        (prompt.last?.isWhitespace ?? true ? "" : " ") + answer + "\n"
    }

    /// The answer in a generated continuation: its text before the first newline, trimmed.
    public func answer(inGenerated text: String) -> String {
        let line = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        return line.trimmingCharacters(in: .whitespaces)
    }
}
