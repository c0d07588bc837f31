import XCTest
import ZOTasks

final class PromptTemplateTests: XCTestCase {
    func testRendersFieldsInPlace() throws {
        let template = try PromptTemplate("{premise}\nDoes this mean that \"{hypothesis}\" is true? Yes or No?\n")
        let example = Example(fields: ["premise": "It rains.", "hypothesis": "It is wet.", "unused": "x"], label: 0)
        XCTAssertEqual(try template.render(example), "It rains.\nDoes this mean that \"It is wet.\" is true? Yes or No?\n")
        XCTAssertEqual(template.fields, ["premise", "hypothesis"])
    }

    func testRepeatedFieldAndNoFields() throws {
        let example = Example(fields: ["a": "x"], label: 0)
        XCTAssertEqual(try PromptTemplate("{a}-{a}").render(example), "x-x")
        XCTAssertEqual(try PromptTemplate("{a}-{a}").fields, ["a"])
        XCTAssertEqual(try PromptTemplate("constant").render(example), "constant")
        XCTAssertEqual(try PromptTemplate("").render(example), "")
    }

    func testDoubledBracesAreLiteral() throws {
        let example = Example(fields: ["a": "x", "{a}": "never"], label: 0)
        XCTAssertEqual(try PromptTemplate("{{a}} {{{a}}} }}{{").render(example), "{a} {x} }{")
        XCTAssertEqual(try PromptTemplate("{{{{").render(example), "{{")
    }

    func testMissingFieldNamesFieldAndOrigin() throws {
        let template = try PromptTemplate("{sentence} It was")
        let example = Example(fields: ["text": "Fine."], label: 1, origin: "reviews.jsonl line 7")
        XCTAssertTaskError(
            try template.render(example),
            .missingField(field: "sentence", place: "reviews.jsonl line 7", available: ["text"]),
            mentions: ["reviews.jsonl line 7", "\"sentence\"", "text"])
        XCTAssertTaskError(
            try template.render(Example(fields: [:], label: 0)),
            .missingField(field: "sentence", place: "an example without origin", available: []))
    }

    func testUnbalancedBracesAreRejected() {
        for text in ["{a", "a}", "{}", "x {a{b}} y", "{a}}"] {
            guard case .invalidTemplate(let template, _)? = taskError(try PromptTemplate(text)) else {
                XCTFail("\(text) should be rejected"); continue
            }
            XCTAssertEqual(template, text)
        }
    }

    func testTaskCandidatesArePerExampleWhenGiven() throws {
        let task = ClassificationTask(
            name: "t", template: try PromptTemplate("{q}"), candidates: [" terrible", " great"], summary: "")
        let fixed = Example(fields: ["q": "?"], label: 1)
        let own = Example(fields: ["q": "?"], label: 2, candidates: [" a", " b", " c"])
        XCTAssertEqual(try task.candidates(for: fixed), [" terrible", " great"])
        XCTAssertEqual(try task.candidates(for: own), [" a", " b", " c"])
        XCTAssertEqual(try task.prompt(for: own), "?")
        XCTAssertNoThrow(try task.validate([fixed, own]))
        XCTAssertTaskError(
            try task.validate([Example(fields: ["q": "?"], label: 2, origin: "x line 1")]),
            .labelOutsideCandidates(place: "x line 1", label: "2", candidates: [" terrible", " great"]))
    }

    func testAccuracy() {
        let predictions = [
            Prediction(predicted: 1, label: 1), Prediction(predicted: 0, label: 1),
            Prediction(scores: [-0.5, -2, -0.1], label: 2), Prediction(scores: [-1, -1], label: 0),
        ]
        XCTAssertEqual(predictions.map(\.predicted), [1, 0, 2, 0])
        XCTAssertEqual(Metrics.accuracy(predictions), 0.75)
        XCTAssertEqual(Metrics.accuracy([]), 0)
    }
}
