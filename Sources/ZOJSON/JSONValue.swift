/// A parsed JSON value, exactly as the file wrote it.
///
/// Why not `JSONSerialization`/`Codable`: object members must keep their file order (candidate lists,
/// tokenizer vocabularies) and their duplicates, numbers must keep their literal text (an id is an
/// integer only if written as one), and errors must say where the text is wrong.
public indirect enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    /// The number's literal text, already checked against the JSON grammar.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// Parses one JSON document (surrounding whitespace allowed, nothing else).
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        try JSONParser.parse(bytes)
    }

    public var string: String? { if case let .string(s) = self { return s } else { return nil } }
    public var object: JSONObject? { if case let .object(o) = self { return o } else { return nil } }
    public var array: [JSONValue]? { if case let .array(a) = self { return a } else { return nil } }
    public var bool: Bool? { if case let .bool(b) = self { return b } else { return nil } }
    public var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The number's value, if this is a number.
    public var double: Double? { if case let .number(text) = self { return Double(text) } else { return nil } }

    /// The value as an integer, if it is written as one (`3`, not `3.0` or `3e0`).
    public var integerLiteral: Int? { if case let .number(text) = self { return Int(text) } else { return nil } }

    /// The value as an integer, if it is a number without fraction (`3`, `3.0` and `3e0` alike).
    public var integer: Int? {
        guard case let .number(text) = self else { return nil }
        if let value = Int(text) { return value }
        if let value = Double(text), value == value.rounded(), abs(value) < 1e15 { return Int(value) }
        return nil
    }

    /// Short name of the kind of value, for messages ("a string", "an object", …).
    public var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// Scalars as text (strings as they are, numbers as written, booleans as true/false); nil otherwise.
    public var scalarText: String? {
        switch self {
        case let .string(s): return s
        case let .number(n): return n
        case let .bool(b): return b ? "true" : "false"
        default: return nil
        }
    }
}
