import ZOFormats

/// Typed reads of llama.cpp's `<architecture>.<key>` metadata in a GGUF file, with one-sentence
/// `ModelError.invalidConfiguration` errors that name the file and the key: the GGUF counterpart of
/// `ConfigFile`. A value of the wrong type is named as wrong, never read as absent.
struct GGUFMetadataReader {
    let gguf: GGUFFile
    /// `general.architecture` ("llama", "gpt2", "bert", …).
    let architecture: String

    init(_ gguf: GGUFFile) {
        self.gguf = gguf
        architecture = gguf.metadata["general.architecture"]?.string ?? "(none)"
    }

    var source: String { gguf.path }

    func fail(_ reason: String) -> ModelError { .invalidConfiguration(source: source, reason: reason) }

    /// The full name of `key` as errors give it (`llama.block_count`).
    func name(_ key: String) -> String { "\(architecture).\(key)" }

    /// The layer count as errors name it (`WeightLoading.layerCountKey`).
    var layerCountKey: String { "metadata \(name("block_count"))" }

    func value(_ key: String) -> GGUFValue? { gguf.metadata[name(key)] }

    func optionalInt(_ key: String) throws -> Int? {
        guard let value = value(key) else { return nil }
        guard let integer = value.int else { throw fail("metadata \(name(key)) must be an integer, found \(value.summary)") }
        return integer
    }

    func int(_ key: String) throws -> Int {
        guard let v = try optionalInt(key) else { throw fail("metadata \(name(key)) is missing") }
        return v
    }

    /// A size (`DeclaredSize`): an integer, positive and within its limit.
    func optionalSize(_ kind: DeclaredSize, _ key: String) throws -> Int? {
        try optionalInt(key).map { try kind.checked($0, key: "metadata \(name(key))", fail: fail) }
    }

    func size(_ kind: DeclaredSize, _ key: String) throws -> Int {
        guard let v = try optionalSize(kind, key) else { throw fail("metadata \(name(key)) is missing") }
        return v
    }

    /// A finite number.
    func float(_ key: String) throws -> Float? {
        guard let value = value(key) else { return nil }
        guard let number = value.double, number.isFinite else {
            throw fail("metadata \(name(key)) must be a number, found \(value.summary)")
        }
        return Float(number)
    }

    /// `<architecture>.vocab_size`, else the tokenizer's token count (what llama.cpp uses).
    func vocabularySize() throws -> Int {
        if let size = try optionalSize(.vocabulary, "vocab_size") { return size }
        guard let count = gguf.metadata["tokenizer.ggml.tokens"]?.array?.count else {
            throw fail("the vocabulary size is not recorded")
        }
        return try DeclaredSize.vocabulary.checked(count, key: "the token count of tokenizer.ggml.tokens", fail: fail)
    }
}
