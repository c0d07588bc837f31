import Dispatch
import Foundation
import ZOTensor

/// Which logits a forward pass should produce: the vocabulary row at `position` of `sequence`.
public struct LogitRequest: Hashable, Sendable {
    public let sequence: Int
    public let position: Int

    public init(sequence: Int, position: Int) {
        self.sequence = sequence
        self.position = position
    }
}

/// A LLaMA-family decoder in fp32: RMSNorm, rotary embeddings (HF `rotate_half`), grouped-query
/// causal attention, SwiGLU MLP, optionally tied LM head.
///
/// All weights live in one `WeightArena` under their Hugging Face names. Per layer the arena order is
/// q, k, v then gate, up, so each group is one contiguous `[out × in]` matrix and runs as one GEMM.
///
/// A batch is a list of variable-length sequences. They are packed back to back (no padding rows are
/// computed) and attention is causal within each sequence: the same result as right padding with an
/// attention mask, without the wasted work. Logits are computed only for the requested positions.
public final class LlamaModel: LanguageModel {
    public let configuration: LlamaConfiguration
    public let weights: WeightArena
    private var rotary: RotaryEmbedding
    private let workspace = ForwardWorkspace()

    /// The arena layout for `configuration`, in HF names.
    public static func parameterSpecs(for c: LlamaConfiguration) -> [ParameterSpec] {
        var specs = [ParameterSpec(
            name: "model.embed_tokens.weight", shape: [c.vocabularySize, c.hiddenSize], role: .embedding, layer: nil)]
        for layer in 0..<c.layerCount {
            let p = "model.layers.\(layer)."
            func spec(_ name: String, _ shape: [Int], _ role: ParameterRole) -> ParameterSpec {
                ParameterSpec(name: p + name, shape: shape, role: role, layer: layer)
            }
            specs += [
                spec("input_layernorm.weight", [c.hiddenSize], .norm),
                spec("self_attn.q_proj.weight", [c.queryWidth, c.hiddenSize], .matrix),
                spec("self_attn.k_proj.weight", [c.keyValueWidth, c.hiddenSize], .matrix),
                spec("self_attn.v_proj.weight", [c.keyValueWidth, c.hiddenSize], .matrix),
                spec("self_attn.o_proj.weight", [c.hiddenSize, c.queryWidth], .matrix),
                spec("post_attention_layernorm.weight", [c.hiddenSize], .norm),
                spec("mlp.gate_proj.weight", [c.intermediateSize, c.hiddenSize], .matrix),
                spec("mlp.up_proj.weight", [c.intermediateSize, c.hiddenSize], .matrix),
                spec("mlp.down_proj.weight", [c.hiddenSize, c.intermediateSize], .matrix),
            ]
        }
        specs.append(ParameterSpec(name: "model.norm.weight", shape: [c.hiddenSize], role: .norm, layer: nil))
        if !c.tieWordEmbeddings {
            specs.append(ParameterSpec(
                name: "lm_head.weight", shape: [c.vocabularySize, c.hiddenSize], role: .matrix, layer: nil))
        }
        return specs
    }

    public var family: String { "llama" }
    public var outputKind: OutputKind { .causalLanguageModel }
    public var outputSize: Int { configuration.vocabularySize }
    public var maxPositions: Int { configuration.maxPositions }

    public func activationBytes(tokens: Int, longestSequence: Int) -> Int {
        configuration.activationBytes(tokens: tokens, longestSequence: longestSequence)
    }

    public var architectureSummary: [(label: String, value: String)] {
        let c = configuration
        return [
            ("family", "llama (decoder, RMSNorm, RoPE, SwiGLU, grouped-query attention)"),
            ("shape", "\(c.layerCount) layers, hidden \(c.hiddenSize), FFN \(c.intermediateSize), "
                + "\(c.headCount) heads / \(c.keyValueHeadCount) KV heads × \(c.headDim), vocab \(c.vocabularySize)"),
            ("rope", String(format: "base %g, rms eps %g, context %d, LM head %@", c.ropeTheta, c.rmsNormEpsilon,
                            c.maxPositions, c.tieWordEmbeddings ? "tied to embeddings" : "separate")),
        ]
    }

    /// A model with all-zero weights; fill `weights` before use (see `LlamaFamily`).
    public init(configuration: LlamaConfiguration) {
        self.configuration = configuration
        self.weights = WeightArena(Self.parameterSpecs(for: configuration))
        self.rotary = RotaryEmbedding(headDim: configuration.headDim, base: configuration.ropeTheta)
    }

    /// One weight as the forward uses it: its storage and its arena index (which keys a
    /// `LowRankDelta` the forward must add, when a subspace estimator runs factored).
    private struct Weight {
        let pointer: UnsafeMutablePointer<Float>
        let index: Int
    }

