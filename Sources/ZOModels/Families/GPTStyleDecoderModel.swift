import Foundation
import ZOTensor

/// A GPT-style decoder in fp32 (OPT, GPT-2): token plus learned position embeddings, blocks of
/// LayerNorm, multi-head causal attention, LayerNorm and a two-matrix MLP (pre- or post-LN), biases
/// throughout, an optional final LayerNorm, OPT's optional projections, a tied or separate LM head.
///
/// Weights sit in one `WeightArena` under their Hugging Face names and in the checkpoint's own layout
/// (GPT-2's Conv1D weights stay inputs × outputs, see `WeightLayout`), so checkpoints ZOTune writes
/// load back into transformers. OPT's separate q, k, v are declared adjacent and run as one GEMM.
/// Batches are packed like LLaMA's (`PackedBatch`); logits are computed for the requested rows only.
public final class GPTStyleDecoderModel: LanguageModel, ModelArchitecture, KeyValueCaching {
    public let configuration: GPTStyleDecoderConfiguration
    public let weights: WeightArena
    let workspace: ForwardWorkspace
    private let attention: SelfAttention
    var selfAttention: SelfAttention { attention }
    var attentionLayerCount: Int { configuration.layerCount }
    /// Gain 1 and bias 0, for LayerNorms without parameters (OPT's `layer_norm_elementwise_affine`).
    private let unitGain: FloatBuffer
    private let zeroBias: FloatBuffer

    /// The arena layout for `configuration`, in HF names. Layer matrices and project_in multiply every
    /// token; embeddings are looked up (the token table, when tied, is also the head over the scored
    /// rows); project_out and the head see the scored rows only.
    public static func parameterSpecs(for c: GPTStyleDecoderConfiguration) -> [ParameterSpec] {
        let names = c.names
        func spec(
            _ name: String, _ shape: [Int], _ role: ParameterRole, _ kind: ParameterKind, _ layer: Int? = nil,
            use: ActivationUse? = nil, layout: WeightLayout = .outputsByInputs
        ) -> ParameterSpec {
            ParameterSpec(name: name, shape: shape, role: role, layer: layer, kind: kind,
                          activationUse: use ?? (shape.count == 2 ? .everyToken : []), layout: layout)
        }
        func norm(_ name: String, _ layer: Int? = nil) -> [ParameterSpec] {
            guard c.normsHaveParameters else { return [] }
            return [spec(name + ".weight", [c.hiddenSize], .norm, .norm, layer), spec(name + ".bias", [c.hiddenSize], .bias, .norm, layer)]
        }
        var specs = [
            spec(names.tokenEmbedding + ".weight", [c.vocabularySize, c.wordEmbeddingSize], .embedding, .tokenEmbedding,
                 use: c.tieWordEmbeddings ? [.lookup, .scoredRows] : .lookup),
            spec(names.positionEmbedding + ".weight", [c.maxPositions + c.positionOffset, c.hiddenSize], .embedding,
                 .positionEmbedding, use: .lookup),
        ]
        if c.projectsWordEmbeddings, let projectIn = names.projectIn {
            specs.append(spec(projectIn + ".weight", [c.hiddenSize, c.wordEmbeddingSize], .matrix, .projectIn))
        }
        // Three separate projections (OPT) or GPT-2's one fused c_attn.
        let queryKeyValueKinds: [ParameterKind] = names.queryKeyValue.count == 1 ? [.queryKeyValue] : [.query, .key, .value]
        for layer in 0..<c.layerCount {
            let p = names.layerPrefix + "\(layer)."
            func linear(_ name: String, _ kind: ParameterKind, inputs: Int, outputs: Int) -> (weight: ParameterSpec, bias: ParameterSpec?) {
                (spec(p + name + ".weight", names.layerWeightLayout.shape(inputs: inputs, outputs: outputs), .matrix, kind, layer,
                      layout: names.layerWeightLayout),
                 c.linearsHaveBiases ? spec(p + name + ".bias", [outputs], .bias, kind, layer) : nil)
            }
            // q, k, v weights first and adjacent (one GEMM), then their biases.
            let queryKeyValue = zip(names.queryKeyValue, queryKeyValueKinds).map {
                linear($0, $1, inputs: c.hiddenSize, outputs: 3 * c.hiddenSize / names.queryKeyValue.count)
            }
            let output = linear(names.attentionOutput, .attentionOutput, inputs: c.hiddenSize, outputs: c.hiddenSize)
            let up = linear(names.feedForwardUp, .up, inputs: c.hiddenSize, outputs: c.intermediateSize)
            let down = linear(names.feedForwardDown, .down, inputs: c.intermediateSize, outputs: c.hiddenSize)
            specs += norm(p + names.attentionNorm, layer)
            specs += queryKeyValue.map(\.weight) + queryKeyValue.compactMap(\.bias)
            specs += [output.weight] + [output.bias].compactMap { $0 }
            specs += norm(p + names.feedForwardNorm, layer)
            specs += [up.weight] + [up.bias].compactMap { $0 } + [down.weight] + [down.bias].compactMap { $0 }
        }
        if c.hasFinalNorm { specs += norm(names.finalNorm) }
        if c.projectsWordEmbeddings, let projectOut = names.projectOut {
            specs.append(spec(projectOut + ".weight", [c.wordEmbeddingSize, c.hiddenSize], .matrix, .projectOut, use: .scoredRows))
        }
        if !c.tieWordEmbeddings {
            specs.append(spec("lm_head.weight", [c.vocabularySize, c.wordEmbeddingSize], .matrix, .head, use: .scoredRows))
        }
        return specs
    }

