import ZOModels
import ZOTasks
import ZOTokenizers

/// An example turned into token ids once, before training: the prompt and each candidate
/// continuation, tokenized separately so that the prompt can be shared across candidates.
public struct EncodedExample: Sendable, Hashable {
    public let prompt: [Int]
    public let candidates: [[Int]]
    public let label: Int
    /// The prompt position whose output row scores the candidates' first tokens: the last prompt token
    /// for a decoder (it predicts what follows, the default), the mask token for a masked LM, any
    /// position for a sequence classifier (whose candidates are class indices).
    public let answerPosition: Int

    public init(prompt: [Int], candidates: [[Int]], label: Int, answerPosition: Int? = nil) {
        self.prompt = prompt
        self.candidates = candidates
        self.label = label
        self.answerPosition = answerPosition ?? prompt.count - 1
    }

    /// True when every candidate is one token: then one sequence (the prompt) scores them all.
    public var hasSingleTokenCandidates: Bool { candidates.allSatisfy { $0.count == 1 } }
}

/// Tokenizes examples of a task; long prompts keep their end (where the question and cue are).
/// Decoders get the prompt with candidates to append; encoders get framed prompts (`encodeForEncoder`).
public struct ExampleEncoder {
    public let tokenizer: any TextTokenizer
    public let task: ClassificationTask
    /// Longest prompt + candidate, in tokens.
    public let maxTokens: Int
    /// Ids put before every prompt and kept when it is truncated (`LanguageModel.promptPrefix`).
    public let promptPrefix: [Int]
    /// How the model reads the answer off its output, which decides the prompt's layout.
    public let outputKind: OutputKind

    public init(
        tokenizer: any TextTokenizer, task: ClassificationTask, maxTokens: Int, promptPrefix: [Int] = [],
        outputKind: OutputKind = .causalLanguageModel
    ) {
        self.tokenizer = tokenizer
        self.task = task
        self.maxTokens = maxTokens
        self.promptPrefix = promptPrefix
        self.outputKind = outputKind
    }

    public func encode(_ example: Example) throws -> EncodedExample {
        if outputKind != .causalLanguageModel { return try encodeForEncoder(example) }
        let promptText = try task.prompt(for: example)
        var prompt = tokenizer.encode(promptText, addSpecialTokens: false)
        // Candidates as they follow the prompt (SentencePiece spells a lone " great" differently).
        let candidates = task.candidates(for: example).map { tokenizer.encode($0, after: promptText, contextTokens: prompt) }
        if let empty = candidates.firstIndex(where: \.isEmpty) {
            throw TrainingError.emptyCandidate(task: task.name, candidate: task.candidates(for: example)[empty])
        }
        let room = maxTokens - (candidates.map(\.count).max() ?? 0) - promptPrefix.count
        guard room > 0 else { throw TrainingError.candidateTooLong(task: task.name, limit: maxTokens) }
        if prompt.count > room { prompt = Array(prompt.suffix(room)) }
        if prompt.isEmpty { throw TrainingError.emptyPrompt(task: task.name) }
        return EncodedExample(prompt: promptPrefix + prompt, candidates: candidates, label: example.label)
    }

    public func encode(_ examples: [Example]) throws -> [EncodedExample] { try examples.map(encode) }

    /// The encoder for `loaded`'s prompts: its tokenizer and output kind, and as prompt prefix the
    /// family's own (OPT's `</s>`, a GGUF GPT-2's BOS), else the special tokens the tokenizer puts
    /// before a text (LLaMA-2's and Llama-3's BOS), as HF's `tokenizer(prompt)` gives MeZO's prompts —
    /// after the virtual tokens of an attached prompt-tuning adapter, which PEFT puts first.
    public init(for loaded: LoadedModel, task: ClassificationTask, maxTokens: Int) throws {
        let tokenizer = try loaded.tokenizer()
        let model = loaded.model
        self.init(
            tokenizer: tokenizer, task: task, maxTokens: min(maxTokens, model.contextRoom),
            promptPrefix: model.virtualPrefix
                + (model.outputKind != .causalLanguageModel || !model.promptPrefix.isEmpty
                    ? model.promptPrefix : tokenizer.leadingSpecialTokens),
            outputKind: model.outputKind)
    }
}
