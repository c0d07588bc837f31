import Foundation
import ZOTensor

/// A LLaMA-family decoder in fp32: RMSNorm, rotary embeddings (HF `rotate_half`), grouped-query
/// causal attention (with q/k/v biases for Qwen2), SwiGLU MLP, optionally tied LM head.
///
/// All weights live in one `WeightArena` under their Hugging Face names. Per layer the arena order is
/// q, k, v then gate, up, so each group is one contiguous `[out × in]` matrix and runs as one GEMM.
///
/// A batch is a list of variable-length sequences, packed back to back (`PackedBatch`); logits are
/// computed only for the requested positions.
public final class LlamaModel: LanguageModel, ModelArchitecture, KeyValueCaching {
    public let configuration: LlamaConfiguration
    public let weights: WeightArena
    private var rotary: RotaryEmbedding
    let workspace: ForwardWorkspace
    private let attention: SelfAttention
    var selfAttention: SelfAttention { attention }
    var attentionLayerCount: Int { configuration.layerCount }

    /// The arena layout for `configuration`, in HF names. Layer matrices multiply every token; the
    /// embedding is looked up and, when tied, is also the head over the scored rows.
    public static func parameterSpecs(for c: LlamaConfiguration) -> [ParameterSpec] {
        var specs = [ParameterSpec(
            name: "model.embed_tokens.weight", shape: [c.vocabularySize, c.hiddenSize], role: .embedding, layer: nil,
            kind: .tokenEmbedding, activationUse: c.tieWordEmbeddings ? [.lookup, .scoredRows] : .lookup)]
        for layer in 0..<c.layerCount {
            let p = "model.layers.\(layer)."
            func spec(_ name: String, _ shape: [Int], _ role: ParameterRole, _ kind: ParameterKind) -> ParameterSpec {
                ParameterSpec(name: p + name, shape: shape, role: role, layer: layer, kind: kind,
                              activationUse: shape.count == 2 ? .everyToken : [])
            }
            specs += [
                spec("input_layernorm.weight", [c.hiddenSize], .norm, .norm),
                spec("self_attn.q_proj.weight", [c.queryWidth, c.hiddenSize], .matrix, .query),
                spec("self_attn.k_proj.weight", [c.keyValueWidth, c.hiddenSize], .matrix, .key),
                spec("self_attn.v_proj.weight", [c.keyValueWidth, c.hiddenSize], .matrix, .value),
            ]
            if c.queryKeyValueBias {
                specs += [
                    spec("self_attn.q_proj.bias", [c.queryWidth], .bias, .query),
                    spec("self_attn.k_proj.bias", [c.keyValueWidth], .bias, .key),
                    spec("self_attn.v_proj.bias", [c.keyValueWidth], .bias, .value),
                ]
            }
            specs += [
                spec("self_attn.o_proj.weight", [c.hiddenSize, c.queryWidth], .matrix, .attentionOutput),
                spec("post_attention_layernorm.weight", [c.hiddenSize], .norm, .norm),
                spec("mlp.gate_proj.weight", [c.intermediateSize, c.hiddenSize], .matrix, .gate),
                spec("mlp.up_proj.weight", [c.intermediateSize, c.hiddenSize], .matrix, .up),
                spec("mlp.down_proj.weight", [c.hiddenSize, c.intermediateSize], .matrix, .down),
            ]
        }
        specs.append(ParameterSpec(
            name: "model.norm.weight", shape: [c.hiddenSize], role: .norm, layer: nil, kind: .norm, activationUse: []))
        if !c.tieWordEmbeddings {
            specs.append(ParameterSpec(
                name: "lm_head.weight", shape: [c.vocabularySize, c.hiddenSize], role: .matrix, layer: nil, kind: .head,
                activationUse: .scoredRows))
        }
        return specs
    }

    public var family: String { configuration.modelType }
    public var outputKind: OutputKind { .causalLanguageModel }
    public var outputSize: Int { configuration.vocabularySize }
    public var maxPositions: Int { configuration.maxPositions }

    public func activationBytes(tokens: Int, longestSequence: Int) -> Int {
        configuration.activationBytes(tokens: tokens, longestSequence: longestSequence)
    }