    public var family: String { configuration.modelType }
    public var outputKind: OutputKind { .causalLanguageModel }
    public var outputSize: Int { configuration.vocabularySize }
    public var maxPositions: Int { configuration.maxPositions }
    public var promptPrefix: [Int] { configuration.promptPrefix }

    public func activationBytes(tokens: Int, longestSequence: Int) -> Int {
        configuration.activationWidths.activationBytes(tokens: tokens, longestSequence: longestSequence)
    }

    public var architectureSummary: [(label: String, value: String)] {
        let c = configuration
        let activation = c.activation.summary
        let projection = c.projectsWordEmbeddings ? ", word embeddings \(c.wordEmbeddingSize) (project_in/out)" : ""
        return [
            ("family", "\(c.modelType) (decoder, learned positions, \(c.normalizesBeforeSublayers ? "pre" : "post")-LN "
                + "LayerNorm, \(activation) MLP, multi-head attention\(c.linearsHaveBiases ? ", biases" : ""))"),
            ("shape", "\(c.layerCount) layers, hidden \(c.hiddenSize), FFN \(c.intermediateSize), "
                + "\(c.headCount) heads × \(c.headDim), vocab \(c.vocabularySize)\(projection)"),
            ("positions", String(format: "learned, offset %d, context %d, LN eps %g, LM head %@", c.positionOffset,
                                 c.maxPositions, c.layerNormEpsilon, c.tieWordEmbeddings ? "tied to embeddings" : "separate")),
        ]
    }

    /// A model with all-zero weights; fill `weights` before use (see `OPTFamily`, `GPT2Family`).
    /// `precision` says how each weight is held (fp32 unless a frozen base is held narrow or stored).
    public init(configuration: GPTStyleDecoderConfiguration, precision: (ParameterSpec) -> StoragePrecision = { _ in .float32 }) {
        self.configuration = configuration
        weights = WeightArena(Self.parameterSpecs(for: configuration), precision: precision)
        workspace = ForwardWorkspace(widths: configuration.activationWidths)
        attention = SelfAttention(
            headCount: configuration.headCount, keyValueHeadCount: configuration.headCount,
            headDim: configuration.headDim, causal: true)
        unitGain = FloatBuffer(count: configuration.hiddenSize)
        unitGain.buffer.update(repeating: 1)
        zeroBias = FloatBuffer(count: configuration.hiddenSize)
    }

    /// A LayerNorm's parameters (or the identity affine map when it has none).
    private struct Norm {
        let gain: UnsafePointer<Float>
        let bias: UnsafePointer<Float>
    }

    /// Resolved weights of one layer.
    private struct LayerWeights {
        let attentionNorm, feedForwardNorm: Norm
        let queryKeyValue: [LinearMap]
        let attentionOutput, up, down: LinearMap
    }

    private func norm(_ name: String) -> Norm {
        guard configuration.normsHaveParameters else { return Norm(gain: unitGain.pointer, bias: zeroBias.pointer) }
        return Norm(gain: weights.pointer(name + ".weight"), bias: weights.pointer(name + ".bias"))
    }

