/// Why a task could not be loaded; each message is one sentence naming the file and line where known.
public enum TaskError: Error, CustomStringConvertible, Equatable {
    case unknownTask(name: String, known: [String])
    /// A template with an unmatched `{` or `}`, or an empty `{}`.
    case invalidTemplate(template: String, reason: String)
    /// The template names a field the example does not have; `place` is the example's origin.
    case missingField(field: String, place: String, available: [String])
    /// CSV syntax error at a 1-based physical line.
    case malformedCSV(file: String, line: Int, reason: String)
    /// A JSON document or JSONL line that does not parse, or has the wrong shape.
    case malformedJSON(file: String, line: Int, reason: String)
    /// A label that names or indexes no candidate.
    case labelOutsideCandidates(place: String, label: String, candidates: [String])
    /// The label field is absent from a data line.
    case missingLabel(field: String, place: String)
    /// A data record of the wrong shape (a label of the wrong type, an input not in the expected form, …).
    case invalidExample(place: String, reason: String)
    case emptySplit(split: String, reason: String)
    case unknownSpecKey(file: String, key: String, suggestion: String?, known: [String])
    case invalidSpec(file: String, reason: String)
    case missingFile(path: String, referencedBy: String?)

    public var description: String {
        switch self {
        case let .unknownTask(name, known):
            return "unknown task \(name); known tasks: \(known.joined(separator: ", ")) (or pass a custom task spec)"
        case let .invalidTemplate(template, reason):
            return "invalid prompt template \(quoted(template)): \(reason)"
        case let .missingField(field, place, available):
            let have = available.isEmpty ? "it has no fields" : "it has \(available.sorted().joined(separator: ", "))"
            return "\(place) has no field \"\(field)\" used by the template (\(have))"
        case let .malformedCSV(file, line, reason):
            return "\(file) line \(line) is not valid CSV: \(reason)"
        case let .malformedJSON(file, line, reason):
            return "\(file) line \(line) is not valid JSON: \(reason)"
        case let .labelOutsideCandidates(place, label, candidates):
            return "\(place) has label \(label), which is not among the candidates \(candidates.map(quoted).joined(separator: ", "))"
        case let .missingLabel(field, place):
            return "\(place) has no label field \"\(field)\""
        case let .invalidExample(place, reason):
            return "\(place) is not a valid example: \(reason)"
        case let .emptySplit(split, reason):
            return "the \(split) split is empty: \(reason)"
        case let .unknownSpecKey(file, key, suggestion, known):
            let hint = suggestion.map { " (did you mean \"\($0)\"?)" } ?? ""
            return "\(file) has an unknown key \"\(key)\"\(hint); known keys: \(known.joined(separator: ", "))"
        case let .invalidSpec(file, reason):
            return "\(file) is not a valid task spec: \(reason)"
        case let .missingFile(path, referencedBy):
            return "data file \(path)\(referencedBy.map { " (named in \($0))" } ?? "") does not exist"
        }
    }
}

/// A string as a JSON-style quoted literal, so leading spaces and newlines stay visible in messages.
func quoted(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\t": out += "\\t"
        case "\r": out += "\\r"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
