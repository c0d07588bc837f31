/// A strict JSON (RFC 8259) parser over UTF-8 bytes: recursive descent, nesting bounded, no extensions
/// (no comments, trailing commas, NaN or single quotes). Lone surrogate escapes become U+FFFD, since a
/// Swift string cannot hold them.
struct JSONParser {
    private let bytes: [UInt8]
    private var i = 0
    private static let maxDepth = 512

    private init(_ bytes: [UInt8]) { self.bytes = bytes }

    static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.i == bytes.count else { throw parser.failure("unexpected text after the JSON value") }
        return value
    }

    private func failure(_ reason: String) -> JSONParseError {
        let offset = min(i, bytes.count)
        var line = 1, lineStart = 0
        for k in 0..<offset where bytes[k] == UInt8(ascii: "\n") { line += 1; lineStart = k + 1 }
        return JSONParseError(offset: offset, line: line, column: offset - lineStart + 1, reason: reason)
    }

    private mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0A, 0x0D: i += 1
            default: return
            }
        }
    }

    private mutating func value(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < Self.maxDepth else { throw failure("nesting is too deep") }
        guard i < bytes.count else { throw failure("the text ends where a value was expected") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return .object(try object(depth: depth))
        case UInt8(ascii: "["): return .array(try array(depth: depth))
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default:
            throw failure("unexpected character \(String(decoding: [bytes[i]], as: UTF8.self).debugDescription)")
        }
    }

    private mutating func object(depth: Int) throws(JSONParseError) -> JSONObject {
        i += 1
        var object = JSONObject()
        skipSpace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "}") { i += 1; return object }
        while true {
            skipSpace()
            guard i < bytes.count && bytes[i] == UInt8(ascii: "\"") else { throw failure("expected a quoted key") }
            let key = try string()
            skipSpace()
            guard i < bytes.count && bytes[i] == UInt8(ascii: ":") else { throw failure("expected \":\" after a key") }
            i += 1
            skipSpace()
            object.append(key, try value(depth: depth + 1))
            skipSpace()
            guard i < bytes.count else { throw failure("the text ends inside an object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return object }
            throw failure("expected \",\" or \"}\" in an object")
        }
    }

    private mutating func array(depth: Int) throws(JSONParseError) -> [JSONValue] {
        i += 1
        var items: [JSONValue] = []
        skipSpace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "]") { i += 1; return items }
        while true {
            skipSpace()
            items.append(try value(depth: depth + 1))
            skipSpace()
            guard i < bytes.count else { throw failure("the text ends inside an array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return items }
            throw failure("expected \",\" or \"]\" in an array")
        }
    }

    private mutating func literal(_ word: StaticString) throws(JSONParseError) {
        let count = word.utf8CodeUnitCount, p = word.utf8Start
        guard i + count <= bytes.count, (0..<count).allSatisfy({ bytes[i + $0] == p[$0] }) else {
            throw failure("unexpected text; expected a JSON value")
        }
        i += count
    }

    private mutating func number() throws(JSONParseError) -> String {
        let start = i
        func digits() -> Int {
            let s = i
            while i < bytes.count, bytes[i] >= UInt8(ascii: "0"), bytes[i] <= UInt8(ascii: "9") { i += 1 }
            return i - s
        }
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        let integerStart = i
        guard digits() > 0 else { throw failure("a number needs digits") }
        if bytes[integerStart] == UInt8(ascii: "0") && i - integerStart > 1 { throw failure("a number may not start with 0") }
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            i += 1
            guard digits() > 0 else { throw failure("a number needs digits after \".\"") }
        }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard digits() > 0 else { throw failure("a number needs digits in its exponent") }
        }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    private mutating func hex4() throws(JSONParseError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw failure("\\u needs four hex digits") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt8
            switch b {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = b - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = b - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = b - UInt8(ascii: "A") + 10
            default: throw failure("\\u needs four hex digits")
            }
            v = v << 4 | UInt32(d)
            i += 1
        }
        return v
    }

    /// Parses a string starting at its opening quote. Strings without escapes (nearly all of a
    /// tokenizer's vocabulary) are decoded straight from the input.
    private mutating func string() throws(JSONParseError) -> String {
        i += 1
        let start = i
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "\"") {
                let s = bytes.withUnsafeBufferPointer { String(decoding: UnsafeBufferPointer(rebasing: $0[start..<i]), as: UTF8.self) }
                i += 1
                return s
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            i += 1
        }
        var out = Array(bytes[start..<i])
        while true {
            guard i < bytes.count else { throw failure("a string is not closed") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; break }
            if b < 0x20 { throw failure("a string contains a raw control character (write \\n, \\t, …)") }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            i += 1
            guard i < bytes.count else { throw failure("a string is not closed") }
            let e = bytes[i]
            i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "/"): out.append(UInt8(ascii: "/"))
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var code = try hex4()
                if (0xD800..<0xDC00).contains(code), i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") {
                    let save = i
                    i += 2
                    let low = try hex4()
                    if (0xDC00..<0xE000).contains(low) {
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else {
                        i = save
                    }
                }
                out.append(contentsOf: UTF8.encode(Unicode.Scalar(code) ?? "\u{FFFD}")!)
            default:
                i -= 1
                throw failure("unknown escape \\\(String(decoding: [e], as: UTF8.self))")
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
