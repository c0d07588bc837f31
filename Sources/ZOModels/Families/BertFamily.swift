/// BERT (`model_type` "bert"): all-MiniLM-L6-v2, bert-base-uncased, … Checkpoints with `cls.predictions`
/// run as masked LMs; others get a classification head (see `EncoderLoading`).
public enum BertFamily: ModelFamily {
    public static let modelTypes = ["bert"]

    public static func load(_ checkpoint: HuggingFaceCheckpoint) throws -> LanguageModel {
        try EncoderLoading.load(checkpoint, variant: .bert)
    }
}
