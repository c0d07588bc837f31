import Foundation
import ZOFormats
import ZOTensor

/// Prefix tuning as MeZO runs it (Li & Liang without the reparameterisation; PEFT's PREFIX_TUNING):
/// n trainable key and value rows per layer that every query attends to before its sequence's own,
/// as if n tokens had been read first. Layer l's rows are two tensors of the adapter's own arena,
/// `prefix.layers.l.keys` and `….values` [n × key/value width]; attached (`AttentionPrefix`), every
/// decoder family's attention sees them and real tokens take positions n, n + 1, …, as transformers
/// gives them behind a PEFT prefix.
public final class PrefixAdapter: Adapter {
    /// The start of every tensor name.
    public static let namePrefix = "prefix.layers."
    static let keysSuffix = ".keys", valuesSuffix = ".values"

    public let weights: WeightArena
    public let shape: KeyValueShape
    let vocabularySize: Int

    public var tokenCount: Int { weights.entries[0].shape[0] }

    /// A prefix of `tokens` rows per layer for `model` (a decoder), all zero until initialised.
    public init(for model: LanguageModel, tokens: Int) throws {
        guard tokens >= 1 else { throw AdapterError.invalidSetting("--prefix-tokens must be at least 1, not \(tokens)") }
        guard model.outputKind == .causalLanguageModel, let shape = model.keyValueShape else {
            throw AdapterError.invalidSetting("prefix tuning is implemented for decoders; use --tuning lora for \(model.family) models")
        }
        guard tokens < model.maxPositions else {
            throw AdapterError.invalidSetting("\(tokens) prefix tokens leave no room in the model's context of \(model.maxPositions)")
        }
        self.shape = shape
        vocabularySize = model.vocabularySize
        weights = WeightArena((0..<shape.layers).flatMap { layer in
            [(Self.keysSuffix, ParameterKind.key), (Self.valuesSuffix, .value)].map { suffix, kind in
                // Rows are read by attention, never multiplied by activations: a lookup.
                ParameterSpec(name: Self.namePrefix + "\(layer)" + suffix, shape: [tokens, shape.width], role: .adapter,
                              layer: layer, kind: kind, activationUse: .lookup)
            }
        })
    }

    /// Whether a stored tensor name is a prefix row set.
    public static func isPrefixTensor(_ name: String) -> Bool { name.hasPrefix(namePrefix) }

    private var keyEntries: [ParameterEntry] { stride(from: 0, to: weights.entries.count, by: 2).map { weights.entries[$0] } }
    private var valueEntries: [ParameterEntry] { stride(from: 1, to: weights.entries.count, by: 2).map { weights.entries[$0] } }

    /// MeZO's initialisation ("init by real activations"): the keys and values `model` computes for
    /// `tokenCount` distinct real tokens drawn by `seed`, so the prefix starts as a plausible context.
    /// `model` must not have a prefix attached.
    public func initialise(from model: LanguageModel, seed: UInt64) throws {
        precondition(model.weights.attentionPrefix == nil, "initialise a prefix on the bare base")
        let ids = VocabularySample.ids(count: tokenCount, vocabularySize: vocabularySize, seed: seed, stream: 0)
        guard ids.count == tokenCount, let layers = try model.attentionKeyValues(ids), layers.count == shape.layers else {
            throw AdapterError.invalidSetting("the model's vocabulary of \(vocabularySize) is too small for \(tokenCount) prefix tokens")
        }
        for (layer, keysAndValues) in layers.enumerated() {
            _ = weights.values(keyEntries[layer]).update(fromContentsOf: keysAndValues.keys)
            _ = weights.values(valueEntries[layer]).update(fromContentsOf: keysAndValues.values)
        }
    }

    public var summary: String {
        "prefix-tuning adapter: \(tokenCount) key/value rows in each of \(shape.layers) layers"
    }
    /// The prefix changes every output from the start.
    public var startsAtBase: Bool { false }
    public var checkpointMetadata: [String: String] { [:] }

    public func attach(to base: WeightArena) {
        base.setAttentionPrefix(AttentionPrefix(owner: weights, keys: keyEntries, values: valueEntries))
    }

