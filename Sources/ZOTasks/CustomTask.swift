import Foundation
import ZOJSON

/// A task defined by the user: a `CustomTaskSpec` JSON file plus JSONL data, one JSON object per line.
///
/// Each line's scalar members (strings, numbers, booleans) become the example's fields, except the label
/// field and the candidates field. The label may be a candidate index, a string found in `label_map`, or
/// the candidate text itself (exactly, or ignoring surrounding spaces when that is unambiguous). Blank
/// lines are skipped; errors name the file and the 1-based line.
public enum CustomTask {
    /// Loads the spec at `specPath` and its data, and samples the splits (see `TaskSplits`).
    public static func load(specPath: String, seed: UInt64, sizes: SplitSizes = .mezo) throws -> (ClassificationTask, TaskSplits) {
        let spec = try CustomTaskSpec(contentsOf: URL(fileURLWithPath: specPath))
        return try load(spec, seed: seed, sizes: sizes)
    }

    public static func load(_ spec: CustomTaskSpec, seed: UInt64, sizes: SplitSizes = .mezo) throws -> (ClassificationTask, TaskSplits) {
        let task = spec.task
        let train = try examples(spec.train, spec: spec)
        let dev = try spec.dev.map { try examples($0, spec: spec) }
        let test = try spec.test.map { try examples($0, spec: spec) }
        let splits = try TaskSplits.sample(
            train: train, dev: dev, test: test, sizes: sizes, seed: seed,
            sources: (spec.train.lastPathComponent, spec.dev?.lastPathComponent, spec.test?.lastPathComponent))
        return (task, splits)
    }

    /// Reads one JSONL data file of the spec, checking every line against the template and candidates.
    public static func examples(_ file: URL, spec: CustomTaskSpec) throws -> [Example] {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw TaskError.missingFile(path: file.path, referencedBy: URL(fileURLWithPath: spec.file).lastPathComponent)
        }
        let name = file.lastPathComponent
        var examples: [Example] = []
        for (index, rawLine) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let lineNumber = index + 1
            var line = rawLine
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.allSatisfy({ $0 == 0x20 || $0 == 0x09 }) { continue }
            let place = "\(name) line \(lineNumber)"
            let value: JSONValue
            do { value = try JSONValue.parse([UInt8](line)) } catch {
                throw TaskError.malformedJSON(file: name, line: lineNumber, reason: "\(error.reason) at column \(error.column)")
            }
            guard let object = value.object else {
                throw TaskError.malformedJSON(file: name, line: lineNumber, reason: "expected an object, found \(value.kind)")
            }
            examples.append(try example(object, spec: spec, place: place))
        }
        return examples
    }

    static func example(_ object: JSONObject, spec: CustomTaskSpec, place: String) throws -> Example {
        var fields: [String: String] = [:]
        for key in object.keys where key != spec.labelField && key != spec.candidatesField && key != spec.answersField {
            if let text = object[key]!.scalarText { fields[key] = text }
        }
        for field in spec.template.fields where fields[field] == nil {
            throw TaskError.missingField(field: field, place: place, available: Array(fields.keys))
        }
        if let field = spec.answersField {
            return Example(fields: fields, answers: try answers(object, field: field, place: place), origin: place)
        }
        var own: [String]?
        if let field = spec.candidatesField {
            guard let value = object[field] else {
                throw TaskError.invalidExample(place: place, reason: "it has no candidates field \"\(field)\"")
            }
            guard let list = value.array, !list.isEmpty, list.allSatisfy({ $0.string != nil }) else {
                throw TaskError.invalidExample(place: place, reason: "its candidates field \"\(field)\" must be a non-empty array of strings")
            }
            own = list.map { $0.string! }
        }
        let candidates = own ?? spec.candidates!
        guard let labelValue = object[spec.labelField] else { throw TaskError.missingLabel(field: spec.labelField, place: place) }
        let label: Int
        switch labelValue {
        case .number:
            guard let index = labelValue.integer, candidates.indices.contains(index) else {
                throw TaskError.labelOutsideCandidates(place: place, label: labelValue.scalarText!, candidates: candidates)
            }
            label = index
        case let .string(text):
            if let index = spec.labelMap[text] {
                guard candidates.indices.contains(index) else {
                    throw TaskError.labelOutsideCandidates(place: place, label: "\(quoted(text)) (label_map: \(index))", candidates: candidates)
                }
                label = index
            } else if let index = candidates.firstIndex(of: text) {
                label = index
            } else {
                let trimmed = text.trimmingCharacters(in: .whitespaces)
                let matches = candidates.indices.filter { candidates[$0].trimmingCharacters(in: .whitespaces) == trimmed }
                guard matches.count == 1 else {
                    throw TaskError.labelOutsideCandidates(place: place, label: quoted(text), candidates: candidates)
                }
                label = matches[0]
            }
        default:
            throw TaskError.invalidExample(place: place, reason: "its label is \(labelValue.kind); use a candidate index or a string")
        }
        return Example(fields: fields, label: label, candidates: own, origin: place)
    }

    /// A generation example's reference answers: a non-empty string, or a non-empty list of them.
    static func answers(_ object: JSONObject, field: String, place: String) throws -> [String] {
        guard let value = object[field] else {
            throw TaskError.invalidExample(place: place, reason: "it has no answers field \"\(field)\"")
        }
        let answers: [String]
        if let text = value.string {
            answers = [text]
        } else if let list = value.array, list.allSatisfy({ $0.string != nil }) {
            answers = list.map { $0.string! }
        } else {
            throw TaskError.invalidExample(place: place, reason: "its answers field \"\(field)\" must be a string or an array of strings")
        }
        guard !answers.isEmpty else { throw TaskError.invalidExample(place: place, reason: "its answers field \"\(field)\" is empty") }
        guard !answers.contains(where: { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty }) else {
            throw TaskError.invalidExample(place: place, reason: "it has an empty answer in \"\(field)\"")
        }
        return answers
    }
}
