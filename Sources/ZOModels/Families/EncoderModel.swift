import ZORandom
import ZOTensor

/// A BERT-style encoder in fp32 (BERT, RoBERTa: `EncoderVariant`): word + token-type + position
/// embeddings and a LayerNorm, then post-LayerNorm blocks of bidirectional multi-head attention and a
/// GELU feed-forward layer, then a head (`EncoderHead`): the masked-LM head, or a classifier over the
/// pooled output (`EncoderPooling`).
///
/// All weights live in one `WeightArena` under the checkpoint's own names (with or without the
/// `bert.` / `roberta.` prefix), so trained tensors load back into transformers. Per layer the arena
/// order is query, key, value, so the three run as one GEMM.
///
/// A batch is packed back to back like the decoders' (`PackedBatch`), and each token attends to every
/// token of its own sequence: the result of right padding with an attention mask, without the
/// padding. Token type 0 everywhere.
public final class EncoderModel: LanguageModel, ModelArchitecture {
    public let variant: EncoderVariant
    public let configuration: EncoderConfiguration
    /// `variant.headedPrefix` or "", as the checkpoint names its tensors.
    public let prefix: String
    public let head: EncoderHead
    public let weights: WeightArena
    /// Whether the classification head was initialised here rather than read from the checkpoint.
    public private(set) var classifierIsNew = false
    /// Which file chose the classifier's pooling (`1_Pooling/config.json`, `bert.pooling_type`), for
    /// `inspect`; nil when it followed from the weights (a pooler, or none).
    public internal(set) var poolingSource: String?
    private let workspace: ForwardWorkspace
    private let attention: SelfAttention
    /// Pooled outputs by token sequence while a run trains only the classifier (linear probing):
    /// everything before the classifier is frozen then, so each example's encoder forward is done
    /// once instead of twice per step. nil when off (`prepareForTraining`).
    private var frozenPooledOutputs: [[Int]: [Float]]?

    /// The arena layout, in the checkpoint's names. Layer matrices multiply every token; embeddings are
    /// looked up (the word embeddings, when they are the tied MLM decoder, also multiply the scored
    /// rows); the head's matrices (MLM transform and decoder, pooler, classifier) see the scored rows.
    public static func parameterSpecs(
        for c: EncoderConfiguration, variant: EncoderVariant, prefix p: String, head: EncoderHead
    ) -> [ParameterSpec] {
        func spec(
            _ name: String, _ shape: [Int], _ role: ParameterRole, _ kind: ParameterKind, layer: Int? = nil,
            use: ActivationUse? = nil
        ) -> ParameterSpec {
            let matrixUse: ActivationUse = layer == nil ? .scoredRows : .everyToken
            return ParameterSpec(name: name, shape: shape, role: role, layer: layer, kind: kind,
                                 activationUse: use ?? (shape.count == 2 ? matrixUse : []))
        }
        /// weight + bias of a LayerNorm or a linear map.
        func pair(_ module: String, _ shape: [Int], _ role: ParameterRole, _ kind: ParameterKind, layer: Int? = nil) -> [ParameterSpec] {
            [spec(module + ".weight", shape, role, kind, layer: layer), spec(module + ".bias", [shape[0]], .bias, kind, layer: layer)]
        }
        var tiedDecoder = false
        if case .maskedLanguageModel = head { tiedDecoder = c.tieWordEmbeddings }
        let h = c.hiddenSize
        var specs = [
            spec(p + "embeddings.word_embeddings.weight", [c.vocabularySize, h], .embedding, .tokenEmbedding,
                 use: tiedDecoder ? [.lookup, .scoredRows] : .lookup),
            spec(p + "embeddings.position_embeddings.weight", [c.positionTableSize, h], .embedding, .positionEmbedding, use: .lookup),
            spec(p + "embeddings.token_type_embeddings.weight", [c.tokenTypeCount, h], .embedding, .tokenTypeEmbedding, use: .lookup),
        ] + pair(p + "embeddings.LayerNorm", [h], .norm, .norm)
        for layer in 0..<c.layerCount {
            let l = p + "encoder.layer.\(layer)."
            let projections: [(name: String, kind: ParameterKind)] = [("query", .query), ("key", .key), ("value", .value)]
                .map { (l + "attention.self." + $0, $1) }
            specs += projections.map { spec($0.name + ".weight", [h, h], .matrix, $0.kind, layer: layer) }
            specs += projections.map { spec($0.name + ".bias", [h], .bias, $0.kind, layer: layer) }
            specs += pair(l + "attention.output.dense", [h, h], .matrix, .attentionOutput, layer: layer)
            specs += pair(l + "attention.output.LayerNorm", [h], .norm, .norm, layer: layer)
            specs += pair(l + "intermediate.dense", [c.intermediateSize, h], .matrix, .up, layer: layer)
            specs += pair(l + "output.dense", [h, c.intermediateSize], .matrix, .down, layer: layer)
            specs += pair(l + "output.LayerNorm", [h], .norm, .norm, layer: layer)
        }
        switch head {
        case .maskedLanguageModel:
            specs += pair(variant.transform, [h, h], .matrix, .head) + pair(variant.transformNorm, [h], .norm, .norm)
            specs.append(spec(variant.outputBias, [c.vocabularySize], .bias, .head))
            if !c.tieWordEmbeddings { specs.append(spec(variant.decoder + ".weight", [c.vocabularySize, h], .matrix, .head)) }
        case let .classifier(labels, pooling):
            if pooling == .pooler { specs += pair(p + "pooler.dense", [h, h], .matrix, .head) }
            specs += [spec("classifier.weight", [labels, h], .head, .head), spec("classifier.bias", [labels], .head, .head)]
        }
        return specs
    }