    private func layerWeights(_ layer: Int) -> LayerWeights {
        let c = configuration, names = c.names
        let p = names.layerPrefix + "\(layer)."
        func linear(_ name: String, inputs: Int, outputs: Int) -> LinearMap {
            LinearMap(weights, weight: p + name + ".weight", bias: c.linearsHaveBiases ? p + name + ".bias" : nil,
                      inputs: inputs, outputs: outputs, layout: names.layerWeightLayout)
        }
        return LayerWeights(
            attentionNorm: norm(p + names.attentionNorm), feedForwardNorm: norm(p + names.feedForwardNorm),
            queryKeyValue: names.queryKeyValue.map {
                linear($0, inputs: c.hiddenSize, outputs: 3 * c.hiddenSize / names.queryKeyValue.count)
            },
            attentionOutput: linear(names.attentionOutput, inputs: c.hiddenSize, outputs: c.hiddenSize),
            up: linear(names.feedForwardUp, inputs: c.hiddenSize, outputs: c.intermediateSize),
            down: linear(names.feedForwardDown, inputs: c.intermediateSize, outputs: c.hiddenSize))
    }

    /// Runs the batch and returns `[requests.count × vocabularySize]` logits, row-major, in request order.
    public func logits(_ sequences: [[Int]], at requests: [LogitRequest]) throws -> [Float] {
        try logits(sharing: sequences.map { SharedPromptSequence(prompt: $0) }, at: requests)
    }

    /// Runs the batch, each shared prompt once, and returns `[requests.count × vocabularySize]` logits.
    public func logits(sharing sequences: [SharedPromptSequence], at requests: [LogitRequest]) throws -> [Float] {
        try forward(try PackedBatch(sequences, requests, for: self, reserving: workspace), requests: requests, cached: nil)
    }

    /// The forward of a packed batch, its new keys and values added to `cached`'s cache when given.
    func forward(_ batch: PackedBatch, requests: [LogitRequest], cached: CachedSequences?) throws -> [Float] {
        let c = configuration
        embed(batch)
        for layer in 0..<c.layerCount {
            let w = layerWeights(layer)
            attentionBlock(w, layer: layer, batch: batch, scale: c.attentionScale(layer: layer), cached: cached)
            mlpBlock(w, tokens: batch.tokenCount)
        }
        return outputLogits(requests, batch: batch)
    }

    /// x = project_in(token embeddings) + position embeddings; positions count from 0 in every
    /// sequence (what transformers derives from the attention mask of an unpadded sequence), and a
    /// shared prompt's continuations go on from the prompt's end.
    private func embed(_ batch: PackedBatch) {
        let c = configuration
        let x = workspace.residual.pointer
        let tokens = EmbeddingTable(weights, c.names.tokenEmbedding + ".weight", width: c.wordEmbeddingSize)
        if c.projectsWordEmbeddings, let projectIn = c.names.projectIn {
            let narrow = workspace.normalized.pointer
            tokens.lookUp(batch.tokens, into: narrow)
            LinearMap(weights, weight: projectIn + ".weight", inputs: c.wordEmbeddingSize, outputs: c.hiddenSize)
                .apply(narrow, rows: batch.tokenCount, into: x)
        } else {
            tokens.lookUp(batch.tokens, into: x)
        }
        EmbeddingTable(weights, c.names.positionEmbedding + ".weight", width: c.hiddenSize)
            .lookUp(batch.positions(offset: c.positionOffset), into: x, accumulate: true)
    }

    /// The input of a sub-block: LayerNorm(x) for pre-LN models, x itself for post-LN ones.
    private func subBlockInput(_ norm: Norm, tokens: Int) -> UnsafeMutablePointer<Float> {
        let c = configuration
        let x = workspace.residual.pointer
        guard c.normalizesBeforeSublayers else { return x }
        let h = workspace.normalized.pointer
        layerNorm(x, gain: norm.gain, bias: norm.bias, into: h, rows: tokens, width: c.hiddenSize, epsilon: c.layerNormEpsilon)
        return h
    }

    /// Post-LN models normalise the residual stream after each residual add.
    private func normalizeAfterSubBlock(_ norm: Norm, tokens: Int) {
        let c = configuration
        guard !c.normalizesBeforeSublayers else { return }
        let x = workspace.residual.pointer
        layerNorm(x, gain: norm.gain, bias: norm.bias, into: x, rows: tokens, width: c.hiddenSize, epsilon: c.layerNormEpsilon)
    }

