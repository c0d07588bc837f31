import ZOAssets

/// Models ZOTune knows by name. Adding one = one line here plus its asset in `ZOAssets`.
public enum ModelCatalog {
    /// The default model: SmolLM2-135M-Instruct (GGUF, Q4_1 matrices).
    public static let defaultName = "smollm2-135m"
    /// all-MiniLM-L6-v2 (BERT encoder, no MLM head: trains as a sequence classifier).
    public static let miniLM = AssetCatalog.allMiniLML6v2.name
    public static let names = [defaultName, miniLM]
}
