import Foundation
import XCTest
import ZOTasks

final class CustomTaskTests: XCTestCase {
    func testFixedCandidatesWithEveryLabelForm() throws {
        let spec = try CustomTaskSpec(contentsOf: TaskFixtures.url("custom/sentiment.spec.json"))
        let examples = try CustomTask.examples(spec.train, spec: spec)
        XCTAssertEqual(examples.count, 10, "the blank line is skipped")
        // neg, pos, 0, 1, " bad" (candidate text), "good" (candidate text without its space), neg, pos, neg, pos
        XCTAssertEqual(examples.map(\.label), [0, 1, 0, 1, 0, 1, 0, 1, 0, 1])
        XCTAssertEqual(examples[0].fields, ["text": "A joyless slog.", "stars": "1"], "the label is not a field")
        XCTAssertEqual(examples[6].origin, "sentiment.jsonl line 8", "line numbers count the blank line")
        XCTAssertEqual(examples[7].fields["text"], "Pure delight, élégant.")

        let (task, splits) = try CustomTask.load(specPath: TaskFixtures.url("custom/sentiment.spec.json").path, seed: 0)
        XCTAssertEqual(task.name, "my-sentiment")
        XCTAssertEqual(task.summary, "Toy movie-review sentiment for tests")
        XCTAssertEqual(task.candidates, [" bad", " good"])
        XCTAssertEqual(try task.prompt(for: examples[3]), "Review: The cast is \"superb\".\nVerdict ({good/bad}):")
        XCTAssertEqual([splits.train.count, splits.dev.count, splits.test.count], [4, 2, 4])
        XCTAssertEqual(Set(splits.train + splits.dev + splits.test), Set(examples))
        let again = try CustomTask.load(specPath: TaskFixtures.url("custom/sentiment.spec.json").path, seed: 0).1
        XCTAssertEqual(again.test, splits.test)
    }

    func testPerExampleCandidatesAndSeparateFiles() throws {
        let (task, splits) = try CustomTask.load(specPath: TaskFixtures.url("custom/choice.spec.json").path, seed: 0)
        XCTAssertEqual(task.name, "choice", "the name defaults to the spec's file name")
        XCTAssertEqual(task.candidates, [])
        XCTAssertEqual([splits.train.count, splits.dev.count, splits.test.count], [4, 2, 2], "dev is cut from train")
        XCTAssertEqual(Set(splits.test.map { $0.fields["question"]! }), ["What do cows drink?", "What shines at night?"])
        let all = splits.train + splits.dev
        let fish = try XCTUnwrap(all.first { $0.fields["question"] == "Where do fish live?" })
        XCTAssertEqual(try task.candidates(for: fish), [" in trees", " in water", " in deserts"])
        XCTAssertEqual(fish.label, 1, "\"in water\" matches \" in water\" ignoring the space")
        XCTAssertEqual(try task.prompt(for: fish), "Where do fish live?\nAnswer:")
        XCTAssertEqual(all.first { $0.fields["question"] == "What falls from clouds?" }?.label, 0)
        XCTAssertNil(fish.fields["options"])
    }

    // MARK: errors, each naming the file and line

    private func spec(_ folder: ScratchFolder, _ json: String, data: String? = nil) throws -> String {
        if let data { try folder.write("d.jsonl", data) }
        return try folder.write("spec.json", json).path
    }

    private let basic = #"{"template": "{text} It was", "candidates": [" bad", " good"], "label_map": {"neg": 0, "pos": 1}, "data": "d.jsonl"}"#

    func testMalformedJSONLine() throws {
        let folder = try ScratchFolder()
        let path = try spec(folder, basic, data: "{\"text\": \"a\", \"label\": 0}\n\n{\"text\": \"b\", \"label\": 1,}\n")
        let error = taskError(try CustomTask.load(specPath: path, seed: 0))
        guard case let .malformedJSON(file, line, _)? = error else { return XCTFail("\(String(describing: error))") }
        XCTAssertEqual(file, "d.jsonl")
        XCTAssertEqual(line, 3)
        XCTAssertTrue("\(error!)".hasPrefix("d.jsonl line 3 is not valid JSON: expected a quoted key at column 26"), "\(error!)")
        XCTAssertTaskError(
            try CustomTask.load(specPath: try spec(folder, basic, data: "[1, 2]\n"), seed: 0),
            .malformedJSON(file: "d.jsonl", line: 1, reason: "expected an object, found an array"))
    }