    /// x += out_proj(attention(q, k, v)) with q|k|v projected from the sub-block input.
    private func attentionBlock(_ w: LayerWeights, layer: Int, batch: PackedBatch, scale: Float, cached: CachedSequences?) {
        let qkv = workspace.queryKeyValue.pointer, out = workspace.attention.pointer
        let input = subBlockInput(w.attentionNorm, tokens: batch.tokenCount)
        LinearMap.applyFused(w.queryKeyValue, input, rows: batch.tokenCount, into: qkv)
        attention.run(qkv, batch: batch, scale: scale, into: out, scratch: workspace.scores.pointer,
                      scratchStride: workspace.scoreStride,
                      workers: workspace.attentionWorkers, prefix: weights.attentionPrefix?.rows(layer: layer),
                      past: cached?.pastRows(layer: layer))
        cached?.store(layer: layer, fused: qkv, fusedStride: attention.fusedWidth, keyColumn: attention.queryWidth, batch: batch)
        w.attentionOutput.apply(out, rows: batch.tokenCount, into: workspace.residual.pointer, accumulate: true)
        normalizeAfterSubBlock(w.attentionNorm, tokens: batch.tokenCount)
    }

    /// x += fc2(activation(fc1(sub-block input))).
    private func mlpBlock(_ w: LayerWeights, tokens: Int) {
        let hidden = workspace.feedForward.pointer
        w.up.apply(subBlockInput(w.feedForwardNorm, tokens: tokens), rows: tokens, into: hidden)
        configuration.activation.apply(hidden, count: tokens * configuration.intermediateSize)
        w.down.apply(hidden, rows: tokens, into: workspace.residual.pointer, accumulate: true)
        normalizeAfterSubBlock(w.feedForwardNorm, tokens: tokens)
    }

    /// Final norm, project_out and LM head for the requested rows only.
    private func outputLogits(_ requests: [LogitRequest], batch: PackedBatch) -> [Float] {
        let c = configuration, names = c.names
        let x = workspace.residual.pointer
        let final = FloatBuffer(count: requests.count * c.hiddenSize)
        // Post-LN models (OPT-350m) have no final norm, and so no weights to look up for one.
        let finalNorm = c.hasFinalNorm ? norm(names.finalNorm) : nil
        for (i, request) in requests.enumerated() {
            let source = x + batch.row(request) * c.hiddenSize, target = final.pointer + i * c.hiddenSize
            if let finalNorm {
                layerNorm(source, gain: finalNorm.gain, bias: finalNorm.bias, into: target, rows: 1, width: c.hiddenSize,
                          epsilon: c.layerNormEpsilon)
            } else {
                target.update(from: source, count: c.hiddenSize)
            }
        }
        var headInput = final
        if c.projectsWordEmbeddings, let projectOut = names.projectOut {
            headInput = FloatBuffer(count: requests.count * c.wordEmbeddingSize)
            LinearMap(weights, weight: projectOut + ".weight", inputs: c.hiddenSize, outputs: c.wordEmbeddingSize)
                .apply(final.pointer, rows: requests.count, into: headInput.pointer)
        }
        let head = LinearMap(weights, weight: c.tieWordEmbeddings ? names.tokenEmbedding + ".weight" : "lm_head.weight",
                             inputs: c.wordEmbeddingSize, outputs: c.vocabularySize)
        var logits = [Float](repeating: 0, count: requests.count * c.vocabularySize)
        logits.withUnsafeMutableBufferPointer { head.apply(headInput.pointer, rows: requests.count, into: $0.baseAddress!) }
        return logits
    }
}

extension GPTStyleDecoderModel {
    /// Builds the model of `configuration` and fills it strictly from `checkpoint`, whose tensors may
    /// be named without the causal-LM class's `basePrefix` (see `HuggingFaceCheckpoint.tensors(basePrefix:expectedBy:)`).
    static func load(
        _ checkpoint: HuggingFaceCheckpoint, configuration: GPTStyleDecoderConfiguration, basePrefix: String,
        layerCountKey: String, ignoring isIgnorable: @escaping (String) -> Bool
    ) throws -> LanguageModel & ModelArchitecture {
        let layout = parameterSpecs(for: configuration)
        let weights = WeightLoading(
            tensors: checkpoint.tensors(basePrefix: basePrefix, expectedBy: Set(layout.map(\.name))),
            source: checkpoint.folder, layerCountKey: layerCountKey, isIgnorable: isIgnorable)
        try weights.check(layout)
        let model = GPTStyleDecoderModel(configuration: configuration) {
            weights.precision(for: $0, options: checkpoint.options)
        }
        try weights.fill(model.weights)
        return model
    }
}

extension GPTStyleDecoderConfiguration {
    /// Floats per token of the forward's activation buffers (the MLP activation works in place).
    var activationWidths: ForwardWorkspace.Widths {
        ForwardWorkspace.Widths(
            residual: hiddenSize, normalized: max(hiddenSize, wordEmbeddingSize), queryKeyValue: 3 * hiddenSize,
            attention: hiddenSize, feedForward: intermediateSize)
    }
}