    /// A model with all-zero weights; fill `weights` before use (see `EncoderLoading`).
    public init(configuration: EncoderConfiguration, variant: EncoderVariant, prefix: String, head: EncoderHead) {
        self.configuration = configuration
        self.variant = variant
        self.prefix = prefix
        self.head = head
        weights = WeightArena(Self.parameterSpecs(for: configuration, variant: variant, prefix: prefix, head: head))
        workspace = ForwardWorkspace(widths: configuration.activationWidths)
        attention = SelfAttention(
            headCount: configuration.headCount, keyValueHeadCount: configuration.headCount, headDim: configuration.headDim,
            causal: false)
    }

    public var family: String { variant.family }
    public var maxPositions: Int { configuration.maxPositions }
    public var vocabularySize: Int { configuration.vocabularySize }

    public var outputKind: OutputKind {
        switch head {
        case let .maskedLanguageModel(mask): return .maskedLanguageModel(maskTokenID: mask)
        case .classifier: return .sequenceClassifier
        }
    }

    public var outputSize: Int {
        switch head {
        case .maskedLanguageModel: return configuration.vocabularySize
        case let .classifier(labels, _): return labels
        }
    }

    public func activationBytes(tokens: Int, longestSequence: Int) -> Int {
        configuration.activationWidths.activationBytes(tokens: tokens, longestSequence: longestSequence)
    }

    public var architectureSummary: [(label: String, value: String)] {
        let c = configuration
        let headText: String
        switch head {
        case let .maskedLanguageModel(mask):
            headText = "masked LM (\(variant.transform), decoder \(c.tieWordEmbeddings ? "tied to the word embeddings" : "separate")), "
                + "mask token \(mask)"
        case let .classifier(labels, pooling):
            headText = "sequence classifier, \(labels) labels, over \(pooling.summary)"
                + (poolingSource.map { " (pooling from \($0))" } ?? "")
                + (classifierIsNew ? "; classifier.weight new (seeded N(0, \(c.initializerRange)²), bias 0)"
                                   : "; classifier.weight from the checkpoint")
        }
        return [
            ("family", "\(variant.family) (encoder, post-LN LayerNorm, \(c.activation.summary) MLP, bidirectional "
                + "multi-head attention, \(c.positionPaddingID == nil ? "learned positions" : "learned positions after the padding id"))"),
            ("shape", "\(c.layerCount) layers, hidden \(c.hiddenSize), FFN \(c.intermediateSize), "
                + "\(c.headCount) heads × \(c.headDim), vocab \(c.vocabularySize), \(c.maxPositions) positions"),
            ("head", headText),
        ]
    }

    // MARK: Forward