    public var architectureSummary: [(label: String, value: String)] {
        let c = configuration
        let biases = c.queryKeyValueBias ? ", q/k/v biases" : ""
        return [
            ("family", "\(c.modelType) (decoder, RMSNorm, RoPE, SwiGLU, grouped-query attention\(biases))"),
            ("shape", "\(c.layerCount) layers, hidden \(c.hiddenSize), FFN \(c.intermediateSize), "
                + "\(c.headCount) heads / \(c.keyValueHeadCount) KV heads × \(c.headDim), vocab \(c.vocabularySize)"),
            ("rope", String(format: "base %g, rms eps %g, context %d, LM head %@", c.ropeTheta, c.rmsNormEpsilon,
                            c.maxPositions, c.tieWordEmbeddings ? "tied to embeddings" : "separate")),
        ]
    }

    /// A model with all-zero weights; fill `weights` before use (see `LlamaFamily`). `precision` says
    /// how each weight is held (fp32 unless a frozen base is held narrow or stored).
    public init(configuration: LlamaConfiguration, precision: (ParameterSpec) -> StoragePrecision = { _ in .float32 }) {
        self.configuration = configuration
        self.weights = WeightArena(Self.parameterSpecs(for: configuration), precision: precision)
        self.rotary = RotaryEmbedding(
            headDim: configuration.headDim, base: configuration.ropeTheta,
            frequencyDivisors: configuration.ropeFrequencyDivisors)
        workspace = ForwardWorkspace(widths: configuration.activationWidths)
        attention = SelfAttention(
            headCount: configuration.headCount, keyValueHeadCount: configuration.keyValueHeadCount,
            headDim: configuration.headDim, causal: true)
    }

    /// Resolved weights of one layer.
    private struct LayerWeights {
        let inputNorm, postNorm: ArenaWeight
        let queryKeyValue: [LinearMap]
        let output, down: LinearMap
        let gateUp: [LinearMap]
    }

    private func layerWeights(_ layer: Int) -> LayerWeights {
        let c = configuration
        let p = "model.layers.\(layer)."
        func map(_ name: String, inputs: Int, outputs: Int, bias: Bool = false) -> LinearMap {
            LinearMap(weights, weight: p + name + ".weight", bias: bias ? p + name + ".bias" : nil,
                      inputs: inputs, outputs: outputs)
        }
        return LayerWeights(
            inputNorm: ArenaWeight(weights, p + "input_layernorm.weight"),
            postNorm: ArenaWeight(weights, p + "post_attention_layernorm.weight"),
            queryKeyValue: [
                map("self_attn.q_proj", inputs: c.hiddenSize, outputs: c.queryWidth, bias: c.queryKeyValueBias),
                map("self_attn.k_proj", inputs: c.hiddenSize, outputs: c.keyValueWidth, bias: c.queryKeyValueBias),
                map("self_attn.v_proj", inputs: c.hiddenSize, outputs: c.keyValueWidth, bias: c.queryKeyValueBias),
            ],
            output: map("self_attn.o_proj", inputs: c.queryWidth, outputs: c.hiddenSize),
            down: map("mlp.down_proj", inputs: c.intermediateSize, outputs: c.hiddenSize),
            gateUp: [
                map("mlp.gate_proj", inputs: c.hiddenSize, outputs: c.intermediateSize),
                map("mlp.up_proj", inputs: c.hiddenSize, outputs: c.intermediateSize),
            ])
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
        rotary.reserve(positions: batch.longest)
        let x = workspace.residual.pointer
        EmbeddingTable(weights, "model.embed_tokens.weight", width: c.hiddenSize).lookUp(batch.tokens, into: x)
        for layer in 0..<c.layerCount {
            let w = layerWeights(layer)
            attentionBlock(w, layer: layer, batch: batch, cached: cached)
            mlpBlock(w, tokens: batch.tokenCount)
        }
        return outputLogits(requests, batch: batch)
    }

