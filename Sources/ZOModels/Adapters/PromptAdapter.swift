import Foundation
import ZOFormats
import ZOTensor

/// Prompt tuning (Lester et al.; PEFT's PROMPT_TUNING): n trainable embeddings put before every prompt
/// as virtual tokens, on a frozen base. They are rows of one tensor, `prompt_embeddings` [n × width],
/// in the adapter's own arena; attached, they become token ids past the end of the embedding table
/// (`VirtualTokens`) that the example encoder puts first, so every family runs them unchanged.
public final class PromptAdapter: Adapter {
    /// PEFT's name of the tensor.
    public static let tensorName = "prompt_embeddings"

    public let weights: WeightArena
    /// The base's token embedding entry (whose rows initialise the prompt and whose width it has).
    public let embedding: ParameterEntry
    let embeddingIndex: Int
    /// The vocabulary: ids below are the table's, the virtual ids follow.
    let vocabularySize: Int

    public var tokenCount: Int { weights.entries[0].shape[0] }

    /// A prompt of `tokens` virtual tokens for `model` (a decoder: encoders score at a mask or a
    /// classifier position that a prompt moves).
    public init(for model: LanguageModel, tokens: Int) throws {
        guard tokens >= 1 else { throw AdapterError.invalidSetting("--prompt-tokens must be at least 1, not \(tokens)") }
        guard model.outputKind == .causalLanguageModel else {
            throw AdapterError.invalidSetting("prompt tuning is implemented for decoders; use --tuning lora for \(model.family) models")
        }
        guard let index = model.weights.entries.firstIndex(where: { $0.kind == .tokenEmbedding && $0.role == .embedding }) else {
            throw AdapterError.invalidSetting("the model declares no token embedding to extend")
        }
        let entry = model.weights.entries[index]
        guard tokens < model.maxPositions else {
            throw AdapterError.invalidSetting("\(tokens) virtual tokens leave no room in the model's context of \(model.maxPositions)")
        }
        embedding = entry
        embeddingIndex = index
        vocabularySize = entry.shape[0]
        weights = WeightArena([ParameterSpec(
            name: Self.tensorName, shape: [tokens, entry.shape[1]], role: .adapter, layer: nil, kind: .tokenEmbedding,
            activationUse: .lookup)])
    }

    /// The embeddings of `tokenCount` real tokens, drawn without replacement from the vocabulary by
    /// `seed` (the usual "init from vocabulary" of prompt tuning): the prompt starts inside the space
    /// the model reads.
    public func initialise(from base: WeightArena, seed: UInt64) {
        let chosen = VocabularySample.ids(count: tokenCount, vocabularySize: vocabularySize, seed: seed, stream: embeddingIndex)
        let rows = weights.pointer(weights.entries[0]), width = embedding.shape[1]
        for (row, id) in chosen.enumerated() {
            switch embedding.precision {
            case .float32: (rows + row * width).update(from: base.pointer(embedding) + id * width, count: width)
            case .bfloat16: BFloat16.widen(base.narrowPointer(embedding) + id * width, into: rows + row * width, count: width)
            case .stored: base.encodedRows[embeddingIndex]!.decode(rows: id..<(id + 1), into: rows + row * width)
            }
        }
    }

    public var summary: String { "prompt-tuning adapter: \(tokenCount) virtual tokens" }
    /// Virtual tokens change every output from the start.
    public var startsAtBase: Bool { false }
    public var checkpointMetadata: [String: String] { [:] }

    public func attach(to base: WeightArena) {
        base.setVirtualTokens(VirtualTokens(owner: weights, entry: weights.entries[0], firstID: vocabularySize), for: embeddingIndex)
    }

    public func detach(from base: WeightArena) { base.setVirtualTokens(nil, for: embeddingIndex) }

    public func writePEFT(to folder: URL, baseModel: String, causalLanguageModel: Bool) throws {
        try PEFTAdapterFolder.write(self, baseModel: baseModel, to: folder)
    }

    /// A prompt read from a stored `prompt_embeddings` tensor (checked against the model), not attached.
    public convenience init(loading tensor: StoredTensor, for model: LanguageModel, source: String) throws {
        guard tensor.shape.count == 2 else {
            throw AdapterError.mismatch(path: source, reason: "\(Self.tensorName) has shape \(tensor.shape), not [tokens, width]")
        }
        try self.init(for: model, tokens: tensor.shape[0])
        guard tensor.shape[1] == embedding.shape[1] else {
            throw AdapterError.mismatch(
                path: source, reason: "\(Self.tensorName) is \(tensor.shape[1]) wide where this model's embeddings are \(embedding.shape[1])")
        }
        let values = weights.values(weights.entries[0])
        try tensor.decodeAndRelease(into: values)
        if let index = NonFiniteScan.firstIndex(in: UnsafeBufferPointer(values)) {
            throw AdapterError.mismatch(path: source, reason: "\(Self.tensorName) holds \(values[index]) at element \(index)")
        }
    }
}
