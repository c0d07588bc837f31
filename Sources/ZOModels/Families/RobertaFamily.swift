/// RoBERTa (`model_type` "roberta"): roberta-base/large (MeZO's models), distilroberta, … Checkpoints
/// with `lm_head` run as masked LMs; others get a classification head (see `EncoderLoading`).
public enum RobertaFamily: ModelFamily {
    public static let modelTypes = ["roberta"]

    public static func load(_ checkpoint: HuggingFaceCheckpoint) throws -> LanguageModel & ModelArchitecture {
        try EncoderLoading.load(checkpoint, variant: .roberta)
    }
}
