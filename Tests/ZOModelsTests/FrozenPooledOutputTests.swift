import XCTest
import ZOModels
import ZOTensor

/// While only the classifier trains, the encoder keeps each sequence's pooled output: the logits must
/// be those of a full forward, follow every change of the classifier, and never outlive a run that
/// trains anything else.
final class FrozenPooledOutputTests: XCTestCase {
    private let sequences = [[2, 300, 301, 3], [2, 45, 3], [2, 300, 301, 3], [2, 7, 8, 9, 10, 3]]
    private var requests: [LogitRequest] { sequences.indices.map { LogitRequest(sequence: $0, position: 0) } }

    private func classifierModel() throws -> EncoderModel {
        try XCTUnwrap(LoadedModel.open(path: Fixtures.url("tiny-bert").path).model as? EncoderModel)
    }

    private func assertClose(_ a: [Float], _ b: [Float], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(a.count, b.count, file: file, line: line)
        XCTAssertLessThanOrEqual(zip(a, b).map { abs($0 - $1) }.max() ?? 0, 1e-5, file: file, line: line)
    }

    func testCachedLogitsFollowTheClassifierAndEqualAFullForward() throws {
        let model = try classifierModel()
        let head = model.weights.entries.filter { $0.role == .head }
        XCTAssertEqual(head.map(\.name), ["classifier.weight", "classifier.bias"])
        let full = try model.logits(sequences, at: requests)
        model.prepareForTraining(head)
        assertClose(try model.logits(sequences, at: requests), full)   // fills the cache
        assertClose(try model.logits(sequences, at: requests), full)   // served from it

        // A classifier change shows at once (it is not cached) ...
        let bias = model.weights.values(head[1])
        bias[0] += 0.5
        let shifted = try model.logits(sequences, at: requests)
        for index in sequences.indices { XCTAssertEqual(shifted[index * 2], full[index * 2] + 0.5, accuracy: 1e-5) }
        // ... while an encoder change does not: that is the contract (it is frozen).
        let embedding = model.weights.values(model.weights.entry(named: "embeddings.word_embeddings.weight")!)
        embedding[300 * model.configuration.hiddenSize] += 1
        XCTAssertEqual(try model.logits(sequences, at: requests), shifted)

        // After the run (prepareForTraining([])) every forward is a full one again.
        model.prepareForTraining([])
        XCTAssertNotEqual(try model.logits(sequences, at: requests), shifted)
    }

    func testAnyTrainableEncoderTensorTurnsTheCacheOff() throws {
        let model = try classifierModel()
        model.prepareForTraining(model.weights.entries)
        let before = try model.logits(sequences, at: requests)
        let embedding = model.weights.values(model.weights.entry(named: "embeddings.word_embeddings.weight")!)
        embedding[300 * model.configuration.hiddenSize] += 1
        XCTAssertNotEqual(try model.logits(sequences, at: requests), before)
    }
}
