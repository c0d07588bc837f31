import Foundation
import XCTest
import ZOModels
import ZOTasks
import ZOTokenizers
import ZOTraining

/// How examples are framed for encoder heads (`ExampleEncoder` with a masked-LM or classifier output
/// kind) and how the scorer reads them, on the tiny tokenizer and model fixtures.
final class EncoderPromptTests: XCTestCase {
    private func tokenizer(_ name: String) throws -> any TextTokenizer {
        try TokenizerLoader.load(tokenizerJSON: Data(contentsOf: TrainerHarness.fixtures
            .appendingPathComponent("tokenizer/\(name)/tokenizer.json")))
    }

    private func task(candidates: [String]) throws -> ClassificationTask {
        ClassificationTask(name: "toy", template: try PromptTemplate("{sentence} It was"), candidates: candidates,
                           summary: "", textAfterAnswer: ".")
    }

    private let example = Example(fields: ["sentence": "the zero token"], label: 1, origin: "test")

    /// MeZO's RoBERTa template: `<s>` prompt `<mask>` "." `</s>`, the same ids the tokenizer gives
    /// for the text with the mask written in it; candidates are single tokens read at the mask.
    func testMaskedLanguageModelPromptPutsTheMaskWhereTheAnswerGoes() throws {
        let tokenizer = try tokenizer("tiny-roberta")
        let encoder = ExampleEncoder(tokenizer: tokenizer, task: try task(candidates: [" token", " zero"]), maxTokens: 64,
                                     outputKind: .maskedLanguageModel(maskTokenID: 4))
        let encoded = try encoder.encode(example)
        XCTAssertEqual(encoded.prompt, tokenizer.encode("the zero token It was<mask>."))
        XCTAssertEqual(encoded.prompt.first, 0)
        XCTAssertEqual(encoded.prompt.last, 2)
        XCTAssertEqual(encoded.prompt[encoded.answerPosition], 4)
        XCTAssertEqual(encoded.candidates, [[tokenizer.id(forToken: "Ġtoken")!], [tokenizer.id(forToken: "Ġzero")!]])
        XCTAssertEqual(encoded.label, 1)
    }

    func testMaskedLanguageModelRefusesMultiTokenCandidates() throws {
        let encoder = ExampleEncoder(tokenizer: try tokenizer("tiny-roberta"), task: try task(candidates: [" token", " great"]),
                                     maxTokens: 64, outputKind: .maskedLanguageModel(maskTokenID: 4))
        XCTAssertThrowsError(try encoder.encode(example)) {
            guard case let .multiTokenCandidate(task, candidate, tokens) = $0 as? TrainingError else { return XCTFail("\($0)") }
            XCTAssertEqual(task, "toy")
            XCTAssertEqual(candidate, " great")
            XCTAssertGreaterThan(tokens, 1)
        }
    }

    /// `[CLS] prompt [SEP]` (the tokenizer's own BERT framing); candidate i is class i, read anywhere.
    func testClassifierPromptIsFramedAndCandidatesBecomeClasses() throws {
        let tokenizer = try tokenizer("tiny-wordpiece")
        let encoder = ExampleEncoder(tokenizer: tokenizer, task: try task(candidates: [" bad", " so-so", " good"]),
                                     maxTokens: 64, outputKind: .sequenceClassifier)
        let encoded = try encoder.encode(example)
        XCTAssertEqual(encoded.prompt, tokenizer.encode("the zero token It was"))
        XCTAssertEqual(encoded.prompt.first, 2)
        XCTAssertEqual(encoded.candidates, [[0], [1], [2]])
        XCTAssertEqual(encoded.answerPosition, 0)

        let ownCandidates = Example(fields: ["sentence": "x"], label: 0, candidates: [" a", " b"], origin: "test")
        XCTAssertThrowsError(try encoder.encode(ownCandidates)) {
            XCTAssertEqual($0 as? TrainingError, .classifierNeedsFixedCandidates(task: "toy"))
        }
    }

    func testLongPromptsKeepTheirEndInsideTheFrame() throws {
        let tokenizer = try tokenizer("tiny-wordpiece")
        let full = try ExampleEncoder(tokenizer: tokenizer, task: task(candidates: ["hello", "token"]), maxTokens: 64,
                                      outputKind: .maskedLanguageModel(maskTokenID: 4)).encode(example)
        let cut = try ExampleEncoder(tokenizer: tokenizer, task: task(candidates: ["hello", "token"]), maxTokens: 6,
                                     outputKind: .maskedLanguageModel(maskTokenID: 4)).encode(example)
        XCTAssertEqual(cut.prompt.count, 6)
        XCTAssertEqual(cut.prompt.first, 2)
        XCTAssertEqual(Array(cut.prompt.dropFirst()), Array(full.prompt.suffix(5)))
        XCTAssertEqual(cut.prompt[cut.answerPosition], 4)
    }

    /// Masked LM: log p(candidate token) at the mask row, from the model's logits directly.
    func testMaskedLanguageModelScoresAreLogProbabilitiesAtTheMask() throws {
        let model = try LoadedModel.open(path: TrainerHarness.fixtures.appendingPathComponent("tiny-bert-mlm").path).model
        let examples = [
            EncodedExample(prompt: [2, 300, 301, 4, 328, 3], candidates: [[40], [41]], label: 0, answerPosition: 3),
            EncodedExample(prompt: [2, 4, 3], candidates: [[7], [8], [9]], label: 2, answerPosition: 1),
        ]
        let scores = try CandidateScorer(model: model).scores(examples)
        for (example, row) in zip(examples, scores) {
            let logits = try model.logits([example.prompt], at: [LogitRequest(sequence: 0, position: example.answerPosition)])
            for (candidate, score) in zip(example.candidates, row) {
                XCTAssertEqual(score, logits[candidate[0]] - Self.logSumExp(logits), accuracy: 1e-4)
            }
        }
    }

    /// Classifier: the log-softmax of the sequence's class logits.
    func testClassifierScoresAreClassLogProbabilities() throws {
        let model = try LoadedModel.open(path: TrainerHarness.fixtures.appendingPathComponent("tiny-bert").path,
                                         options: ModelLoadOptions(classifierLabels: 3)).model
        let example = EncodedExample(prompt: [2, 300, 301, 3], candidates: [[0], [1], [2]], label: 1, answerPosition: 0)
        let scores = try CandidateScorer(model: model).scores([example])[0]
        let logits = try model.logits([example.prompt], at: [LogitRequest(sequence: 0, position: 0)])
        XCTAssertEqual(logits.count, 3)
        for label in 0..<3 { XCTAssertEqual(scores[label], logits[label] - Self.logSumExp(logits), accuracy: 1e-5) }
    }

    private static func logSumExp(_ x: [Float]) -> Float {
        let m = x.max()!
        return m + Float(log(x.reduce(0.0) { $0 + exp(Double($1 - m)) }))
    }
}
