import ZOTensor

/// How a model's output rows relate to the task's candidates (`CandidateScorer`, `ExampleEncoder`).
public enum OutputKind: Sendable, Equatable {
    /// Next-token distribution over the vocabulary at any position (decoders): a candidate is
    /// scored by its tokens' log-probabilities after the prompt.
    case causalLanguageModel
    /// Token distribution at a position holding the mask token (encoders with an MLM head, MeZO's
    /// RoBERTa protocol): the prompt carries the mask where the answer goes.
    case maskedLanguageModel(maskTokenID: Int)
    /// Class logits per sequence from a classification head: `outputSize` classes; a logit request
    /// is answered for its sequence whatever its position.
    case sequenceClassifier
}

/// What the trainer, scorer and decoder need from a model, whatever its family: a forward pass over
/// the weights of one `WeightArena`, held under their Hugging Face names and tagged by the family
/// (`ParameterSpec`); estimators see only that arena. Descriptions for people are `ModelArchitecture`'s.
public protocol LanguageModel: AnyObject {
    /// The family's `model_type` ("llama", "opt", …), as registered in `ModelFamilies`.
    var family: String { get }
    var weights: WeightArena { get }
    var outputKind: OutputKind { get }
    /// Width of one output row: the vocabulary, or the number of classes.
    var outputSize: Int { get }
    /// Longest sequence the model accepts.
    var maxPositions: Int { get }
    /// Token ids a sequence may hold (rows of the token embedding): the vocabulary, which is also the
    /// output width of a language-model head (the default), but not of a classifier.
    var vocabularySize: Int { get }
    /// Token ids every prompt starts with, as the model saw documents in pretraining: OPT's BOS
    /// `</s>`, which its tokenizer prepends and MeZO keeps in every prompt. Empty for most models.
    var promptPrefix: [Int] { get }

    /// Runs the batch (sequences packed without padding) and returns `[requests.count × outputSize]`
    /// logits, row-major, in request order.
    func logits(_ sequences: [[Int]], at requests: [LogitRequest]) throws -> [Float]

    /// The same for sequences that share a prompt among continuations (a request's position indexes
    /// a `SharedPromptSequence`'s rows). Decoders compute each prompt once; the default runs every
    /// `prompt + continuation` as its own sequence.
    func logits(sharing sequences: [SharedPromptSequence], at requests: [LogitRequest]) throws -> [Float]

    /// Told which tensors a training run changes, before it starts (and with `[]` after). A model
    /// whose output past some point depends only on frozen weights may keep those results per
    /// sequence instead of recomputing them every forward. Default: nothing to keep.
    func prepareForTraining(_ trainable: [ParameterEntry])

    /// Every layer's keys and values for `tokens` run as one sequence from position 0 (prefix
    /// tuning's starting point, `PrefixAdapter`); nil for a model whose attention is not causal.
    func attentionKeyValues(_ tokens: [Int]) throws -> [AttentionKeyValues]?
    /// What those keys and values are made of; nil for a model whose attention is not causal.
    var keyValueShape: KeyValueShape? { get }

    /// Runs `tokens[s]` after the tokens `cache` holds for its sequence s (an empty list leaves s
    /// out), adds their keys and values to the cache, and returns `[requests.count × outputSize]`
    /// logits, where a request's `sequence` is the cache's and its `position` counts the new tokens.
    /// Only for models with a `keyValueShape` (a programmer error otherwise).
    func logits(appending tokens: [[Int]], to cache: KeyValueCache, at requests: [LogitRequest]) throws -> [Float]
}

extension LanguageModel {
    public func prepareForTraining(_ trainable: [ParameterEntry]) {}
    public func attentionKeyValues(_ tokens: [Int]) throws -> [AttentionKeyValues]? { nil }
    public var keyValueShape: KeyValueShape? { nil }
    public func logits(appending tokens: [[Int]], to cache: KeyValueCache, at requests: [LogitRequest]) throws -> [Float] {
        preconditionFailure("\(family) models have no key/value cache")
    }

    /// An empty key/value cache for `sequences` sequences; nil for a model whose attention is not causal.
    public func makeKeyValueCache(sequences: Int) -> KeyValueCache? {
        keyValueShape.map { KeyValueCache(shape: $0, sequences: sequences) }
    }
    public var promptPrefix: [Int] { [] }
    public var vocabularySize: Int { outputSize }

    public func logits(sharing sequences: [SharedPromptSequence], at requests: [LogitRequest]) throws -> [Float] {
        // Prompt rows are read from `prompt + continuation 0`: right for causal models only.
        precondition(outputKind == .causalLanguageModel || sequences.allSatisfy(\.continuations.isEmpty),
                     "shared prompts with continuations need a causal language model")
        var flat: [[Int]] = []
        var origins: [[LogitRequest]] = []
        for sequence in sequences {
            let (expanded, rowOrigins) = sequence.expanded()
            origins.append(rowOrigins.map { LogitRequest(sequence: flat.count + $0.sequence, position: $0.position) })
            flat += expanded
        }
        try validate(sequences, vocabularySize: vocabularySize, requests: requests)
        return try logits(flat, at: requests.map { origins[$0.sequence][$0.position] })
    }

    /// The virtual token ids of an attached prompt-tuning adapter, which every input must start with
    /// (before `promptPrefix`, as PEFT puts them); empty without one.
    public var virtualPrefix: [Int] { weights.virtualTokens?.tokens.ids ?? [] }

    /// Tokens an input may hold: the context less the rows of an attached prefix-tuning adapter,
    /// which take the first positions.
    public var contextRoom: Int { maxPositions - (weights.attentionPrefix?.count ?? 0) }

    /// Logits at the last position of every sequence: `[sequences.count × outputSize]`.
    public func lastPositionLogits(_ sequences: [[Int]]) throws -> [Float] {
        try logits(sequences, at: sequences.indices.map { LogitRequest(sequence: $0, position: sequences[$0].count - 1) })
    }

    /// Checks a batch against the vocabulary and context before a forward pass (shared by families).
    public func validate(_ sequences: [[Int]], vocabularySize: Int, requests: [LogitRequest]) throws {
        try validate(sequences.map { SharedPromptSequence(prompt: $0) }, vocabularySize: vocabularySize, requests: requests)
    }

    /// The same for shared-prompt sequences: every prompt non-empty, every prompt + continuation
    /// within the context.
    public func validate(
        _ sequences: [SharedPromptSequence], vocabularySize: Int, requests: [LogitRequest], pastLengths: [Int]? = nil
    ) throws {
        for (index, sequence) in sequences.enumerated() {
            guard !sequence.prompt.isEmpty else { throw ModelError.emptySequence(index: index) }
            let length = sequence.span + (pastLengths?[index] ?? 0)
            guard length <= contextRoom else {
                throw ModelError.sequenceTooLong(length: length, limit: contextRoom)
            }
            let virtual = weights.virtualTokens?.tokens
            for continuation in [sequence.prompt] + sequence.continuations {
                for id in continuation where (id < 0 || id >= vocabularySize) && virtual?.row(id) == nil {
                    throw ModelError.tokenOutOfRange(id: id, vocabularySize: vocabularySize)
                }
            }
        }
        for request in requests {
            precondition(
                sequences.indices.contains(request.sequence)
                    && (0..<sequences[request.sequence].rowCount).contains(request.position),
                "logit request outside the batch")
        }
    }
}
