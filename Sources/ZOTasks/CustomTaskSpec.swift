import Foundation
import ZOJSON

/// The JSON spec of a custom task, e.g.
///
///     {"name": "my-task", "template": "{text} It was", "candidates": [" bad", " good"],
///      "label_field": "label", "label_map": {"neg": 0, "pos": 1}, "data": "data.jsonl"}
///
/// Keys: `template` (required); exactly one of `candidates` (fixed, appended verbatim — mind leading
/// spaces), `candidates_field` (a data field holding each example's candidate list) or
/// `answers_field` (a generation task: a data field holding the reference answer, a string, or a list
/// of them, any of which is right), with `max_new_tokens` (default 50) for the answer's length; `label_field`
/// (default `label`); `label_map` (label string → candidate index); `name` (default: the spec's file
/// name without `.json` and `.spec`); `description`; and data: `data` (one JSONL file, split by sampling) or `train` with optional
/// `dev` and `test` (splits without a file are cut from train). Paths are relative to the spec.
/// Any other key is an error, so a typo cannot silently drop a setting.
public struct CustomTaskSpec: Sendable {
    public var name: String
    public var description: String?
    public var template: PromptTemplate
    public var candidates: [String]?
    public var candidatesField: String?
    /// Set for a generation task: the data field with each example's reference answers.
    public var answersField: String?
    /// A generation task's longest answer in tokens (`AnswerGeneration`).
    public var maxNewTokens: Int?
    public var labelField: String
    public var labelMap: [String: Int]
    /// The `data` or `train` file.
    public var train: URL
    public var dev: URL?
    public var test: URL?
    /// The spec file, for messages.
    public var file: String

    public static let keys = [
        "name", "description", "template", "candidates", "candidates_field", "answers_field", "max_new_tokens",
        "label_field", "label_map", "data", "train", "dev", "test",
    ]

    public init(contentsOf url: URL) throws {
        let file = url.path
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TaskError.missingFile(path: url.path, referencedBy: nil)
        }
        let document: JSONValue
        do { document = try JSONValue.parse([UInt8](data)) } catch {
            throw TaskError.malformedJSON(file: file, line: error.line, reason: "\(error.reason) at column \(error.column)")
        }
        guard let object = document.object else { throw TaskError.invalidSpec(file: file, reason: "it must be a JSON object") }
        for key in object.keys where !Self.keys.contains(key) {
            throw TaskError.unknownSpecKey(file: file, key: key, suggestion: Self.closest(to: key), known: Self.keys)
        }
        func invalid(_ reason: String) -> TaskError { .invalidSpec(file: file, reason: reason) }
        func string(_ key: String) throws -> String? {
            guard let value = object[key] else { return nil }
            guard let text = value.string, !text.isEmpty else { throw invalid("\"\(key)\" must be a non-empty string") }
            return text
        }
        self.file = file
        let stem = url.deletingPathExtension().lastPathComponent
        name = try string("name") ?? (stem.hasSuffix(".spec") ? String(stem.dropLast(5)) : stem)
        description = try string("description")
        guard let templateText = try string("template") else { throw invalid("it needs a \"template\" such as \"{text} It was\"") }
        do { template = try PromptTemplate(templateText) } catch { throw invalid("\(error)") }

        candidatesField = try string("candidates_field")
        if let value = object["candidates"] {
            guard let list = value.array?.compactMap(\.string), list.count == value.array?.count, list.count >= 2 else {
                throw invalid("\"candidates\" must be an array of at least two strings")
            }
            guard Set(list).count == list.count else { throw invalid("\"candidates\" has a repeated entry") }
            candidates = list
        }
        answersField = try string("answers_field")
        if [candidates != nil, candidatesField != nil, answersField != nil].filter({ $0 }).count != 1 {
            throw invalid("it needs exactly one of \"candidates\" (fixed), \"candidates_field\" (per example) "
                + "or \"answers_field\" (free-form answers)")
        }
        if let value = object["max_new_tokens"] {
            guard answersField != nil else { throw invalid("\"max_new_tokens\" goes with \"answers_field\"") }
            guard let count = value.integer, (1...4096).contains(count) else {
                throw invalid("\"max_new_tokens\" must be a whole number from 1 to 4096")
            }
            maxNewTokens = count
        }
        if answersField != nil, object["label_map"] != nil || object["label_field"] != nil {
            throw invalid("a task with \"answers_field\" has no labels: drop \"label_field\" and \"label_map\"")
        }
        labelField = try string("label_field") ?? "label"
        labelMap = [:]
        if let value = object["label_map"] {
            guard let map = value.object else { throw invalid("\"label_map\" must map label strings to candidate indices") }
            for key in map.keys {
                guard let index = map[key]!.integer, index >= 0, index < (candidates?.count ?? Int.max) else {
                    throw invalid("\"label_map\" maps \(quoted(key)) to \(map[key]!.scalarText ?? map[key]!.kind), not a candidate index")
                }
                labelMap[key] = index
            }
        }
        for field in [answersField == nil ? labelField : nil, candidatesField, answersField].compactMap({ $0 })
        where template.fields.contains(field) {
            throw invalid("the template uses \"\(field)\", which holds the label, the candidates or the answers")
        }
        let folder = url.deletingLastPathComponent()
        func path(_ key: String) throws -> URL? {
            try string(key).map { $0.hasPrefix("/") ? URL(fileURLWithPath: $0) : folder.appendingPathComponent($0) }
        }
        let dataFile = try path("data"), trainFile = try path("train")
        dev = try path("dev")
        test = try path("test")
        switch (dataFile, trainFile) {
        case (let data?, nil):
            guard dev == nil, test == nil else { throw invalid("\"dev\" and \"test\" go with \"train\", not with \"data\"") }
            train = data
        case (nil, let trainFile?): train = trainFile
        case (nil, nil): throw invalid("it needs a \"data\" file (or \"train\", with optional \"dev\" and \"test\")")
        case (.some, .some): throw invalid("give either \"data\" or \"train\", not both")
        }
    }

    /// The task this spec defines (without its data).
    public var task: ClassificationTask {
        ClassificationTask(
            name: name, template: template, candidates: candidates ?? [],
            summary: description ?? "custom task from \(URL(fileURLWithPath: file).lastPathComponent)",
            generation: answersField.map { _ in AnswerGeneration(maxNewTokens: maxNewTokens ?? AnswerGeneration.defaultMaxNewTokens) })
    }

    /// The known key nearest to `key` (edit distance ≤ 2, or ≤ 3 for long keys), for typo hints.
    static func closest(to key: String) -> String? {
        let scored = keys.map { ($0, editDistance(Array(key.lowercased()), Array($0))) }.min { $0.1 < $1.1 }
        guard let (best, distance) = scored, distance <= (key.count > 8 ? 3 : 2) else { return nil }
        return best
    }

    static func editDistance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in 1...max(b.count, 1) where !b.isEmpty {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
