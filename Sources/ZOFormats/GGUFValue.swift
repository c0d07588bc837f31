/// One GGUF metadata value. Arrays may hold any value type, including arrays.
public enum GGUFValue: Equatable, Sendable {
    case uint8(UInt8), int8(Int8), uint16(UInt16), int16(Int16), uint32(UInt32), int32(Int32)
    case uint64(UInt64), int64(Int64), float32(Float), float64(Double), bool(Bool), string(String)
    case array([GGUFValue])

    /// Any integer case as `Int` (nil for other cases or values that do not fit).
    public var int: Int? {
        switch self {
        case let .uint8(v): return Int(v)
        case let .int8(v): return Int(v)
        case let .uint16(v): return Int(v)
        case let .int16(v): return Int(v)
        case let .uint32(v): return Int(v)
        case let .int32(v): return Int(v)
        case let .uint64(v): return Int(exactly: v)
        case let .int64(v): return Int(v)
        default: return nil
        }
    }

    /// Any numeric case as `Double`.
    public var double: Double? {
        switch self {
        case let .float32(v): return Double(v)
        case let .float64(v): return v
        default: return int.map(Double.init)
        }
    }

    public var string: String? {
        if case let .string(s) = self { return s }
        return nil
    }

    public var bool: Bool? {
        if case let .bool(b) = self { return b }
        return nil
    }

    public var array: [GGUFValue]? {
        if case let .array(a) = self { return a }
        return nil
    }

    public var strings: [String]? { array?.compactMap(\.string) }
    public var ints: [Int]? { array?.compactMap(\.int) }

    /// A short human-readable rendering (arrays summarised) for `zotune inspect`.
    public var summary: String {
        switch self {
        case let .string(s): return s.count > 60 ? "\"\(s.prefix(57))…\"" : "\"\(s)\""
        case let .array(a): return "[\(a.count) values]"
        case let .bool(b): return String(b)
        case let .float32(v): return String(v)
        case let .float64(v): return String(v)
        default: return int.map(String.init) ?? "?"
        }
    }
}
