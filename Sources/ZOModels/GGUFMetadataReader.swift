import ZOFormats

/// Typed reads of llama.cpp's `<architecture>.<key>` metadata in a GGUF file, with one-sentence
/// `ModelError.invalidConfiguration` errors that name the file: the GGUF counterpart of `ConfigReader`.
struct GGUFMetadataReader {
    let gguf: GGUFFile
    /// `general.architecture` ("llama", "gpt2", "bert", …).
    let architecture: String

    init(_ gguf: GGUFFile) {
        self.gguf = gguf
        architecture = gguf.metadata["general.architecture"]?.string ?? "(none)"
    }

    var source: String { gguf.path }

    /// A `ConfigReader` over the same file, for the dimension checks every family shares.
    var checks: ConfigReader { ConfigReader(object: [:], source: source) }

    func fail(_ reason: String) -> ModelError { .invalidConfiguration(source: source, reason: reason) }

    func value(_ key: String) -> GGUFValue? { gguf.metadata["\(architecture).\(key)"] }

    func optionalInt(_ key: String) -> Int? { value(key)?.int }

    func int(_ key: String) throws -> Int {
        guard let v = optionalInt(key) else { throw fail("metadata \(architecture).\(key) is missing") }
        return v
    }

    func float(_ key: String) -> Float? { value(key)?.double.map(Float.init) }

    /// `<architecture>.vocab_size`, else the tokenizer's token count (what llama.cpp uses).
    func vocabularySize() throws -> Int {
        guard let size = optionalInt("vocab_size") ?? gguf.metadata["tokenizer.ggml.tokens"]?.array?.count else {
            throw fail("the vocabulary size is not recorded")
        }
        return size
    }
}
