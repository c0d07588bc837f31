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
    /// A generation task's reference answers (its one candidate is the first, as trained on); empty
    /// for a classification task.
    public let references: [String]

    public init(prompt: [Int], candidates: [[Int]], label: Int, answerPosition: Int? = nil, references: [String] = []) {
        self.prompt = prompt
        self.candidates = candidates
        self.label = label
        self.answerPosition = answerPosition ?? prompt.count - 1
        self.references = references
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
        let texts = try task.candidates(for: example)
        let candidates = texts.map { tokenizer.encode($0, after: promptText, contextTokens: prompt) }
        if let empty = candidates.firstIndex(where: \.isEmpty) {
            throw TrainingError.emptyCandidate(task: task.name, candidate: texts[empty])
        }
        // A generation task's prompt leaves room for the trained answer and for the longest generated one.
        let answerRoom = max(candidates.map(\.count).max() ?? 0, task.generation?.maxNewTokens ?? 0)
        let room = maxTokens - answerRoom - promptPrefix.count
        guard room > 0 else {
            if let generation = task.generation {
                throw TrainingError.noRoomForAnswer(
                    task: task.name, place: example.origin, answerTokens: candidates[0].count,
                    maxNewTokens: generation.maxNewTokens, limit: maxTokens)
            }
            throw TrainingError.candidateTooLong(task: task.name, limit: maxTokens)
        }
        if task.generation != nil, templateTokens > room {
            throw TrainingError.noRoomForAnswer(
                task: task.name, place: nil, answerTokens: candidates[0].count,
                maxNewTokens: task.generation!.maxNewTokens, limit: maxTokens)
        }
        if prompt.count > room { prompt = Array(prompt.suffix(room)) }
        if prompt.isEmpty { throw TrainingError.emptyPrompt(task: task.name) }
        return EncodedExample(
            prompt: promptPrefix + prompt, candidates: candidates, label: example.label,
            references: task.generation == nil ? [] : try task.references(for: example))
    }

    /// Tokens of the template's own text (its fields empty): a generation prompt cut to fit must keep
    /// them, or the question the answer follows is lost.
    private var templateTokens: Int {
        let fields = Dictionary(uniqueKeysWithValues: task.template.fields.map { ($0, "") })
        let text = (try? task.template.render(Example(fields: fields, label: 0))) ?? ""
        return tokenizer.encode(text, addSpecialTokens: false).count
    }

    public func encode(_ examples: [Example]) throws -> [EncodedExample] { try examples.map(encode) }

    /// The encoder for `loaded`'s prompts: its tokenizer and output kind, and as prompt prefix the
    /// family's own (OPT's `</s>`, a GGUF GPT-2's BOS), else the special tokens the tokenizer puts
    /// before a text (LLaMA-2's and Llama-3's BOS), as HF's `tokenizer(prompt)` gives MeZO's prompts —
    /// after the virtual tokens of an attached prompt-tuning adapter, which PEFT puts first.
    public init(for loaded: LoadedModel, task: ClassificationTask, maxTokens: Int) throws {
        let tokenizer = try loaded.tokenizer()
        let model = loaded.model
        if let generation = task.generation {
            guard model.outputKind == .causalLanguageModel else { throw TrainingError.generationNeedsDecoder(task: task.name) }
            guard generation.maxNewTokens < model.contextRoom else {
                throw TrainingError.maxNewTokensBeyondContext(task: task.name, maxNewTokens: generation.maxNewTokens, context: model.contextRoom)
            }
        }
        self.init(
            tokenizer: tokenizer, task: task, maxTokens: min(maxTokens, model.contextRoom),
            promptPrefix: model.virtualPrefix
                + (model.outputKind != .causalLanguageModel || !model.promptPrefix.isEmpty
                    ? model.promptPrefix : tokenizer.leadingSpecialTokens),
            outputKind: model.outputKind)
    }
}
