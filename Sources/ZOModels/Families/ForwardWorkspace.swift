import ZOTensor

/// Activation scratch for one forward pass, planned once per (tokens, longest sequence) and reused
/// across layers and calls: forward-only training needs just one layer's activations at a time.
final class ForwardWorkspace {
    private(set) var tokenCapacity = 0
    private(set) var sequenceCapacity = 0
    /// Residual stream `[tokens × hidden]`.
    private(set) var residual = FloatBuffer(count: 0)
    /// Normalised input to a sub-block `[tokens × hidden]`.
    private(set) var normalized = FloatBuffer(count: 0)
    /// Fused q|k|v projections `[tokens × (query + 2·keyValue)]`.
    private(set) var queryKeyValue = FloatBuffer(count: 0)
    /// Attention output before o_proj `[tokens × query]`.
    private(set) var attention = FloatBuffer(count: 0)
    /// Fused gate|up projections `[tokens × 2·intermediate]`.
    private(set) var gateUp = FloatBuffer(count: 0)
    /// SwiGLU output `[tokens × intermediate]`.
    private(set) var activation = FloatBuffer(count: 0)
    /// Attention score rows, one `[longest]` row per worker thread.
    private(set) var scores = FloatBuffer(count: 0)

    func reserve(tokens: Int, longestSequence: Int, configuration c: LlamaConfiguration) {
        if tokens > tokenCapacity {
            let capacity = max(tokens, tokenCapacity * 5 / 4)
            residual = FloatBuffer(count: capacity * c.hiddenSize)
            normalized = FloatBuffer(count: capacity * c.hiddenSize)
            queryKeyValue = FloatBuffer(count: capacity * (c.queryWidth + 2 * c.keyValueWidth))
            attention = FloatBuffer(count: capacity * c.queryWidth)
            gateUp = FloatBuffer(count: capacity * 2 * c.intermediateSize)
            activation = FloatBuffer(count: capacity * c.intermediateSize)
            tokenCapacity = capacity
        }
        if longestSequence > sequenceCapacity {
            scores = FloatBuffer(count: 2 * longestSequence)
            sequenceCapacity = longestSequence
        }
    }
}

extension LlamaConfiguration {
    /// Bytes of activation scratch one forward pass over `tokens` packed tokens needs
    /// (the `ForwardWorkspace` buffers), excluding the requested logits.
    public func activationBytes(tokens: Int, longestSequence: Int) -> Int {
        let perToken = 2 * hiddenSize + (queryWidth + 2 * keyValueWidth) + queryWidth + 3 * intermediateSize
        return 4 * (tokens * perToken + 2 * longestSequence)
    }
}
