import Foundation

/// One CSV record and the 1-based line it starts on.
public struct CSVRecord: Sendable, Hashable {
    public var fields: [String]
    public var line: Int
}

/// RFC 4180 CSV: comma-separated fields, records ended by LF or CRLF, fields optionally in double quotes
/// (then holding commas, line breaks and `""` for a quote). Strict where RFC 4180 is: a quote inside an
/// unquoted field, text after a closing quote, an unclosed quote, or a record whose field count differs
/// from the first record's is an error naming the line. Blank lines are skipped.
public enum CSVReader {
    public static func records(in data: Data, file: String) throws -> [CSVRecord] {
        try records(in: [UInt8](data), file: file)
    }

    public static func records(in text: String, file: String) throws -> [CSVRecord] {
        try records(in: Array(text.utf8), file: file)
    }

    static func records(in bytes: [UInt8], file: String) throws -> [CSVRecord] {
        let quote = UInt8(ascii: "\""), comma = UInt8(ascii: ","), lf = UInt8(ascii: "\n"), cr = UInt8(ascii: "\r")
        let n = bytes.count
        var records: [CSVRecord] = []
        var fields: [String] = []
        var field: [UInt8] = []
        var i = 0
        var line = 1  // line of bytes[i]
        var recordLine = 1
        func fail(_ at: Int, _ reason: String) -> TaskError { .malformedCSV(file: file, line: at, reason: reason) }
        func isLineBreak(_ k: Int) -> Bool { bytes[k] == lf || (bytes[k] == cr && k + 1 < n && bytes[k + 1] == lf) }

        while i < n {
            // One field.
            field.removeAll(keepingCapacity: true)
            var quoted = false
            if bytes[i] == quote {
                quoted = true
                let opened = line
                i += 1
                while true {
                    guard i < n else { throw fail(opened, "a quoted field opened here is never closed") }
                    if bytes[i] == quote {
                        guard i + 1 < n, bytes[i + 1] == quote else { i += 1; break }
                        field.append(quote)
                        i += 2
                    } else {
                        if bytes[i] == lf { line += 1 }
                        field.append(bytes[i])
                        i += 1
                    }
                }
                guard i == n || bytes[i] == comma || isLineBreak(i) else {
                    throw fail(line, "a closing quote is followed by text instead of a comma or line end")
                }
            } else {
                while i < n && bytes[i] != comma && !isLineBreak(i) {
                    if bytes[i] == quote { throw fail(line, "a double quote appears inside an unquoted field") }
                    field.append(bytes[i])
                    i += 1
                }
            }
            fields.append(String(decoding: field, as: UTF8.self))

            // What follows it: another field, or the end of the record.
            if i < n && bytes[i] == comma {
                i += 1
                guard i == n else { continue }
                fields.append("")  // a trailing comma at the very end of the input
            } else if i < n {
                i += bytes[i] == cr ? 2 : 1
            }
            let blank = fields.count == 1 && fields[0].isEmpty && !quoted
            if !blank {
                if let first = records.first, first.fields.count != fields.count {
                    throw fail(recordLine, "it has \(fields.count) fields but line \(first.line) has \(first.fields.count)")
                }
                records.append(CSVRecord(fields: fields, line: recordLine))
            }
            fields = []
            line += 1
            recordLine = line
        }
        return records
    }
}
