import Foundation

/// Typed reads from a parsed `config.json`, with one-sentence `ModelError.invalidConfiguration`
/// errors that name the file. JSON `null` counts as absent, as transformers treats it. A value of the
/// wrong JSON type (the string "64" for a size, 64.5 for a count, "tiny" for an epsilon) is named
/// as wrong, never read as absent or rounded: a default taken silently would compute another model.
struct ConfigReader {
    let object: [String: Any]
    let source: String

    func fail(_ reason: String) -> ModelError { .invalidConfiguration(source: source, reason: reason) }

    /// The value of `key`, nil when absent or null.
    private func present(_ key: String) -> Any? {
        guard let value = object[key], !(value is NSNull) else { return nil }
        return value
    }

    /// The first of `keys` present (transformers' aliases, e.g. GPT-2's `n_embd` / `hidden_size`),
    /// which must be an integral number.
    func optionalInt(_ keys: String...) throws -> Int? { try optionalInt(keys) }

    private func optionalInt(_ keys: [String]) throws -> Int? {
        guard let key = keys.first(where: { present($0) != nil }), let value = present(key) else { return nil }
        guard let number = Self.number(value), let integer = Int(exactly: number.doubleValue) else {
            throw fail("\(key) must be an integer, found \(Self.describe(value))")
        }
        return integer
    }

    func int(_ key: String, default value: Int? = nil) throws -> Int {
        if let n = try optionalInt(key) { return n }
        if let value { return value }
        throw fail("\(key) is missing")
    }

    /// A size (`DeclaredSize`): an integer, positive and within its limit; the first of `keys` present.
    func optionalSize(_ kind: DeclaredSize, _ keys: String...) throws -> Int? {
        guard let key = keys.first(where: { present($0) != nil }), let value = try optionalInt([key]) else { return nil }
        return try kind.checked(value, key: key, fail: fail)
    }

    func size(_ kind: DeclaredSize, _ key: String, default value: Int? = nil) throws -> Int {
        if let n = try optionalSize(kind, key) { return n }
        if let value { return value }
        throw fail("\(key) is missing")
    }

    /// A finite number (integral or not).
    func float(_ key: String) throws -> Float? {
        guard let value = present(key) else { return nil }
        guard let number = Self.number(value), number.doubleValue.isFinite else {
            throw fail("\(key) must be a number, found \(Self.describe(value))")
        }
        return number.floatValue
    }

    func bool(_ key: String, default value: Bool) throws -> Bool {
        guard let present = present(key) else { return value }
        guard Self.isBoolean(present), let flag = present as? Bool else {
            throw fail("\(key) must be true or false, found \(Self.describe(present))")
        }
        return flag
    }

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
        for key in keys where try bool(key, default: false) { throw fail("\(key) = true is not supported") }
    }

    /// JSONSerialization gives booleans as NSNumber too; they are told apart by their type code.
    private static func isBoolean(_ value: Any) -> Bool {
        (value as? NSNumber).map { String(cString: $0.objCType) == "c" } ?? false
    }

    private static func number(_ value: Any) -> NSNumber? {
        isBoolean(value) ? nil : value as? NSNumber
    }

    /// A JSON value as an error names it: `the string "64"`, `the number 64.5`, `true`, `an array`.
    private static func describe(_ value: Any) -> String {
        if isBoolean(value), let flag = value as? Bool { return String(flag) }
        if let number = value as? NSNumber { return "the number \(number)" }
        if let string = value as? String {
            return "the string \"\(string.count > 40 ? string.prefix(37) + "…" : Substring(string))\""
        }
        if value is [Any] { return "an array" }
        if value is [String: Any] { return "an object" }
        return "a value of another type"
    }
}