    public func logits(_ sequences: [[Int]], at requests: [LogitRequest]) throws -> [Float] {
        if case let .classifier(labels, _) = head, frozenPooledOutputs != nil {
            try validate(sequences, vocabularySize: configuration.vocabularySize, requests: requests)
            let classes = try cachedClassifierLogits(sequences, labels: labels)
            return requests.flatMap { classes[($0.sequence * labels)..<(($0.sequence + 1) * labels)] }
        }
        let batch = try encode(sequences, requests)
        switch head {
        case .maskedLanguageModel: return maskedLanguageModelLogits(rows: requests.map(batch.row))
        case let .classifier(labels, _):
            let classes = classifierLogits(pooled: pooledOutput(batch), sequences: sequences.count, labels: labels)
            return requests.flatMap { classes[($0.sequence * labels)..<(($0.sequence + 1) * labels)] }
        }
    }

    /// Keeps pooled outputs while only the classification head (role `head`) trains; any other
    /// trainable tensor (or a masked-LM head) turns the cache off and drops it.
    public func prepareForTraining(_ trainable: [ParameterEntry]) {
        let headOnly = !trainable.isEmpty && trainable.allSatisfy { $0.role == .head }
        frozenPooledOutputs = headOnly && head.isClassifier ? [:] : nil
    }

    /// Class logits from cached pooled outputs, encoding only the sequences not seen before.
    private func cachedClassifierLogits(_ sequences: [[Int]], labels: Int) throws -> [Float] {
        let missing = Array(Set(sequences.filter { frozenPooledOutputs?[$0] == nil }))
        if !missing.isEmpty {
            let pooled = try pooledOutput(missing)
            let width = configuration.hiddenSize
            for (index, sequence) in missing.enumerated() {
                frozenPooledOutputs?[sequence] = Array(pooled[(index * width)..<((index + 1) * width)])
            }
        }
        let pooled = FloatBuffer(count: sequences.count * configuration.hiddenSize)
        for (index, sequence) in sequences.enumerated() {
            frozenPooledOutputs![sequence]!.withUnsafeBufferPointer {
                (pooled.pointer + index * configuration.hiddenSize).update(from: $0.baseAddress!, count: $0.count)
            }
        }
        return classifierLogits(pooled: pooled, sequences: sequences.count, labels: labels)
    }

    /// Last hidden states `[tokens × hidden]`, the sequences' tokens back to back (transformers'
    /// `last_hidden_state` without the padding rows).
    public func lastHiddenStates(_ sequences: [[Int]]) throws -> [Float] {
        let batch = try encode(sequences, [])
        return Array(UnsafeBufferPointer(start: workspace.residual.pointer, count: batch.tokenCount * configuration.hiddenSize))
    }

    /// What a classification head reads, per sequence `[sequences × hidden]` (`EncoderPooling`): the
    /// pooler's output (transformers' `pooler_output`), the mean of the token states (sentence-
    /// transformers' mean pooling), or the first token's hidden state.
    public func pooledOutput(_ sequences: [[Int]]) throws -> [Float] {
        let pooled = pooledOutput(try encode(sequences, []))
        return withExtendedLifetime(pooled) { Array(pooled.buffer) }
    }

    /// Resolved weights of one layer.
    private struct LayerWeights {
        let queryKeyValue: [LinearMap]
        let attentionOutput, intermediate, output: LinearMap
        let attentionNorm, outputNorm: String
    }

    private func layerWeights(_ layer: Int) -> LayerWeights {
        let c = configuration, h = c.hiddenSize
        let l = prefix + "encoder.layer.\(layer)."
        func map(_ module: String, inputs: Int, outputs: Int) -> LinearMap {
            LinearMap(weights, weight: l + module + ".weight", bias: l + module + ".bias", inputs: inputs, outputs: outputs)
        }
        return LayerWeights(
            queryKeyValue: ["query", "key", "value"].map { map("attention.self." + $0, inputs: h, outputs: h) },
            attentionOutput: map("attention.output.dense", inputs: h, outputs: h),
            intermediate: map("intermediate.dense", inputs: h, outputs: c.intermediateSize),
            output: map("output.dense", inputs: c.intermediateSize, outputs: h),
            attentionNorm: l + "attention.output.LayerNorm", outputNorm: l + "output.LayerNorm")
    }

