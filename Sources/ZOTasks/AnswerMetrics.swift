/// Exact match and token F1 of a free-form answer, as the SQuAD evaluation scores them (and MeZO
/// after it): both sides normalised — lower case, ASCII punctuation removed, the articles a/an/the
/// removed as whole words, whitespace collapsed — and the score the best over the references. An
/// answer that normalises to nothing scores F1 1 only against a reference that does too (SQuAD 2.0's
/// rule, as transformers' `squad_metrics.py` has it). Checked against that code's own scores
/// (`scripts/reference/make_answer_metric_golden.py`).
public enum AnswerMetrics {
    /// SQuAD's `normalize_answer`, code point by code point as Python runs it.
    public static func normalized(_ text: String) -> String {
        let lowered = text.lowercased().unicodeScalars.filter { !asciiPunctuation.contains($0) }
        // Articles: maximal runs of word characters (Python's \w) equal to a, an or the become a space.
        var kept = String.UnicodeScalarView()
        var word = String.UnicodeScalarView()
        func flush() {
            if ["a", "an", "the"].contains(String(word)) { kept.append(" ") } else { kept.append(contentsOf: word) }
            word = String.UnicodeScalarView()
        }
        for scalar in lowered {
            if isWordCharacter(scalar) {
                word.append(scalar)
            } else {
                flush()
                kept.append(scalar)
            }
        }
        flush()
        return tokens(ofNormalized: String(kept)).joined(separator: " ")
    }

    /// 1 when the normalised prediction equals a normalised reference, else 0.
    public static func exactMatch(_ prediction: String, references: [String]) -> Double {
        let answer = normalized(prediction)
        return references.contains { normalized($0) == answer } ? 1 : 0
    }

    /// The best token F1 of the prediction against the references.
    public static func f1(_ prediction: String, references: [String]) -> Double {
        let predicted = tokens(ofNormalized: normalized(prediction))
        return references.map { reference -> Double in
            let gold = tokens(ofNormalized: normalized(reference))
            guard !gold.isEmpty && !predicted.isEmpty else { return gold == predicted ? 1 : 0 }
            var counts: [String: Int] = [:]
            for token in gold { counts[token, default: 0] += 1 }
            var same = 0
            for token in predicted where (counts[token] ?? 0) > 0 {
                counts[token]! -= 1
                same += 1
            }
            guard same > 0 else { return 0 }
            let precision = Double(same) / Double(predicted.count), recall = Double(same) / Double(gold.count)
            return 2 * precision * recall / (precision + recall)
        }.max() ?? 0
    }

    /// Python's `str.split()`: runs of whitespace separate tokens.
    static func tokens(ofNormalized text: String) -> [String] {
        text.unicodeScalars.split { $0.properties.isWhitespace }.map { String(String.UnicodeScalarView($0)) }
    }

    /// Python's `string.punctuation`.
    static let asciiPunctuation = Set("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~".unicodeScalars)

    /// Python's `\w`: letters, numbers and the underscore.
    static func isWordCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
             .decimalNumber, .letterNumber, .otherNumber:
            return true
        default:
            return scalar == "_"
        }
    }
}
