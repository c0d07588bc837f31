import Foundation

/// Reads a text file with one sequence per line. Lines may spell a newline as `\n`, a tab as `\t`
/// and a backslash as `\\`, so prompts can hold newlines; any other backslash escape is an error.
enum EscapedTextFile {
    struct EscapeError: Error, CustomStringConvertible {
        let path: String
        let line: Int
        let escape: String
        var description: String {
            "\(path) line \(line): unknown escape \\\(escape); use \\n, \\t or \\\\"
        }
    }

    struct ReadError: Error, CustomStringConvertible {
        let description: String
    }

    static func lines(at path: String) throws -> [String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReadError(description: "cannot read \(path): no such file or not readable")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ReadError(description: "\(path) is not valid UTF-8 text")
        }
        var rawLines = text.components(separatedBy: "\n")
        if rawLines.last == "" { rawLines.removeLast() }
        return try rawLines.enumerated().map { index, line in
            try unescape(line.hasSuffix("\r") ? String(line.dropLast()) : line, path: path, line: index + 1)
        }
    }

    static func unescape(_ line: String, path: String, line number: Int) throws -> String {
        guard line.contains("\\") else { return line }
        var result = ""
        var iterator = line.makeIterator()
        while let character = iterator.next() {
            guard character == "\\" else {
                result.append(character)
                continue
            }
            switch iterator.next() {
            case "n": result.append("\n")
            case "t": result.append("\t")
            case "\\": result.append("\\")
            case let other: throw EscapeError(path: path, line: number, escape: other.map(String.init) ?? "")
            }
        }
        return result
    }
}