    func testTemplateFieldMissing() throws {
        let folder = try ScratchFolder()
        let path = try spec(folder, basic, data: "{\"text\": \"a\", \"label\": 0}\n{\"review\": \"b\", \"label\": 1}\n")
        XCTAssertTaskError(
            try CustomTask.load(specPath: path, seed: 0),
            .missingField(field: "text", place: "d.jsonl line 2", available: ["review"]),
            mentions: ["d.jsonl line 2 has no field \"text\""])
    }

    func testLabelOutsideCandidates() throws {
        let folder = try ScratchFolder()
        let lines = ["{\"text\": \"a\", \"label\": 0}", "{\"text\": \"b\", \"label\": \"pos\"}"]
        for (bad, shown) in [("2", "2"), ("-1", "-1"), ("0.5", "0.5"), ("\"meh\"", "\"meh\"")] {
            let data = (lines + ["{\"text\": \"c\", \"label\": \(bad)}"]).joined(separator: "\n")
            XCTAssertTaskError(
                try CustomTask.load(specPath: try spec(folder, basic, data: data), seed: 0),
                .labelOutsideCandidates(place: "d.jsonl line 3", label: shown, candidates: [" bad", " good"]),
                mentions: ["d.jsonl line 3"])
        }
        XCTAssertTaskError(
            try CustomTask.load(specPath: try spec(folder, basic, data: "{\"text\": \"c\", \"label\": true}"), seed: 0),
            .invalidExample(place: "d.jsonl line 1", reason: "its label is a boolean; use a candidate index or a string"))
        XCTAssertTaskError(
            try CustomTask.load(specPath: try spec(folder, basic, data: "{\"text\": \"c\", \"lable\": 1}"), seed: 0),
            .missingLabel(field: "label", place: "d.jsonl line 1"))
    }

    func testPerExampleLabelOutsideItsCandidates() throws {
        let folder = try ScratchFolder()
        let path = try spec(
            folder, #"{"template": "{q}", "candidates_field": "options", "data": "d.jsonl"}"#,
            data: "{\"q\": \"x\", \"options\": [\" a\", \" b\"], \"label\": 1}\n{\"q\": \"y\", \"options\": [\" a\", \" b\"], \"label\": 2}\n")
        XCTAssertTaskError(
            try CustomTask.load(specPath: path, seed: 0),
            .labelOutsideCandidates(place: "d.jsonl line 2", label: "2", candidates: [" a", " b"]))
        let missing = try spec(
            folder, #"{"template": "{q}", "candidates_field": "options", "data": "d.jsonl"}"#,
            data: "{\"q\": \"x\", \"options\": \" a\", \"label\": 0}\n")
        XCTAssertTaskError(
            try CustomTask.load(specPath: missing, seed: 0),
            .invalidExample(place: "d.jsonl line 1", reason: "its candidates field \"options\" must be a non-empty array of strings"))
    }

