/// What distinguishes the BERT-style families the shared `EncoderModel` runs: how checkpoints name
/// their tensors and how positions are numbered. The encoder blocks themselves are named alike.
public struct EncoderVariant: Sendable {
    /// The family's `model_type`.
    public let family: String
    /// Prefix of the encoder's tensors in checkpoints of a model with a head (`bert.`, `roberta.`);
    /// base-model checkpoints such as all-MiniLM-L6-v2 have none.
    public let headedPrefix: String
    /// The masked-LM head's modules: transform dense, its LayerNorm, the output bias and the decoder
    /// (tied to the word embeddings unless the config unties it).
    public let transform: String
    public let transformNorm: String
    public let outputBias: String
    public let decoder: String
    /// Prefixes of stored tensors no ZOTune head reads (BERT's next-sentence head).
    public let unusedModules: [String]
    /// RoBERTa's positions (start after the padding id); see `EncoderConfiguration.positionPaddingID`.
    public let positionsFollowPadding: Bool

    /// HF `BertForMaskedLM` / `BertModel` names.
    public static let bert = EncoderVariant(
        family: "bert", headedPrefix: "bert.", transform: "cls.predictions.transform.dense",
        transformNorm: "cls.predictions.transform.LayerNorm", outputBias: "cls.predictions.bias",
        decoder: "cls.predictions.decoder", unusedModules: ["cls.seq_relationship."], positionsFollowPadding: false)

    /// HF `RobertaForMaskedLM` / `RobertaModel` names.
    public static let roberta = EncoderVariant(
        family: "roberta", headedPrefix: "roberta.", transform: "lm_head.dense", transformNorm: "lm_head.layer_norm",
        outputBias: "lm_head.bias", decoder: "lm_head.decoder", unusedModules: [], positionsFollowPadding: true)
}

/// What sits on the encoder's last hidden states.
public enum EncoderHead: Sendable, Equatable {
    /// The checkpoint's masked-LM head: logits over the vocabulary at any position (MeZO's RoBERTa
    /// protocol reads them at the mask token).
    case maskedLanguageModel(maskTokenID: Int)
    /// `classifier.weight` `[labels × hidden]` and `classifier.bias` over the pooled output
    /// (`EncoderPooling`): the pooler's tanh(dense([CLS])) as `BertForSequenceClassification`
    /// computes it, the mean of the token states, or the [CLS] state.
    case classifier(labels: Int, pooling: EncoderPooling)
}
