/// Any JSON value, decoded only to be named in an error when a key holds the wrong kind of value:
/// `the string "64"`, `the number 64.5`, `true`, `an array`.
enum ConfigValue: Decodable, CustomStringConvertible {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array
    /// An object, with its number of members.
    case object(members: Int)
    /// A value JSONDecoder cannot represent (a number beyond Double's range).
    case other

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let flag = try? container.decode(Bool.self) {
            self = .bool(flag)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let string = try? container.decode(String.self) {
            self = .string(string)
        } else if (try? container.decode([ConfigValue].self)) != nil {
            self = .array
        } else if let members = try? container.decode([String: ConfigValue].self) {
            self = .object(members: members.count)
        } else {
            self = .other
        }
    }

    var number: Double? { if case let .number(number) = self { return number } else { return nil } }
    var flag: Bool? { if case let .bool(flag) = self { return flag } else { return nil } }
    var string: String? { if case let .string(string) = self { return string } else { return nil } }
    /// An object's member count.
    var members: Int? { if case let .object(count) = self { return count } else { return nil } }

    var description: String {
        switch self {
        case .null: return "null"
        case let .bool(flag): return String(flag)
        case let .number(number):
            let integral = number == number.rounded() && abs(number) < 1e15
            return "the number " + (integral ? String(Int(number)) : String(number))
        case let .string(string): return "the string \"\(string.count > 40 ? string.prefix(37) + "…" : Substring(string))\""
        case .array: return "an array"
        case .object: return "an object"
        case .other: return "a value of another type"
        }
    }
}