    public func detach(from base: WeightArena) { base.setAttentionPrefix(nil) }

    public func writePEFT(to folder: URL, baseModel: String, causalLanguageModel: Bool) throws {
        try PEFTAdapterFolder.write(self, baseModel: baseModel, to: folder)
    }

    /// PEFT's one tensor, `[n × layers·2·width]`: row j holds, layer by layer, key row j then value
    /// row j (what `get_prompt` views as [n, layers·2, heads, head size]).
    public func flattened() -> [Float] {
        let n = tokenCount, width = shape.width, rowWidth = shape.layers * 2 * width
        var flat = [Float](repeating: 0, count: n * rowWidth)
        for (index, entry) in weights.entries.enumerated() {
            let values = weights.values(entry)
            for row in 0..<n {
                for column in 0..<width { flat[row * rowWidth + index * width + column] = values[row * width + column] }
            }
        }
        return flat
    }

    /// A prefix read from PEFT's flattened tensor (checked against the model), not attached.
    public convenience init(loadingFlattened tensor: StoredTensor, for model: LanguageModel, source: String) throws {
        guard tensor.shape.count == 2, tensor.shape[0] >= 1 else {
            throw AdapterError.mismatch(path: source, reason: "\(PromptAdapter.tensorName) has shape \(tensor.shape), not [tokens, layers × 2 × width]")
        }
        try self.init(for: model, tokens: tensor.shape[0])
        let rowWidth = shape.layers * 2 * shape.width
        guard tensor.shape[1] == rowWidth else {
            throw AdapterError.mismatch(
                path: source, reason: "\(PromptAdapter.tensorName) rows hold \(tensor.shape[1]) values where this model's "
                    + "\(shape.layers) layers of \(shape.heads) key/value heads × \(shape.headDim) need \(rowWidth)")
        }
        let flat = FloatBuffer(count: tensor.shape[0] * rowWidth)
        try tensor.decodeAndRelease(into: flat.buffer)
        if let index = NonFiniteScan.firstIndex(in: UnsafeBufferPointer(flat.buffer)) {
            throw AdapterError.mismatch(path: source, reason: "\(PromptAdapter.tensorName) holds \(flat.buffer[index]) at element \(index)")
        }
        let n = tokenCount, width = shape.width
        for (index, entry) in weights.entries.enumerated() {
            let values = weights.values(entry)
            for row in 0..<n {
                for column in 0..<width { values[row * width + column] = flat.buffer[row * rowWidth + index * width + column] }
            }
        }
    }

    /// A prefix read from a checkpoint's own tensors (`prefix.layers.l.keys` / `.values`), not attached.
    public convenience init(loading tensors: [String: StoredTensor], for model: LanguageModel, source: String) throws {
        guard let first = tensors[Self.namePrefix + "0" + Self.keysSuffix], first.shape.count == 2 else {
            throw AdapterError.mismatch(path: source, reason: "its prefix has no \(Self.namePrefix)0\(Self.keysSuffix) rows")
        }
        try self.init(for: model, tokens: first.shape[0])
        let names = Set(weights.entries.map(\.name))
        if let stray = tensors.keys.sorted().first(where: { !names.contains($0) }) {
            throw AdapterError.mismatch(path: source, reason: "it holds \(stray), which this model's \(shape.layers)-layer prefix has no place for")
        }
        for entry in weights.entries {
            guard let tensor = tensors[entry.name] else {
                throw AdapterError.mismatch(path: source, reason: "\(entry.name) is missing")
            }
            guard tensor.shape == entry.shape else {
                throw AdapterError.mismatch(path: source, reason: "\(entry.name) has shape \(tensor.shape) where this model needs \(entry.shape)")
            }
            let values = weights.values(entry)
            try tensor.decodeAndRelease(into: values)
            if let index = NonFiniteScan.firstIndex(in: UnsafeBufferPointer(values)) {
                throw AdapterError.mismatch(path: source, reason: "\(entry.name) holds \(values[index]) at element \(index)")
            }
        }
    }
}
