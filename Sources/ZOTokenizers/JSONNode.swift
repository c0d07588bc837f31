import ZOJSON

/// A parsed JSON value together with the path that reached it, so every type error can name its location
/// (e.g. `pre_tokenizer.pretokenizers[1].type`).
struct JSONNode {
    let value: JSONValue
    let path: String

    init(_ value: JSONValue, path: String) {
        self.value = value
        self.path = path
    }

    /// Parses a whole JSON document as the node at `path`; invalid JSON is `TokenizerError.malformedJSON`.
    static func parse(_ bytes: [UInt8], path: String = "") throws -> JSONNode {
        do {
            return JSONNode(try JSONValue.parse(bytes), path: path)
        } catch {
            throw TokenizerError.malformedJSON(offset: error.offset, reason: error.reason)
        }
    }

    private func childPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    var isNull: Bool { value.isNull }

    /// The member `key`, or nil when the object has no such member. Throws if this is not an object.
    func field(_ key: String) throws -> JSONNode? {
        guard case let .object(object) = value else { throw TokenizerError.invalidField(path: path, expected: "an object") }
        return object.first(key).map { JSONNode($0, path: childPath(key)) }
    }

    /// The member `key`, treating an absent member like `null`.
    func optionalField(_ key: String) throws -> JSONNode? {
        guard let node = try field(key), !node.isNull else { return nil }
        return node
    }

    func requiredField(_ key: String) throws -> JSONNode {
        guard let node = try field(key) else {
            throw TokenizerError.invalidField(path: childPath(key), expected: "a value (field is missing)")
        }
        return node
    }

    func string() throws -> String {
        guard case let .string(s) = value else { throw TokenizerError.invalidField(path: path, expected: "a string, found \(value.kind)") }
        return s
    }

    func bool() throws -> Bool {
        guard case let .bool(b) = value else { throw TokenizerError.invalidField(path: path, expected: "a boolean, found \(value.kind)") }
        return b
    }

    func int() throws -> Int {
        guard let integer = value.integerLiteral else { throw TokenizerError.invalidField(path: path, expected: "an integer, found \(value.kind)") }
        return integer
    }

    func array() throws -> [JSONNode] {
        guard case let .array(elements) = value else { throw TokenizerError.invalidField(path: path, expected: "an array, found \(value.kind)") }
        return elements.enumerated().map { JSONNode($0.element, path: "\(path)[\($0.offset)]") }
    }

    func members() throws -> [(key: String, node: JSONNode)] {
        guard case let .object(object) = value else { throw TokenizerError.invalidField(path: path, expected: "an object, found \(value.kind)") }
        return object.members.map { ($0.key, JSONNode($0.value, path: childPath($0.key))) }
    }

    /// Optional boolean member with a default for absent/null.
    func bool(_ key: String, default defaultValue: Bool) throws -> Bool {
        guard let node = try optionalField(key) else { return defaultValue }
        return try node.bool()
    }
}
