/// Which part of the network a parameter tensor belongs to, as its family declares it. Estimators and
/// adapters select tensors by kind (DiZO's key and value projections, LoRA targets such as `q,v`),
/// never by name substring, so a new family only has to tag its tensors.
///
/// A bias or a LayerNorm bias has the kind of its module (`q_proj.bias` is `.query`, a LayerNorm's
/// bias is `.norm`); `ParameterRole` tells the weight from the bias. Raw values are short and stable:
/// they are meant for the command line and JSON.
public enum ParameterKind: String, Codable, Sendable, CaseIterable {
    /// Attention query projection.
    case query = "q"
    /// Attention key projection.
    case key = "k"
    /// Attention value projection.
    case value = "v"
    /// Attention output projection (`o_proj`, `out_proj`, `attention.output.dense`, GPT-2's `attn.c_proj`).
    case attentionOutput = "o"
    /// Query, key and value in one tensor (GPT-2's `c_attn`): see `parts`.
    case queryKeyValue = "qkv"
    /// Gate projection of a gated MLP (SwiGLU).
    case gate
    /// The MLP's input projection (`up_proj`, `fc1`, `c_fc`, `intermediate.dense`).
    case up
    /// The MLP's output projection (`down_proj`, `fc2`, `mlp.c_proj`, `output.dense`).
    case down
    /// Token embedding table (also the LM head when tied).
    case tokenEmbedding = "embed"
    /// Learned position embedding table.
    case positionEmbedding = "pos_embed"
    /// Token-type (segment) embedding table of BERT-style encoders.
    case tokenTypeEmbedding = "type_embed"
    /// OPT-350m's projection from the word-embedding width up to the hidden width.
    case projectIn = "proj_in"
    /// OPT-350m's projection from the hidden width down to the word-embedding width, before the head.
    case projectOut = "proj_out"
    /// RMSNorm or LayerNorm, wherever it sits.
    case norm
    /// What reads the last hidden states: an LM head, a masked-LM head's transform and decoder, a
    /// pooler, a classifier.
    case head

    /// The kinds whose rows or columns this tensor holds: q, k and v for a fused `.queryKeyValue`,
    /// else the kind itself.
    public var parts: [ParameterKind] {
        self == .queryKeyValue ? [.query, .key, .value] : [self]
    }
}
