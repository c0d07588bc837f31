import XCTest
import ZOModels

/// Forward parity with transformers on tiny random BERT / RoBERTa checkpoints (HF folders written by
/// scripts/reference/make_tiny_encoders.py): masked-LM logits at chosen positions, and for the
/// headless BERT the last hidden states and the pooler output, each sequence alone and all batched.
final class TinyEncoderParityTests: XCTestCase {
    private let golden = Result { try GoldenFile("tiny-encoders-golden.safetensors") }

    private func open(_ folder: String, options: ModelLoadOptions = .init()) throws -> EncoderModel {
        try XCTUnwrap(LoadedModel.open(path: Fixtures.url(folder).path, options: options).model as? EncoderModel)
    }

    /// Logits at `<key>_positions` of every sequence, alone and batched, against `<key>_mlm_logits`.
    private func assertMaskedLanguageModelParity(folder: String, key: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let golden = try self.golden.get()
        let model = try open(folder)
        let sequences = try golden.sequences(ids: "\(key)_input_ids", lengths: "\(key)_lengths")
        let positions = try golden.integers("\(key)_positions")
        let reference = try golden.floats("\(key)_mlm_logits")
        let vocabulary = model.outputSize
        let requests = sequences.indices.flatMap { s in (0..<2).map { LogitRequest(sequence: s, position: positions[2 * s + $0]) } }
        let batched = try model.logits(sequences, at: requests)
        XCTAssertEqual(batched.count, reference.count, file: file, line: line)
        XCTAssertLessThan(maxAbsDifference(batched[...], reference[...]), 1e-4, "\(folder) batched", file: file, line: line)
        print("\(folder): max |Δlogit| batched \(maxAbsDifference(batched[...], reference[...]))")
        for (s, sequence) in sequences.enumerated() {
            let single = try model.logits([sequence], at: (0..<2).map { LogitRequest(sequence: 0, position: positions[2 * s + $0]) })
            let rows = (2 * s * vocabulary)..<((2 * s + 2) * vocabulary)
            XCTAssertLessThan(maxAbsDifference(single[...], reference[rows]), 1e-4, "\(folder) sequence \(s)", file: file, line: line)
        }
    }

    func testBertMaskedLanguageModelLogits() throws {
        let model = try open("tiny-bert-mlm")
        XCTAssertEqual(model.prefix, "bert.")
        XCTAssertEqual(model.outputKind, .maskedLanguageModel(maskTokenID: 4))
        XCTAssertEqual(model.outputSize, 700)
        try assertMaskedLanguageModelParity(folder: "tiny-bert-mlm", key: "bert")
    }

    func testRobertaMaskedLanguageModelLogits() throws {
        let model = try open("tiny-roberta-mlm")
        XCTAssertEqual(model.prefix, "roberta.")
        XCTAssertEqual(model.configuration.positionPaddingID, 1)
        XCTAssertEqual(model.maxPositions, 40, "42 position rows, numbered from padding_idx + 1 = 2")
        XCTAssertEqual(model.outputKind, .maskedLanguageModel(maskTokenID: 4))
        try assertMaskedLanguageModelParity(folder: "tiny-roberta-mlm", key: "roberta")
    }

    func testHeadlessBertHiddenStatesAndPoolerOutput() throws {
        let golden = try self.golden.get()
        let model = try open("tiny-bert")
        XCTAssertEqual(model.prefix, "")
        XCTAssertEqual(model.head, .classifier(labels: 2, pooling: .pooler))
        let sequences = try golden.sequences(ids: "bert_input_ids", lengths: "bert_lengths")
        let hidden = try golden.floats("bert_hidden"), pooled = try golden.floats("bert_pooled")
        XCTAssertLessThan(maxAbsDifference(try model.lastHiddenStates(sequences)[...], hidden[...]), 1e-4)
        XCTAssertLessThan(maxAbsDifference(try model.pooledOutput(sequences)[...], pooled[...]), 1e-4)
        print("tiny-bert: max |Δ| hidden \(maxAbsDifference(try model.lastHiddenStates(sequences)[...], hidden[...])), "
              + "pooled \(maxAbsDifference(try model.pooledOutput(sequences)[...], pooled[...]))")
        let width = model.configuration.hiddenSize
        var row = 0
        for (s, sequence) in sequences.enumerated() {
            let rows = (row * width)..<((row + sequence.count) * width)
            XCTAssertLessThan(maxAbsDifference(try model.lastHiddenStates([sequence])[...], hidden[rows]), 1e-4, "sequence \(s)")
            XCTAssertLessThan(
                maxAbsDifference(try model.pooledOutput([sequence])[...], pooled[(s * width)..<((s + 1) * width)]), 1e-4)
            row += sequence.count
        }
    }

    /// Class logits = classifier.weight · pooled + classifier.bias, for every request of a sequence.
    func testClassifierLogitsComeFromThePooledOutput() throws {
        let model = try open("tiny-bert", options: ModelLoadOptions(classifierLabels: 3))
        XCTAssertEqual(model.outputKind, .sequenceClassifier)
        XCTAssertEqual(model.outputSize, 3)
        XCTAssertTrue(model.classifierIsNew)
        let sequences = [[2, 100, 200, 3], [2, 50, 3]]
        let pooled = try model.pooledOutput(sequences)
        let weight = Array(model.weights.values(try XCTUnwrap(model.weights.entry(named: "classifier.weight"))))
        XCTAssertEqual(Array(model.weights.values(try XCTUnwrap(model.weights.entry(named: "classifier.bias")))), [0, 0, 0])
        let width = model.configuration.hiddenSize
        let logits = try model.logits(sequences, at: [LogitRequest(sequence: 1, position: 2), LogitRequest(sequence: 0, position: 0)])
        for (row, sequence) in [1, 0].enumerated() {
            for label in 0..<3 {
                let expected = (0..<width).reduce(Float(0)) { $0 + weight[label * width + $1] * pooled[sequence * width + $1] }
                XCTAssertEqual(logits[row * 3 + label], expected, accuracy: 1e-5)
            }
        }
    }

    /// The new head is N(0, 0.02²)-like (initializer_range from config.json is 0.2 here) and the same on
    /// every load, so a run that froze it can be evaluated from a checkpoint without it.
    func testNewClassifierIsSeededAndDeterministic() throws {
        let a = try open("tiny-bert"), b = try open("tiny-bert")
        let entry = try XCTUnwrap(a.weights.entry(named: "classifier.weight"))
        let values = Array(a.weights.values(entry))
        XCTAssertEqual(values, Array(b.weights.values(entry)))
        let std = (values.reduce(0) { $0 + $1 * $1 } / Float(values.count)).squareRoot()
        XCTAssertEqual(std, 0.2, accuracy: 0.04)
    }
}