    /// Resolved weights of one layer.
    private struct LayerWeights {
        let inputNorm, query, key, value, output, postNorm, gate, up, down: Weight
    }

    private func weight(_ name: String) -> Weight {
        guard let index = weights.index(of: name) else { preconditionFailure("no parameter \(name)") }
        return Weight(pointer: weights.pointer(weights.entries[index]), index: index)
    }

    private func layerWeights(_ layer: Int) -> LayerWeights {
        let p = "model.layers.\(layer)."
        return LayerWeights(
            inputNorm: weight(p + "input_layernorm.weight"),
            query: weight(p + "self_attn.q_proj.weight"),
            key: weight(p + "self_attn.k_proj.weight"),
            value: weight(p + "self_attn.v_proj.weight"),
            output: weight(p + "self_attn.o_proj.weight"),
            postNorm: weight(p + "post_attention_layernorm.weight"),
            gate: weight(p + "mlp.gate_proj.weight"),
            up: weight(p + "mlp.up_proj.weight"),
            down: weight(p + "mlp.down_proj.weight"))
    }

    /// output = input·Wᵀ (+ output when `accumulate`), plus W's low-rank delta if it has one.
    private func linear(
        _ input: UnsafePointer<Float>, tokens: Int, inner: Int, _ w: Weight, columns: Int,
        into output: UnsafeMutablePointer<Float>, accumulate: Bool = false
    ) {
        BLAS.linear(input, rows: tokens, inner: inner, weight: w.pointer, columns: columns, into: output,
                    beta: accumulate ? 1 : 0)
        weights.delta(w.index)?.addLinear(input, tokens: tokens, into: output)
    }

    /// For each 2-D weight (by arena index), the activation rows it multiplies in one forward of
    /// `tokens` tokens with `scoredRows` logit rows — what a factored low-rank delta costs there, in
    /// units of r·(m+n) multiply-adds (`TrainableSet.activationRows`). Layer matrices see every
    /// token; the embedding's lookup only gathers rows (r·n per token) and, when tied, it is also the
    /// head over the scored rows.
    public func activationRows(tokens: Double, scoredRows: Double) -> [Int: Double] {
        var rows: [Int: Double] = [:]
        for (index, entry) in weights.entries.enumerated() where entry.shape.count == 2 {
            let (m, n) = (Double(entry.shape[0]), Double(entry.shape[1]))
            switch entry.name {
            case "model.embed_tokens.weight":
                rows[index] = tokens * n / (m + n) + (configuration.tieWordEmbeddings ? scoredRows : 0)
            case "lm_head.weight":
                rows[index] = scoredRows
            default:
                rows[index] = tokens
            }
        }
        return rows
    }

    /// Runs the batch and returns `[requests.count × vocabularySize]` logits, row-major, in request order.
    public func logits(_ sequences: [[Int]], at requests: [LogitRequest]) throws -> [Float] {
        let c = configuration
        try validate(sequences, vocabularySize: c.vocabularySize, requests: requests)
        var offsets: [Int] = []
        var total = 0
        for sequence in sequences {
            offsets.append(total)
            total += sequence.count
        }
        let longest = sequences.map(\.count).max() ?? 0
        workspace.reserve(tokens: total, longestSequence: longest, configuration: c)
        rotary.reserve(positions: longest)

        let x = workspace.residual.pointer
        let embedding = weight("model.embed_tokens.weight")
        var row = 0
        for sequence in sequences {
            for id in sequence {
                (x + row * c.hiddenSize).update(from: embedding.pointer + id * c.hiddenSize, count: c.hiddenSize)
                row += 1
            }
        }
        weights.delta(embedding.index)?.addRows(sequences.flatMap { $0 }, into: x)
        for layer in 0..<c.layerCount {
            let w = layerWeights(layer)
            attentionBlock(w, tokens: total, sequences: sequences, offsets: offsets)
            mlpBlock(w, tokens: total)
        }
        return outputLogits(requests, offsets: offsets)
    }

