/// The sizes that LLaMA, Qwen2, OPT, BERT and RoBERTa configs name alike (transformers'
/// `PretrainedConfig` conventions), decoded once for each of those families next to its own keys.
/// GPT-2 names them its own way (`n_embd`, `n_layer`, …). Defaults differ by family, so the optional
/// ones are nil when absent.
struct CommonConfigSizes: Decodable {
    var vocabularySize: ConfigSize<Vocabulary>
    var hiddenSize: ConfigSize<Width>
    var layerCount: ConfigSize<Layers>
    var headCount: ConfigSize<Heads>
    var maxPositions: ConfigSize<Positions>?
    var tieWordEmbeddings: ConfigFlag?

    enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size", hiddenSize = "hidden_size", layerCount = "num_hidden_layers"
        case headCount = "num_attention_heads", maxPositions = "max_position_embeddings"
        case tieWordEmbeddings = "tie_word_embeddings"
    }
}