    func testEmptySplit() throws {
        let folder = try ScratchFolder()
        XCTAssertTaskError(
            try CustomTask.load(specPath: try spec(folder, basic, data: "{\"text\": \"a\", \"label\": 0}\n{\"text\": \"b\", \"label\": 1}\n"), seed: 0),
            .emptySplit(split: "train", reason: "d.jsonl has only 2 examples, and 3 splits need at least 3"),
            mentions: ["d.jsonl"])
        XCTAssertTaskError(
            try CustomTask.load(specPath: try spec(folder, basic, data: "\n\n"), seed: 0),
            .emptySplit(split: "test", reason: "d.jsonl has only 0 examples, and 3 splits need at least 3"))
        try folder.write("t.jsonl", "")
        try folder.write("train.jsonl", "{\"text\": \"a\", \"label\": 0}\n{\"text\": \"b\", \"label\": 1}\n")
        let separate = try spec(folder, #"{"template": "{text}", "candidates": ["a", "b"], "train": "train.jsonl", "test": "t.jsonl"}"#)
        XCTAssertTaskError(
            try CustomTask.load(specPath: separate, seed: 0), .emptySplit(split: "test", reason: "t.jsonl has no examples"))
    }

    func testUnknownSpecKeySuggestsTheIntendedOne() throws {
        let folder = try ScratchFolder()
        let path = try spec(folder, #"{"template": "{text}", "candidates": ["a", "b"], "data": "d.jsonl", "lable_field": "y"}"#, data: "")
        guard case let .unknownSpecKey(file, key, suggestion, known)? = taskError(try CustomTask.load(specPath: path, seed: 0)) else {
            return XCTFail("expected unknownSpecKey")
        }
        XCTAssertEqual(file, path)
        XCTAssertEqual(key, "lable_field")
        XCTAssertEqual(suggestion, "label_field")
        XCTAssertEqual(known, CustomTaskSpec.keys)
        let far = try spec(folder, #"{"template": "{text}", "candidates": ["a", "b"], "data": "d.jsonl", "shots": 16}"#)
        guard case .unknownSpecKey(_, "shots", nil, _)? = taskError(try CustomTask.load(specPath: far, seed: 0)) else {
            return XCTFail("expected unknownSpecKey without suggestion")
        }
    }

    func testMissingFiles() throws {
        let folder = try ScratchFolder()
        let path = try spec(folder, #"{"template": "{text}", "candidates": ["a", "b"], "data": "nope.jsonl"}"#)
        XCTAssertTaskError(
            try CustomTask.load(specPath: path, seed: 0),
            .missingFile(path: folder.url.appendingPathComponent("nope.jsonl").path, referencedBy: "spec.json"),
            mentions: ["nope.jsonl", "spec.json", "does not exist"])
        let spec = folder.url.appendingPathComponent("absent.json").path
        XCTAssertTaskError(try CustomTask.load(specPath: spec, seed: 0), .missingFile(path: spec, referencedBy: nil))
    }

    func testInvalidSpecs() throws {
        let folder = try ScratchFolder()
        let cases: [(String, String)] = [
            (#"{"candidates": ["a", "b"], "data": "d.jsonl"}"#, "needs a \"template\""),
            (#"{"template": "{text", "candidates": ["a", "b"], "data": "d.jsonl"}"#, "is not closed"),
            (#"{"template": "{text}", "data": "d.jsonl"}"#, "exactly one of"),
            (#"{"template": "{text}", "candidates": ["a"], "candidates_field": "o", "data": "d.jsonl"}"#, "array of at least two"),
            (#"{"template": "{text}", "candidates": ["a", "b"], "candidates_field": "o", "data": "d.jsonl"}"#, "exactly one of"),
            (#"{"template": "{text}", "candidates": ["a", "a"], "data": "d.jsonl"}"#, "repeated"),
            (#"{"template": "{text}", "candidates": ["a", "b"], "label_map": {"x": 2}, "data": "d.jsonl"}"#, "not a candidate index"),
            (#"{"template": "{text} {label}", "candidates": ["a", "b"], "data": "d.jsonl"}"#, "holds the label"),
            (#"{"template": "{text}", "candidates": ["a", "b"]}"#, "needs a \"data\" file"),
            (#"{"template": "{text}", "candidates": ["a", "b"], "data": "d.jsonl", "train": "d.jsonl"}"#, "not both"),
            (#"{"template": "{text}", "candidates": ["a", "b"], "data": "d.jsonl", "test": "d.jsonl"}"#, "go with \"train\""),
            (#"["template"]"#, "must be a JSON object"),
        ]
        for (json, phrase) in cases {
            let path = try spec(folder, json)
            guard case let .invalidSpec(file, reason)? = taskError(try CustomTask.load(specPath: path, seed: 0)) else {
                XCTFail("\(json) should be an invalid spec"); continue
            }
            XCTAssertEqual(file, path)
            XCTAssertTrue(reason.contains(phrase), "\(reason) should contain \(phrase)")
        }
        let broken = try spec(folder, "{\n  \"template\": \"{text}\",\n  \"candidates\": [\"a\" \"b\"]\n}")
        XCTAssertTaskError(
            try CustomTask.load(specPath: broken, seed: 0),
            .malformedJSON(file: broken, line: 3, reason: "expected \",\" or \"]\" in an array at column 22"))
    }
}
