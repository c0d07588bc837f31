/// What a model tells about itself beyond running a forward: a readable summary of its architecture
/// and the activation memory a forward takes (`zotune inspect`, the memory benchmark). Kept apart
/// from `LanguageModel`, which is only what the trainer, scorer and decoder need; every family's
/// model provides both, and `LoadedModel` hands out models that do.
public protocol ModelArchitecture: AnyObject {
    /// (label, text) lines describing the architecture, for `zotune inspect`.
    var architectureSummary: [(label: String, value: String)] { get }

    /// Bytes of activation scratch one forward over `tokens` packed tokens needs.
    func activationBytes(tokens: Int, longestSequence: Int) -> Int
}
