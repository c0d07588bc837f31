import ZOFormats

/// BERT (`model_type` "bert", GGUF architecture "bert"): all-MiniLM-L6-v2, bert-base-uncased, …
/// Checkpoints with `cls.predictions` run as masked LMs; others, and every GGUF file (llama.cpp keeps
/// no head), get a classification head (see `EncoderLoading`).
public enum BertFamily: ModelFamily {
    public static let modelTypes = ["bert"]
    public static let ggufArchitectures = ["bert"]

    public static func load(_ checkpoint: HuggingFaceCheckpoint) throws -> LanguageModel & ModelArchitecture {
        try EncoderLoading.load(checkpoint, variant: .bert)
    }

    public static func load(gguf: GGUFFile, options: ModelLoadOptions) throws -> LanguageModel & ModelArchitecture {
        try EncoderLoading.load(gguf: gguf, options: options)
    }
}
