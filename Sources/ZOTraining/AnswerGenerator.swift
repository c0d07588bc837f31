import ZOModels
import ZOTasks
import ZOTokenizers

/// Generates a generation task's answers from encoded prompts (`AnswerGeneration`'s protocol: greedy,
/// batched with a key/value cache, stopping at a newline or end-of-sequence token) and scores them.
public struct AnswerGenerator: Sendable {
    public let tokenizer: any TextTokenizer
    public let generation: AnswerGeneration
    /// The end-of-sequence token and every token whose text holds a newline.
    public let stopTokens: Set<Int>

    public init(tokenizer: any TextTokenizer, generation: AnswerGeneration, endOfSequence: Int?) {
        self.tokenizer = tokenizer
        self.generation = generation
        var stops = Set((0..<tokenizer.vocabularySize).filter { tokenizer.decode([$0], skipSpecialTokens: false).contains("\n") })
        if let endOfSequence { stops.insert(endOfSequence) }
        stopTokens = stops
    }

    /// The model's answer to each example.
    public func answers(_ examples: [EncodedExample], model: LanguageModel) throws -> [String] {
        // Encoded prompts start with an attached prompt-tuning adapter's virtual tokens; decoding adds them itself.
        let prefix = model.virtualPrefix.count
        let generated = try GreedyDecoding.continuations(
            of: examples.map { Array($0.prompt.dropFirst(prefix)) }, model: model,
            maxNewTokens: generation.maxNewTokens, stopAt: stopTokens)
        return generated.map { generation.answer(inGenerated: tokenizer.decode($0, skipSpecialTokens: true)) }
    }

    /// Exact match and F1 of each answer against its example's references.
    public static func scores(_ answers: [String], for examples: [EncodedExample]) -> [(exactMatch: Double, f1: Double)] {
        zip(answers, examples).map {
            (AnswerMetrics.exactMatch($0, references: $1.references), AnswerMetrics.f1($0, references: $1.references))
        }
    }

    /// −mean F1 of the model's answers on `examples` (the `neg-f1` objective).
    public func negativeF1(_ examples: [EncodedExample], model: LanguageModel) throws -> Float {
        Objective.mean(try negativeF1Terms(examples, model: model))
    }

    /// −F1 of each example's answer.
    public func negativeF1Terms(_ examples: [EncodedExample], model: LanguageModel) throws -> [Double] {
        Self.scores(try answers(examples, model: model), for: examples).map { -$0.f1 }
    }
}
