import Foundation
import ZOJSON

/// How a BIG-bench `task.json` (`{"examples": [{"input", "target_scores": {choice: score}}, …]}`)
/// becomes examples of a ZOTune task.
///
/// The input is trimmed and either kept whole as one field, or split at two markers into two fields
/// (e.g. `Premise: … Hypothesis: …` → premise, hypothesis). The label is the choice with the highest
/// score (it must be unique and positive). Fixed choices map to the task's candidates by name; per-example
/// choices become the example's candidates, in file order, each prefixed with `candidatePrefix`.
/// Exact repeats (same fields, label and candidates) are kept once.
struct BigBenchTask: Sendable {
    enum Input: Sendable {
        /// The whole input, trimmed, as one field.
        case whole(field: String)
        /// `<first>A<second>B<end>` → fields (A, B), both trimmed; `end` is an optional literal tail.
        case pair(first: String, second: String, end: String, fields: (String, String))
    }

    enum Choices: Sendable {
        /// BIG-bench choice names in the order of the task's candidates.
        case fixed([String])
        /// Every example lists its own choices.
        case perExample(candidatePrefix: String)
    }

    /// Path under `bigbench/benchmark_tasks/` (`multiemo/all_text_en`).
    var task: String
    var input: Input
    var choices: Choices

    func examples(file: URL) throws -> [Example] {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw TaskError.missingFile(path: file.path, referencedBy: nil)
        }
        let name = file.lastPathComponent == "task.json" ? "\(task)/task.json" : file.lastPathComponent
        return try examples(json: data, file: name)
    }

    func examples(json data: Data, file: String) throws -> [Example] {
        let document: JSONValue
        do { document = try JSONValue.parse([UInt8](data)) } catch {
            throw TaskError.malformedJSON(file: file, line: error.line, reason: "\(error.reason) at column \(error.column)")
        }
        guard let list = document.object?["examples"]?.array else {
            throw TaskError.malformedJSON(file: file, line: 1, reason: "it has no \"examples\" array")
        }
        var seen = Set<Example>()
        var out: [Example] = []
        for (index, item) in list.enumerated() {
            let place = "\(file) example \(index + 1)"
            guard let object = item.object, let text = object["input"]?.string, let scores = object["target_scores"]?.object else {
                throw TaskError.invalidExample(place: place, reason: "it needs a string \"input\" and an object \"target_scores\"")
            }
            let fields = try self.fields(text, place: place)
            var best: (name: String, score: Double)?
            var tie = false
            for name in scores.keys {
                guard let score = scores[name]!.double else {
                    throw TaskError.invalidExample(place: place, reason: "the score of \(quoted(name)) is not a number")
                }
                if let current = best, score == current.score { tie = true }
                if best == nil || score > best!.score { best = (name, score); tie = false }
            }
            guard let best, best.score > 0, !tie else {
                throw TaskError.invalidExample(place: place, reason: "its target_scores have no single best choice")
            }
            var example: Example
            switch choices {
            case let .fixed(names):
                guard Set(scores.keys) == Set(names), let label = names.firstIndex(of: best.name) else {
                    throw TaskError.invalidExample(
                        place: place, reason: "its choices \(scores.keys.map(quoted).joined(separator: ", ")) are not \(names.map(quoted).joined(separator: ", "))")
                }
                example = Example(fields: fields, label: label)
            case let .perExample(prefix):
                example = Example(
                    fields: fields, label: scores.keys.firstIndex(of: best.name)!, candidates: scores.keys.map { prefix + $0 })
            }
            guard seen.insert(example).inserted else { continue }
            example.origin = place
            out.append(example)
        }
        return out
    }

    private func fields(_ text: String, place: String) throws -> [String: String] {
        switch input {
        case let .whole(field):
            return [field: text.trimmingCharacters(in: .whitespacesAndNewlines)]
        case let .pair(first, second, end, names):
            var body = text.trimmingCharacters(in: .whitespacesAndNewlines)
            let tail = end.trimmingCharacters(in: .whitespacesAndNewlines)
            if !tail.isEmpty, body.hasSuffix(tail) { body.removeLast(tail.count) }
            let parts = body.components(separatedBy: second)
            guard body.hasPrefix(first), parts.count == 2 else {
                throw TaskError.invalidExample(place: place, reason: "its input is not of the form \(quoted(first + "…" + second + "…"))")
            }
            let a = parts[0].dropFirst(first.count).trimmingCharacters(in: .whitespacesAndNewlines)
            let b = parts[1].trimmingCharacters(in: .whitespacesAndNewlines)
            return [names.0: a, names.1: b]
        }
    }
}
