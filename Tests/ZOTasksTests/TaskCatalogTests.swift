import Foundation
import XCTest
import ZOAssets
import ZOTasks

/// Built-in tasks, read from committed samples in the original formats (no download).
final class TaskCatalogTests: XCTestCase {
    private func bigBench(_ name: String, _ file: String) throws -> (ClassificationTask, [Example]) {
        let url = TaskFixtures.url("bigbench/\(file).json")
        return (try TaskCatalog.task(named: name), try TaskCatalog.examples(name, dataFile: url))
    }

    func testNames() throws {
        XCTAssertEqual(TaskCatalog.defaultName, "rt-sentiment")
        XCTAssertEqual(
            TaskCatalog.names, ["rt-sentiment", "boolq-like", "rte-like", "cb-like", "wsc-like", "copa-like", "sst5-like", "country-qa"])
        for name in TaskCatalog.names { XCTAssertFalse(try TaskCatalog.task(named: name).summary.isEmpty) }
        XCTAssertEqual(try TaskCatalog.asset(for: "rt-sentiment"), AssetCatalog.rottenTomatoes)
        XCTAssertEqual(try TaskCatalog.asset(for: "sst5-like"), AssetCatalog.bigBenchMultiEmo)
    }

    func testUnknownTaskListsTheKnownOnes() {
        XCTAssertTaskError(
            try TaskCatalog.load("sst2", store: AssetStore(environment: ["ZOTUNE_HOME": "/nonexistent"]), seed: 0),
            .unknownTask(name: "sst2", known: TaskCatalog.names),
            mentions: ["unknown task sst2", "rt-sentiment, boolq-like, rte-like, cb-like, wsc-like, copa-like, sst5-like"])
    }

    func testRottenTomatoesSample() throws {
        let url = TaskFixtures.url("rt-sample.csv")
        let examples = try TaskCatalog.examples("rt-sentiment", dataFile: url)
        // 13 rows: 1 plot dropped, 2 repeats dropped (one re-wrapped, one with the other label).
        XCTAssertEqual(examples.count, 10)
        XCTAssertEqual(examples.filter { $0.label == 1 }.count, 5)
        XCTAssertEqual(examples.filter { $0.label == 0 }.count, 5)
        XCTAssertEqual(examples[0].fields, ["sentence": "A three-hour cinema master class."])
        XCTAssertEqual(examples[0].origin, "rt-sample.csv line 3")
        XCTAssertEqual(examples[8].fields["sentence"], "As its utterly generic title well suggests, leaves absolutely no cliche unexploited.")
        XCTAssertEqual(examples[9].fields["sentence"], "A \"masterpiece\", truly.")
        XCTAssertEqual(examples[9].origin, "rt-sample.csv line 16", "the quoted multi-line rows before it count their lines")
        XCTAssertEqual(examples[1].label, 1, "a repeated snippet keeps its first label")

        let (task, splits) = try TaskCatalog.load("rt-sentiment", dataFile: url, seed: 0)
        XCTAssertEqual(task.candidates, [" terrible", " great"])
        XCTAssertEqual(try task.prompt(for: examples[0]), "A three-hour cinema master class. It was")
        XCTAssertEqual([splits.train.count, splits.dev.count, splits.test.count], [4, 2, 4])
    }

    func testBoolQLike() throws {
        let (task, examples) = try bigBench("boolq-like", "strategyqa")
        XCTAssertEqual(examples.count, 10, "the sample's exact repeat is kept once")
        XCTAssertEqual(try task.prompt(for: examples[0]), "Is it common to see frost during some college commencements?\nAnswer:")
        XCTAssertEqual(task.candidates, [" Yes", " No"])
        XCTAssertEqual(examples[0].label, 0)
        XCTAssertEqual(examples.map(\.label).filter { $0 == 1 }.count, 5)
        XCTAssertEqual(examples[1].origin, "strategyqa.json example 2")
    }

    func testRTELike() throws {
        let (task, examples) = try bigBench("rte-like", "epistemic_reasoning")
        XCTAssertEqual(examples.count, 10)
        XCTAssertEqual(
            try task.prompt(for: examples[0]),
            "James understands that Charles thinks that three children hold a boy's arms down while another boy in a hat shoots a water gun at him.\n"
                + "Does this mean that \"Charles thinks that James understands that three children hold a boy's arms down while another boy in a hat shoots a water gun at him.\" is true? Yes or No?\n")
        XCTAssertEqual(task.candidates, ["Yes", "No"])
        XCTAssertEqual(examples[0].label, 1, "non-entailment → No")
        XCTAssertEqual(examples.filter { $0.label == 0 }.count, 5)
    }

    func testCBLike() throws {
        let (task, examples) = try bigBench("cb-like", "presuppositions_as_nli")
        XCTAssertEqual(examples.count, 9)
        XCTAssertEqual(
            examples[0].fields,
            ["premise": "The cops had him in their headlights. He ran hard and fast, fiercely pumping his legs, his arms, but they gained on him quickly, swerving in front of him to block his way. Winded, aching, he didn't fall on his knees in the street.",
             "hypothesis": "He was standing earlier."])
        XCTAssertTrue(try task.prompt(for: examples[0]).hasPrefix("Suppose The cops had him"))
        XCTAssertTrue(try task.prompt(for: examples[0]).hasSuffix(" street. Can we infer that \"He was standing earlier.\"? Yes, No, or Maybe?\n"))
        XCTAssertEqual(task.candidates, ["Yes", "No", "Maybe"])
        XCTAssertEqual(examples[0].label, 0)
        XCTAssertEqual(Set(examples.map(\.label)), [0, 1, 2])
        XCTAssertEqual(examples.filter { $0.label == 1 }.count, 3)
    }

