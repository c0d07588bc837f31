import ZOTensor

/// Activation scratch for one forward pass, planned once per (tokens, longest sequence) and reused
/// across layers and calls: forward-only training needs just one layer's activations at a time.
final class ForwardWorkspace {
    /// Floats per token of each buffer; a family sets the ones it uses.
    struct Widths: Equatable {
        var residual = 0
        var normalized = 0
        var queryKeyValue = 0
        var attention = 0
        var feedForward = 0
        var activation = 0

        var perToken: Int { residual + normalized + queryKeyValue + attention + feedForward + activation }

        /// Bytes of activation scratch one forward pass over `tokens` packed tokens needs (the
        /// workspace buffers), excluding the requested logits.
        func activationBytes(tokens: Int, longestSequence: Int) -> Int {
            4 * (tokens * perToken + BLAS.workerCount * 2 * longestSequence)
        }
    }

    private let widths: Widths
    private(set) var tokenCapacity = 0
    private(set) var sequenceCapacity = 0
    /// Residual stream `[tokens × hidden]`.
    private(set) var residual = FloatBuffer(count: 0)
    /// Normalised input to a sub-block `[tokens × hidden]` (also OPT's narrower token embeddings
    /// before project_in).
    private(set) var normalized = FloatBuffer(count: 0)
    /// Fused q|k|v projections `[tokens × (query + 2·keyValue)]`.
    private(set) var queryKeyValue = FloatBuffer(count: 0)
    /// Attention output before the output projection `[tokens × query]`.
    private(set) var attention = FloatBuffer(count: 0)
    /// First MLP projection: fused gate|up `[tokens × 2·intermediate]` (SwiGLU) or fc1 `[tokens × ffn]`.
    private(set) var feedForward = FloatBuffer(count: 0)
    /// SwiGLU output `[tokens × intermediate]` (pointwise activations work in place: width 0).
    private(set) var activation = FloatBuffer(count: 0)
    /// Attention score rows, two `[longest]` rows per worker thread (the kernel takes rows in pairs),
    /// `scoreStride` floats apart.
    private(set) var scores = FloatBuffer(count: 0)
    var scoreStride: Int { 2 * sequenceCapacity }
    /// Threads attention is split over: `BLAS.workerCount` when `scores` was sized.
    private(set) var attentionWorkers = 0

    init(widths: Widths) { self.widths = widths }

    func reserve(tokens: Int, longestSequence: Int) {
        if tokens > tokenCapacity {
            let capacity = max(tokens, tokenCapacity * 5 / 4)
            residual = FloatBuffer(count: capacity * widths.residual)
            normalized = FloatBuffer(count: capacity * widths.normalized)
            queryKeyValue = FloatBuffer(count: capacity * widths.queryKeyValue)
            attention = FloatBuffer(count: capacity * widths.attention)
            feedForward = FloatBuffer(count: capacity * widths.feedForward)
            activation = FloatBuffer(count: capacity * widths.activation)
            tokenCapacity = capacity
        }
        if longestSequence > sequenceCapacity || attentionWorkers != BLAS.workerCount {
            sequenceCapacity = max(longestSequence, sequenceCapacity)
            attentionWorkers = BLAS.workerCount
            scores = FloatBuffer(count: attentionWorkers * scoreStride)
        }
    }
}