    /// In place over `rows` rows of width hidden, with the LayerNorm `module`'s weight and bias.
    private func layerNormalize(_ x: UnsafeMutablePointer<Float>, rows: Int, _ module: String) {
        layerNorm(x, gain: weights.pointer(module + ".weight"), bias: weights.pointer(module + ".bias"), into: x,
                  rows: rows, width: configuration.hiddenSize, epsilon: configuration.layerNormEpsilon)
    }

    /// Checks and packs the batch, then runs embeddings and every layer; the last hidden states end
    /// in `workspace.residual`.
    private func encode(_ sequences: [[Int]], _ requests: [LogitRequest]) throws -> PackedBatch {
        let c = configuration
        let batch = try PackedBatch(sequences, requests, for: self, reserving: workspace)
        let x = workspace.residual.pointer
        let e = prefix + "embeddings."
        // transformers' order: (word + token type) + position, then LayerNorm.
        EmbeddingTable(weights, e + "word_embeddings.weight", width: c.hiddenSize).lookUp(batch.tokens, into: x)
        EmbeddingTable(weights, e + "token_type_embeddings.weight", width: c.hiddenSize)
            .lookUp([Int](repeating: 0, count: batch.tokenCount), into: x, accumulate: true)
        EmbeddingTable(weights, e + "position_embeddings.weight", width: c.hiddenSize)
            .lookUp(batch.sequences.flatMap(positionIDs), into: x, accumulate: true)
        layerNormalize(x, rows: batch.tokenCount, e + "LayerNorm")
        for layer in 0..<c.layerCount {
            let w = layerWeights(layer)
            attentionBlock(w, batch)
            feedForwardBlock(w, tokens: batch.tokenCount)
        }
        return batch
    }

    /// Position ids of one unpadded sequence: 0, 1, … (BERT), or RoBERTa's `padding_idx + 1 + i`, where
    /// a pad token keeps position `padding_idx` and does not advance the count (transformers'
    /// `create_position_ids_from_input_ids`).
    func positionIDs(_ sequence: [Int]) -> [Int] {
        guard let pad = configuration.positionPaddingID else { return Array(sequence.indices) }
        var count = 0
        return sequence.map { id in
            guard id != pad else { return pad }
            count += 1
            return pad + count
        }
    }

    /// x = LayerNorm(x + dense(attention(q, k, v))) with q|k|v = x·[Wq; Wk; Wv]ᵀ + biases.
    private func attentionBlock(_ w: LayerWeights, _ batch: PackedBatch) {
        let x = workspace.residual.pointer, qkv = workspace.queryKeyValue.pointer, out = workspace.attention.pointer
        LinearMap.applyFused(w.queryKeyValue, x, rows: batch.tokenCount, into: qkv)
        attention.run(qkv, batch: batch, scale: 1 / Float(configuration.headDim).squareRoot(), into: out,
                      scratch: workspace.scores.pointer, scratchStride: workspace.scoreStride,
                      workers: workspace.attentionWorkers)
        w.attentionOutput.apply(out, rows: batch.tokenCount, into: x, accumulate: true)
        layerNormalize(x, rows: batch.tokenCount, w.attentionNorm)
    }

    /// x = LayerNorm(x + output(gelu(intermediate(x)))).
    private func feedForwardBlock(_ w: LayerWeights, tokens: Int) {
        let x = workspace.residual.pointer, hidden = workspace.feedForward.pointer
        w.intermediate.apply(x, rows: tokens, into: hidden)
        configuration.activation.apply(hidden, count: tokens * configuration.intermediateSize)
        w.output.apply(hidden, rows: tokens, into: x, accumulate: true)
        layerNormalize(x, rows: tokens, w.outputNorm)
    }

    /// Copies the given activation rows of the last hidden states into a `[rows × hidden]` buffer.
    private func gather(rows: [Int]) -> FloatBuffer {
        let width = configuration.hiddenSize
        let gathered = FloatBuffer(count: rows.count * width)
        for (i, row) in rows.enumerated() {
            (gathered.pointer + i * width).update(from: workspace.residual.pointer + row * width, count: width)
        }
        return gathered
    }

