/// A JSON object's members in file order, repeated keys included: readers decide what a repeat means
/// (a task file's last value wins, as in Python's `json`; a tokenizer field's first one does).
public struct JSONObject: Sendable, Equatable {
    public private(set) var members: [(key: String, value: JSONValue)] = []

    public init() {}

    public var count: Int { members.count }

    /// The last value given for `key`.
    public subscript(key: String) -> JSONValue? { members.last { $0.key == key }?.value }

    /// The first value given for `key`.
    public func first(_ key: String) -> JSONValue? { members.first { $0.key == key }?.value }

    /// Each key once, where it first appears.
    public var keys: [String] {
        var seen = Set<String>()
        return members.compactMap { seen.insert($0.key).inserted ? $0.key : nil }
    }

    public mutating func append(_ key: String, _ value: JSONValue) { members.append((key, value)) }

    public static func == (a: JSONObject, b: JSONObject) -> Bool {
        a.members.count == b.members.count && zip(a.members, b.members).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}
