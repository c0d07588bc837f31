import XCTest
import ZOModels
import ZOTasks
import ZOTraining

/// Prompts start with the model's `promptPrefix` (OPT's BOS `</s>`, as MeZO encodes them), and a
/// truncated prompt keeps it while dropping its oldest text.
final class ExampleEncoderTests: XCTestCase {
    func testOPTPromptsStartWithBOSEvenWhenTruncated() throws {
        let loaded = try LoadedModel.open(path: TrainerHarness.fixtures.appendingPathComponent("tiny-opt").path)
        let tokenizer = try loaded.tokenizer()
        XCTAssertEqual(loaded.model.promptPrefix, [2])
        let task = ClassificationTask(name: "t", template: try PromptTemplate("{q}"), candidates: [" great", " bad"], summary: "")
        let text = "The movie was long, slow and, in the end, rather moving. It was"
        let example = Example(fields: ["q": text], label: 0)

        let full = try ExampleEncoder(tokenizer: tokenizer, task: task, maxTokens: 256, promptPrefix: loaded.model.promptPrefix)
            .encode(example)
        XCTAssertEqual(full.prompt, tokenizer.encode(text), "what transformers' OPT tokenizer gives")

        let body = tokenizer.encode(text, addSpecialTokens: false)
        let longestCandidate = full.candidates.map(\.count).max()!
        let truncated = try ExampleEncoder(tokenizer: tokenizer, task: task, maxTokens: 8, promptPrefix: [2]).encode(example)
        XCTAssertEqual(truncated.prompt, [2] + body.suffix(8 - longestCandidate - 1))

        let plain = try ExampleEncoder(tokenizer: tokenizer, task: task, maxTokens: 8).encode(example)
        XCTAssertEqual(plain.prompt, Array(body.suffix(8 - longestCandidate)), "no prefix unless the model asks for one")
    }
}
