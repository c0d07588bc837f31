import Foundation

/// Decodes a model's `config.json` into the family's `Decodable` description of it, with one-sentence
/// `ModelError.invalidConfiguration` errors that name the file and the key. The description's
/// CodingKeys spell each key once; its field types (`ConfigInteger`, `ConfigSize`, …) check a value
/// as it is decoded. JSON `null` counts as absent, as transformers treats it.
enum ConfigFile {
    static func decode<T: Decodable>(_ type: T.Type, from data: Data, source: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as ConfigFieldError {
            throw ModelError.invalidConfiguration(source: source, reason: error.reason)
        } catch let error as DecodingError {
            throw ModelError.invalidConfiguration(source: source, reason: reason(error))
        }
    }

    /// The sentence for an error JSONDecoder found itself: a missing key (or a null where a value is
    /// needed), a value of the wrong JSON type, or text that is not JSON.
    static func reason(_ error: DecodingError) -> String {
        switch error {
        case let .keyNotFound(key, context):
            return "\(path(context.codingPath + [key])) is missing"
        case let .valueNotFound(_, context):
            return "\(path(context.codingPath)) is missing"
        case let .typeMismatch(type, context):
            if context.codingPath.isEmpty { return "it is not a JSON object" }
            return "\(path(context.codingPath)) must be \(expected(type))"
        case let .dataCorrupted(context):
            if context.codingPath.isEmpty { return "it is not valid JSON" }
            return "\(path(context.codingPath)) cannot be read: \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }

    /// A key as errors name it: `hidden_size`, or `rope_parameters.factor` inside an object.
    static func path(_ codingPath: [CodingKey]) -> String {
        codingPath.map(\.stringValue).joined(separator: ".")
    }

    private static func expected(_ type: Any.Type) -> String {
        let name = String(describing: type)
        if name == "String" { return "a string" }
        if name == "Bool" { return "true or false" }
        if name.hasPrefix("Array") { return "an array" }
        if name.hasPrefix("Dictionary") { return "an object" }
        return "a \(name)"
    }
}

/// A value that decoded as JSON but is wrong for its key; `reason` names the key.
struct ConfigFieldError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}

extension Decoder {
    /// The key being decoded, as errors name it (see `ConfigFile.path`).
    var configKey: String { ConfigFile.path(codingPath) }
}
