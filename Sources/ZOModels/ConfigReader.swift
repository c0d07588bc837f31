import Foundation

/// Typed reads from a parsed `config.json`, with one-sentence `ModelError.invalidConfiguration`
/// errors that name the file. JSON `null` counts as absent, as transformers treats it.
struct ConfigReader {
    let object: [String: Any]
    let source: String

    func fail(_ reason: String) -> ModelError { .invalidConfiguration(source: source, reason: reason) }

    /// The first of `keys` present (transformers' aliases, e.g. GPT-2's `n_embd` / `hidden_size`).
    func optionalInt(_ keys: String...) -> Int? {
        keys.lazy.compactMap { (object[$0] as? NSNumber)?.intValue }.first
    }

    func int(_ key: String, default value: Int? = nil) throws -> Int {
        if let n = optionalInt(key) { return n }
        if let value { return value }
        throw fail("\(key) is missing")
    }

    func float(_ key: String) -> Float? { (object[key] as? NSNumber)?.floatValue }

    func bool(_ key: String, default value: Bool) -> Bool { object[key] as? Bool ?? value }

    func string(_ key: String) -> String? { object[key] as? String }

    /// Rejects non-positive dimensions and a hidden size the heads do not divide, in the same words
    /// for every family.
    func checkDimensions(_ dimensions: KeyValuePairs<String, Int>, hiddenSize: Int, headCount: Int) throws {
        for (name, value) in dimensions where value <= 0 { throw fail("the \(name) must be positive, got \(value)") }
        guard hiddenSize % headCount == 0 else {
            throw fail("the hidden size \(hiddenSize) is not a multiple of the head count \(headCount)")
        }
    }

    /// Rejects `key` set to true: an option the forward does not implement.
    func rejectTrue(_ keys: String...) throws {
        for key in keys where bool(key, default: false) { throw fail("\(key) = true is not supported") }
    }
}
