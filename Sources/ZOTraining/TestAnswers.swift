import Foundation
import ZOFormats

/// `test-answers.jsonl`: a generation task's answers on the test split at the best dev point, one
/// JSON object per example in split order — `{"index", "answer", "references", "exact_match", "f1",
/// "step"}` — so that any SQuAD-style scorer can recompute the run's reported numbers.
enum TestAnswers {
    struct Line: Encodable {
        let index: Int
        let answer: String
        let references: [String]
        let exactMatch: Double
        let f1: Double
        let step: Int

        enum CodingKeys: String, CodingKey {
            case index, answer, references, step, f1
            case exactMatch = "exact_match"
        }
    }

    static func write(_ answers: [String], examples: [EncodedExample], step: Int, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var data = Data()
        for (index, (answer, score)) in zip(answers, AnswerGenerator.scores(answers, for: examples)).enumerated() {
            data += try encoder.encode(Line(index: index, answer: answer, references: examples[index].references,
                                            exactMatch: score.exactMatch, f1: score.f1, step: step))
            data.append(UInt8(ascii: "\n"))
        }
        try AtomicFile.write(data, to: url)
    }
}