    /// x += o_proj(attention(rope(q), rope(k), v)) over rmsnorm(x).
    private func attentionBlock(_ w: LayerWeights, layer: Int, batch: PackedBatch, cached: CachedSequences?) {
        let c = configuration
        let x = workspace.residual.pointer, h = workspace.normalized.pointer
        let qkv = workspace.queryKeyValue.pointer, out = workspace.attention.pointer
        let qkvWidth = attention.fusedWidth
        rmsNorm(x, gain: w.inputNorm.pointer, into: h, rows: batch.tokenCount, width: c.hiddenSize,
                epsilon: c.rmsNormEpsilon)
        LinearMap.applyFused(w.queryKeyValue, h, rows: batch.tokenCount, into: qkv)
        for index in batch.sequences.indices {
            for run in batch.positionRuns(index) {
                let base = qkv + (batch.offsets[index] + run.rows.lowerBound) * qkvWidth
                rotary.apply(base, rows: run.rows.count, stride: qkvWidth, heads: c.headCount,
                             firstPosition: run.firstPosition)
                rotary.apply(base + c.queryWidth, rows: run.rows.count, stride: qkvWidth, heads: c.keyValueHeadCount,
                             firstPosition: run.firstPosition)
            }
        }
        attention.run(qkv, batch: batch, scale: 1 / Float(c.headDim).squareRoot(), into: out,
                      scratch: workspace.scores.pointer, scratchStride: workspace.scoreStride,
                      workers: workspace.attentionWorkers, prefix: weights.attentionPrefix?.rows(layer: layer),
                      past: cached?.pastRows(layer: layer))
        cached?.store(layer: layer, fused: qkv, fusedStride: qkvWidth, keyColumn: attention.queryWidth, batch: batch)
        w.output.apply(out, rows: batch.tokenCount, into: x, accumulate: true)
    }

    /// x += down(silu(gate(h)) · up(h)) with h = rmsnorm(x).
    private func mlpBlock(_ w: LayerWeights, tokens: Int) {
        let c = configuration
        let x = workspace.residual.pointer, h = workspace.normalized.pointer
        let gateUp = workspace.feedForward.pointer, act = workspace.activation.pointer
        rmsNorm(x, gain: w.postNorm.pointer, into: h, rows: tokens, width: c.hiddenSize, epsilon: c.rmsNormEpsilon)
        LinearMap.applyFused(w.gateUp, h, rows: tokens, into: gateUp)
        swiGLU(gateUp, into: act, rows: tokens, width: c.intermediateSize)
        w.down.apply(act, rows: tokens, into: x, accumulate: true)
    }

    /// Final norm and LM head for the requested rows only.
    private func outputLogits(_ requests: [LogitRequest], batch: PackedBatch) -> [Float] {
        let c = configuration
        let x = workspace.residual.pointer
        let normalized = FloatBuffer(count: requests.count * c.hiddenSize)
        let h = normalized.pointer
        for (i, request) in requests.enumerated() {
            rmsNorm(x + batch.row(request) * c.hiddenSize, gain: weights.pointer("model.norm.weight"),
                    into: h + i * c.hiddenSize, rows: 1, width: c.hiddenSize, epsilon: c.rmsNormEpsilon)
        }
        let head = LinearMap(weights, weight: c.tieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight",
                             inputs: c.hiddenSize, outputs: c.vocabularySize)
        var logits = [Float](repeating: 0, count: requests.count * c.vocabularySize)
        logits.withUnsafeMutableBufferPointer { head.apply(h, rows: requests.count, into: $0.baseAddress!) }
        return logits
    }
}

extension LlamaConfiguration {
    /// Floats per token of the forward's activation buffers.
    var activationWidths: ForwardWorkspace.Widths {
        ForwardWorkspace.Widths(
            residual: hiddenSize, normalized: hiddenSize, queryKeyValue: queryWidth + 2 * keyValueWidth,
            attention: queryWidth, feedForward: 2 * intermediateSize, activation: intermediateSize)
    }

    /// Bytes of activation scratch one forward pass over `tokens` packed tokens needs
    /// (the `ForwardWorkspace` buffers), excluding the requested logits.
    public func activationBytes(tokens: Int, longestSequence: Int) -> Int {
        activationWidths.activationBytes(tokens: tokens, longestSequence: longestSequence)
    }
}