    func testWSCLike() throws {
        let (task, examples) = try bigBench("wsc-like", "winowhy")
        XCTAssertEqual(examples.count, 10)
        XCTAssertEqual(
            try task.prompt(for: examples[0]),
            "The city councilmen refused the demonstrators a permit because they feared violence. The 'they' refers to the city councilmen because city councilmen are administrative so they are more likely to fear.\nIs this reasoning correct? Yes or No?\n")
        XCTAssertEqual(task.candidates, ["No", "Yes"])
        XCTAssertEqual(examples[0].label, 1, "correct → Yes")
    }

    func testCOPALikeHasPerExampleCandidatesInFileOrder() throws {
        let (task, examples) = try bigBench("copa-like", "social_iqa")
        XCTAssertEqual(examples.count, 10)
        XCTAssertEqual(task.candidates, [])
        XCTAssertEqual(
            try task.prompt(for: examples[0]),
            "Tracy didn't go home that evening and resisted Riley's attacks. What does Tracy need to do before this?\nAnswer:")
        XCTAssertEqual(try task.candidates(for: examples[0]), [" Make a new plan", " Go home and see Riley", " Find somewhere to go"])
        XCTAssertEqual(examples[0].label, 2)
        XCTAssertEqual(try examples.map { try task.candidates(for: $0).count }, [3, 3, 3, 3, 3, 3, 3, 3, 3, 2])
        XCTAssertNoThrow(try task.validate(examples))
        let (_, splits) = try TaskCatalog.load("copa-like", dataFile: TaskFixtures.url("bigbench/social_iqa.json"), seed: 0)
        XCTAssertTrue((splits.train + splits.dev + splits.test).allSatisfy { $0.candidates != nil })
    }

    func testSST5Like() throws {
        let (task, examples) = try bigBench("sst5-like", "multiemo_all_text_en")
        XCTAssertEqual(examples.count, 8)
        XCTAssertEqual(task.candidates, [" terrible", " mixed", " okay", " great"])
        XCTAssertEqual(examples[0].label, 3, "positive → great")
        XCTAssertTrue(try task.prompt(for: examples[0]).hasSuffix(" for couples but also for families. It was"))
        XCTAssertEqual((0..<4).map { l in examples.filter { $0.label == l }.count }, [2, 2, 2, 2])
    }

    func testSplitsOfASample() throws {
        let url = TaskFixtures.url("bigbench/winowhy.json")
        let (_, a) = try TaskCatalog.load("wsc-like", dataFile: url, seed: 0)
        let (_, b) = try TaskCatalog.load("wsc-like", dataFile: url, seed: 0)
        let (_, c) = try TaskCatalog.load("wsc-like", dataFile: url, seed: 1)
        XCTAssertEqual([a.train.count, a.dev.count, a.test.count], [4, 2, 4])
        XCTAssertEqual(a.test, b.test)
        XCTAssertEqual(a.train, b.train)
        XCTAssertNotEqual(a.test + a.train + a.dev, c.test + c.train + c.dev)
    }

    func testMalformedBigBenchFiles() throws {
        let folder = try ScratchFolder()
        let wrongShape = try folder.write(
            "task.json", #"{"examples": [{"input": "Premise: a. Hypothesis: b.", "target_scores": {"entailment": 1, "non-entailment": 0}}, {"input": "no markers", "target_scores": {"entailment": 0, "non-entailment": 1}}]}"#)
        XCTAssertTaskError(
            try TaskCatalog.examples("rte-like", dataFile: wrongShape),
            .invalidExample(place: "epistemic_reasoning/task.json example 2", reason: "its input is not of the form \"Premise:… Hypothesis:…\""))
        let wrongChoices = try folder.write(
            "x.json", #"{"examples": [{"input": "Q?", "target_scores": {"yes": 1, "no": 0}}]}"#)
        guard case .invalidExample("x.json example 1", _)? = taskError(try TaskCatalog.examples("boolq-like", dataFile: wrongChoices)) else {
            return XCTFail("expected invalidExample")
        }
        let tie = try folder.write("tie.json", #"{"examples": [{"input": "Q?", "target_scores": {"Yes": 1, "No": 1}}]}"#)
        XCTAssertTaskError(
            try TaskCatalog.examples("boolq-like", dataFile: tie),
            .invalidExample(place: "tie.json example 1", reason: "its target_scores have no single best choice"))
        let broken = try folder.write("broken.json", "{\"examples\": [\n  {\"input\": \"Q?\",\n}")
        XCTAssertTaskError(
            try TaskCatalog.examples("boolq-like", dataFile: broken),
            .malformedJSON(file: "broken.json", line: 3, reason: "expected a quoted key at column 1"))
        XCTAssertTaskError(
            try TaskCatalog.examples("boolq-like", dataFile: folder.url.appendingPathComponent("none.json")),
            .missingFile(path: folder.url.appendingPathComponent("none.json").path, referencedBy: nil))
    }
}