    /// x += o_proj(attention(rope(q), rope(k), v)) over rmsnorm(x).
    private func attentionBlock(_ w: LayerWeights, tokens: Int, sequences: [[Int]], offsets: [Int]) {
        let c = configuration
        let x = workspace.residual.pointer, h = workspace.normalized.pointer
        let qkv = workspace.queryKeyValue.pointer, out = workspace.attention.pointer
        let qkvWidth = c.queryWidth + 2 * c.keyValueWidth
        rmsNorm(x, gain: w.inputNorm.pointer, into: h, rows: tokens, width: c.hiddenSize, epsilon: c.rmsNormEpsilon)
        projectFused(
            h, tokens: tokens, inner: c.hiddenSize,
            [(w.query, c.queryWidth), (w.key, c.keyValueWidth), (w.value, c.keyValueWidth)], into: qkv, width: qkvWidth)

        for (index, sequence) in sequences.enumerated() {
            let base = qkv + offsets[index] * qkvWidth
            rotary.apply(base, rows: sequence.count, stride: qkvWidth, heads: c.headCount, firstPosition: 0)
            rotary.apply(base + c.queryWidth, rows: sequence.count, stride: qkvWidth, heads: c.keyValueHeadCount,
                         firstPosition: 0)
        }
        // (sequence, head) pairs are independent: split them over both cores, interleaved so that
        // long and short sequences spread evenly.
        let groupSize = c.headCount / c.keyValueHeadCount
        let scale = 1 / Float(c.headDim).squareRoot()
        let pairs = sequences.count * c.headCount
        let scratch = workspace.scores.pointer
        let longest = workspace.sequenceCapacity
        DispatchQueue.concurrentPerform(iterations: 2) { worker in
            for pair in stride(from: worker, to: pairs, by: 2) {
                let (index, head) = pair.quotientAndRemainder(dividingBy: c.headCount)
                let base = qkv + offsets[index] * qkvWidth
                let kvHead = head / groupSize
                causalAttentionHead(
                    query: base + head * c.headDim, key: base + c.queryWidth + kvHead * c.headDim,
                    value: base + c.queryWidth + c.keyValueWidth + kvHead * c.headDim, stride: qkvWidth,
                    output: out + offsets[index] * c.queryWidth + head * c.headDim, outputStride: c.queryWidth,
                    length: sequences[index].count, headDim: c.headDim, scale: scale,
                    scores: scratch + worker * longest)
            }
        }
        linear(out, tokens: tokens, inner: c.queryWidth, w.output, columns: c.hiddenSize, into: x, accumulate: true)
    }

    /// x += down(silu(gate(h)) · up(h)) with h = rmsnorm(x).
    private func mlpBlock(_ w: LayerWeights, tokens: Int) {
        let c = configuration
        let x = workspace.residual.pointer, h = workspace.normalized.pointer
        let gateUp = workspace.gateUp.pointer, act = workspace.activation.pointer
        rmsNorm(x, gain: w.postNorm.pointer, into: h, rows: tokens, width: c.hiddenSize, epsilon: c.rmsNormEpsilon)
        projectFused(
            h, tokens: tokens, inner: c.hiddenSize,
            [(w.gate, c.intermediateSize), (w.up, c.intermediateSize)], into: gateUp, width: 2 * c.intermediateSize)
        swiGLU(gateUp, into: act, rows: tokens, width: c.intermediateSize)
        linear(act, tokens: tokens, inner: c.intermediateSize, w.down, columns: c.hiddenSize, into: x, accumulate: true)
    }

    /// Several linear maps of the same input written side by side into `[tokens × width]`; one GEMM when
    /// the weight matrices are adjacent in the arena (the usual case), else one GEMM per part. Deltas
    /// are added per part.
    private func projectFused(
        _ input: UnsafePointer<Float>, tokens: Int, inner: Int,
        _ parts: [(weight: Weight, rows: Int)], into output: UnsafeMutablePointer<Float>,
        width: Int
    ) {
        var adjacent = true
        for (a, b) in zip(parts, parts.dropFirst()) where a.weight.pointer + a.rows * inner != b.weight.pointer {
            adjacent = false
        }
        if adjacent {
            BLAS.linear(input, rows: tokens, inner: inner, weight: parts[0].weight.pointer, columns: width, into: output)
        }
        var column = 0
        for part in parts {
            if !adjacent {
                BLAS.linear(input, rows: tokens, inner: inner, weight: part.weight.pointer, columns: part.rows,
                            into: output + column, ldc: width)
            }
            weights.delta(part.weight.index)?.addLinear(input, tokens: tokens, into: output + column, outputStride: width)
            column += part.rows
        }
    }

    /// Final norm and LM head for the requested rows only.
    private func outputLogits(_ requests: [LogitRequest], offsets: [Int]) -> [Float] {
        let c = configuration
        let x = workspace.residual.pointer
        let normalized = FloatBuffer(count: requests.count * c.hiddenSize)
        let h = normalized.pointer
        for (i, request) in requests.enumerated() {
            rmsNorm(x + (offsets[request.sequence] + request.position) * c.hiddenSize,
                    gain: weights.pointer("model.norm.weight"), into: h + i * c.hiddenSize,
                    rows: 1, width: c.hiddenSize, epsilon: c.rmsNormEpsilon)
        }
        let head = weight(c.tieWordEmbeddings ? "model.embed_tokens.weight" : "lm_head.weight")
        var logits = [Float](repeating: 0, count: requests.count * c.vocabularySize)
        logits.withUnsafeMutableBufferPointer { out in
            linear(h, tokens: requests.count, inner: c.hiddenSize, head, columns: c.vocabularySize, into: out.baseAddress!)
        }
        return logits
    }
}
