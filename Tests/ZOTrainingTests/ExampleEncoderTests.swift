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

        // Byte-level BPE: a candidate after the prompt is what it is alone.
        XCTAssertEqual(full.candidates, [" great", " bad"].map { tokenizer.encode($0, addSpecialTokens: false) })
        XCTAssertEqual(try ExampleEncoder(for: loaded, task: task, maxTokens: 256).encode(example).prompt, full.prompt)
    }

    /// A LLaMA-2-style SentencePiece tokenizer: the prompt gets the BOS its post-processor adds (the
    /// family declares none), and a candidate is tokenized as it follows the prompt ("▁was"), not as
    /// a text of its own ("▁" + "▁was").
    func testSentencePiecePromptsGetBOSAndCandidatesInContext() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-spm-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        for (name, source) in [("config.json", "tiny-llama/config.json"), ("model.safetensors", "tiny-llama/model.safetensors"),
                               ("tokenizer.json", "tokenizer/tiny-spm/tokenizer.json")] {
            try FileManager.default.createSymbolicLink(
                at: folder.appendingPathComponent(name), withDestinationURL: TrainerHarness.fixtures.appendingPathComponent(source))
        }
        let loaded = try LoadedModel.open(path: folder.path)
        let tokenizer = try loaded.tokenizer()
        XCTAssertEqual(loaded.model.promptPrefix, [])
        XCTAssertEqual(tokenizer.leadingSpecialTokens, [1])
        let task = ClassificationTask(name: "t", template: try PromptTemplate("{q}"), candidates: [" was", " the"], summary: "")
        let text = "It"
        let encoded = try ExampleEncoder(for: loaded, task: task, maxTokens: 64).encode(Example(fields: ["q": text], label: 0))
        XCTAssertEqual(encoded.prompt, tokenizer.encode(text), "HF's ids: BOS + the text")
        XCTAssertEqual(encoded.prompt.first, 1)
        for (candidate, tokens) in zip([" was", " the"], encoded.candidates) {
            let joint = tokenizer.encode(text + candidate, addSpecialTokens: false)
            XCTAssertEqual(tokens, Array(joint.dropFirst(encoded.prompt.count - 1)), candidate)
            XCTAssertNotEqual(tokens, tokenizer.encode(candidate, addSpecialTokens: false), "alone it starts with an extra ▁")
        }
    }
}
