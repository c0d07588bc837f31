/// A prompt with `{field}` placeholders filled from an example's fields; `{{` and `}}` stand for
/// literal braces. The answer candidate is appended directly after the rendered prompt.
public struct PromptTemplate: Sendable, Hashable, CustomStringConvertible {
    enum Piece: Sendable, Hashable {
        case text(String)
        case field(String)
    }

    /// The template as written.
    public let text: String
    let pieces: [Piece]

    /// Parses `text`; throws `TaskError.invalidTemplate` on an unmatched brace or an empty `{}`.
    public init(_ text: String) throws {
        self.text = text
        var pieces: [Piece] = []
        var literal = ""
        var index = text.startIndex
        func next(_ i: String.Index) -> Character? {
            let j = text.index(after: i)
            return j < text.endIndex ? text[j] : nil
        }
        while index < text.endIndex {
            let c = text[index]
            if c == "{" && next(index) == "{" {
                literal.append("{")
                index = text.index(index, offsetBy: 2)
            } else if c == "}" && next(index) == "}" {
                literal.append("}")
                index = text.index(index, offsetBy: 2)
            } else if c == "{" {
                let start = text.index(after: index)
                guard let close = text[start...].firstIndex(where: { $0 == "}" || $0 == "{" }), text[close] == "}" else {
                    throw TaskError.invalidTemplate(template: text, reason: "a \"{\" is not closed (write {{ for a literal brace)")
                }
                let name = String(text[start..<close])
                guard !name.isEmpty else { throw TaskError.invalidTemplate(template: text, reason: "\"{}\" names no field") }
                if !literal.isEmpty { pieces.append(.text(literal)); literal = "" }
                pieces.append(.field(name))
                index = text.index(after: close)
            } else if c == "}" {
                throw TaskError.invalidTemplate(template: text, reason: "a \"}\" has no matching \"{\" (write }} for a literal brace)")
            } else {
                literal.append(c)
                index = text.index(after: index)
            }
        }
        if !literal.isEmpty { pieces.append(.text(literal)) }
        self.pieces = pieces
    }

    /// A template known to be valid (the built-in catalog); traps otherwise.
    init(known text: String) {
        do { try self.init(text) } catch { preconditionFailure("built-in template: \(error)") }
    }

    /// Field names in order of first use.
    public var fields: [String] {
        var seen: [String] = []
        for case let .field(name) in pieces where !seen.contains(name) { seen.append(name) }
        return seen
    }

    /// Fills the placeholders from `example.fields`; a missing field is an error naming the field and
    /// the example's origin.
    public func render(_ example: Example) throws -> String {
        var out = ""
        for piece in pieces {
            switch piece {
            case let .text(literal): out += literal
            case let .field(name):
                guard let value = example.fields[name] else {
                    throw TaskError.missingField(field: name, place: example.place, available: Array(example.fields.keys))
                }
                out += value
            }
        }
        return out
    }

    public var description: String { quoted(text) }
}
