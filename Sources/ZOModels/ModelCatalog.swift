/// Models ZOTune knows by name. Adding one = one line here plus its asset in `ZOAssets`.
public enum ModelCatalog {
    /// The default model: SmolLM2-135M-Instruct (GGUF, Q4_1 matrices).
    public static let defaultName = "smollm2-135m"
    public static let names = [defaultName]
}
