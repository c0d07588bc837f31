import Foundation
import XCTest
import ZOTasks

/// Exact match and token F1 against the SQuAD scoring code's own results on cases that exercise
/// its normalisation (punctuation, articles as whole words, Unicode letters, empty answers).
final class AnswerMetricsTests: XCTestCase {
    struct Golden: Decodable {
        struct Case: Decodable {
            let prediction: String
            let references: [String]
            let normalized: String
            let exact_match: Double
            let f1: Double
        }
        let cases: [Case]
    }

    func testScoresEqualTheSQuADEvaluation() throws {
        let data = try Data(contentsOf: TaskFixtures.url("answers/squad-metric-golden.json"))
        let golden = try JSONDecoder().decode(Golden.self, from: data)
        XCTAssertGreaterThan(golden.cases.count, 20)
        for item in golden.cases {
            let label = "\(item.prediction.debugDescription) vs \(item.references)"
            XCTAssertEqual(AnswerMetrics.normalized(item.prediction), item.normalized, label)
            XCTAssertEqual(AnswerMetrics.exactMatch(item.prediction, references: item.references), item.exact_match, label)
            XCTAssertEqual(AnswerMetrics.f1(item.prediction, references: item.references), item.f1, accuracy: 1e-12, label)
        }
    }
}