    /// decoder(LayerNorm(gelu(transform(h)))) + bias at the given token rows only.
    private func maskedLanguageModelLogits(rows: [Int]) -> [Float] {
        let c = configuration, width = c.hiddenSize
        let gathered = gather(rows: rows), transformed = FloatBuffer(count: rows.count * width)
        LinearMap(weights, weight: variant.transform + ".weight", bias: variant.transform + ".bias", inputs: width,
                  outputs: width).apply(gathered.pointer, rows: rows.count, into: transformed.pointer)
        c.activation.apply(transformed.pointer, count: rows.count * width)
        layerNormalize(transformed.pointer, rows: rows.count, variant.transformNorm)
        let decoder = LinearMap(
            weights, weight: c.tieWordEmbeddings ? prefix + "embeddings.word_embeddings.weight" : variant.decoder + ".weight",
            bias: variant.outputBias, inputs: width, outputs: c.vocabularySize)
        var logits = [Float](repeating: 0, count: rows.count * c.vocabularySize)
        logits.withUnsafeMutableBufferPointer { decoder.apply(transformed.pointer, rows: rows.count, into: $0.baseAddress!) }
        return logits
    }

    /// `[sequences × hidden]` as the head's pooling says (the first token's state under a masked-LM head).
    private func pooledOutput(_ batch: PackedBatch) -> FloatBuffer {
        let width = configuration.hiddenSize, count = batch.sequences.count
        guard case let .classifier(_, pooling) = head, pooling != .cls else { return gather(rows: batch.offsets) }
        if pooling == .mean { return meanOfTokens(batch) }
        let first = gather(rows: batch.offsets)
        let pooled = FloatBuffer(count: count * width)
        LinearMap(weights, weight: prefix + "pooler.dense.weight", bias: prefix + "pooler.dense.bias", inputs: width,
                  outputs: width).apply(first.pointer, rows: count, into: pooled.pointer)
        tanhInPlace(pooled.pointer, count: count * width)
        return pooled
    }

    /// `[sequences × hidden]`: each sequence's token states averaged (summed in order, then divided).
    private func meanOfTokens(_ batch: PackedBatch) -> FloatBuffer {
        let width = configuration.hiddenSize
        let means = FloatBuffer(count: batch.sequences.count * width)
        for (s, sequence) in batch.sequences.enumerated() {
            let target = means.pointer + s * width
            for row in batch.offsets[s]..<(batch.offsets[s] + sequence.count) {
                addBias(workspace.residual.pointer + row * width, to: target, rows: 1, width: width)
            }
            for i in 0..<width { target[i] /= Float(sequence.count) }
        }
        return means
    }

    /// `[sequences × labels]` class logits from the pooled output.
    private func classifierLogits(pooled: FloatBuffer, sequences: Int, labels: Int) -> [Float] {
        let classifier = LinearMap(weights, weight: "classifier.weight", bias: "classifier.bias",
                                   inputs: configuration.hiddenSize, outputs: labels)
        var logits = [Float](repeating: 0, count: sequences * labels)
        logits.withUnsafeMutableBufferPointer { classifier.apply(pooled.pointer, rows: sequences, into: $0.baseAddress!) }
        return logits
    }

    // MARK: New classification head

    /// Fills `classifier.weight` with N(0, initializer_range²) and `classifier.bias` with zeros, as
    /// transformers initialises a new head, from a fixed seed: every tool that opens the model gets the
    /// same untrained head, so a run that froze it can still be evaluated from its checkpoint.
    func initialiseClassifier() {
        guard case let .classifier(labels, _) = head else { return }
        let weight = weights.values(weights.entry(named: "classifier.weight")!)
        var generator = SplitMix64(keys: 0xC1A5_51F1E5, UInt64(labels), UInt64(configuration.hiddenSize))
        for i in weight.indices { weight[i] = configuration.initializerRange * generator.nextStandardNormal() }
        weights.values(weights.entry(named: "classifier.bias")!).update(repeating: 0)
        classifierIsNew = true
    }
}

extension EncoderConfiguration {
    /// Floats per token of the forward's activation buffers (post-LN: no separate normalised copy;
    /// the activation works in place).
    var activationWidths: ForwardWorkspace.Widths {
        ForwardWorkspace.Widths(
            residual: hiddenSize, queryKeyValue: 3 * hiddenSize, attention: hiddenSize, feedForward: intermediateSize)
    }
}
