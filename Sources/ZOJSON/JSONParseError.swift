/// Where and why a JSON text is not valid JSON.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset of the failure in the parsed text.
    public var offset: Int
    /// 1-based line and column (in bytes) of `offset`.
    public var line: Int
    public var column: Int
    public var reason: String

    public var description: String { "\(reason) at line \(line), column \(column)" }
}
