/// What a parameter tensor is for. Optimisers select by role (e.g. no weight decay on norms and biases),
/// never by name substring.
public enum ParameterRole: String, Codable, Sendable, CaseIterable {
    /// A 2-D weight of a linear map (`out × in`).
    case matrix
    /// An additive bias vector.
    case bias
    /// A normalisation gain (RMSNorm / LayerNorm weight).
    case norm
    /// A lookup table (token or position embeddings); 2-D but indexed, not multiplied.
    case embedding
    /// Weight or bias of a task head added on top of the pretrained network (an encoder's
    /// classifier), which may start untrained: training this role alone is linear probing.
    case head
    /// A tensor of an adapter trained on a frozen base (LoRA's A and B): it lives in the adapter's own
    /// arena, never in the base model's, and the forward applies it beside the weight it adapts.
    case adapter
}
