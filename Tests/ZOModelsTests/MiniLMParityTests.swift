import Foundation
import XCTest
import ZOModels
import ZOTokenizers

/// The real all-MiniLM-L6-v2 (fetched through the asset store like the app does; CI fetches it too)
/// against transformers' `BertModel` on 8 sentences (scripts/reference/make_tiny_encoders.py): last
/// hidden states, all sentences batched and each alone, and the classifier's input, which is the
/// mean of those states as the folder's sentence-transformers Pooling module (1_Pooling/) says.
final class MiniLMParityTests: XCTestCase {
    func testLastHiddenStatesAndPooledOutputMatchTransformers() throws {
        let loaded = try ModelReference.load(ModelCatalog.miniLM)
        let model = try XCTUnwrap(loaded.model as? EncoderModel)
        XCTAssertEqual(model.family, "bert")
        XCTAssertEqual(model.outputKind, .sequenceClassifier)
        XCTAssertEqual(model.head, .classifier(labels: 2, pooling: .mean))
        XCTAssertEqual(model.poolingSource, "1_Pooling/config.json")
        let golden = try GoldenFile("minilm-golden.safetensors")
        let sentences = try JSONDecoder().decode([String].self, from: Data(try XCTUnwrap(golden.file.metadata["sentences"]).utf8))
        let sequences = try golden.sequences()
        let tokenizer = try loaded.tokenizer()
        XCTAssertEqual(sentences.map { tokenizer.encode($0) }, sequences, "the Swift tokenizer gives transformers' ids")

        let hidden = try golden.floats("last_hidden_state")
        let batchedHidden = try model.lastHiddenStates(sequences)
        XCTAssertEqual(batchedHidden.count, hidden.count)
        XCTAssertLessThan(maxAbsDifference(batchedHidden[...], hidden[...]), 1e-4)

        let width = 384
        // sentence-transformers' mean pooling of transformers' hidden states, in double precision.
        var means: [Float] = []
        var start = 0
        for sequence in sequences {
            for i in 0..<width {
                let sum = (start..<(start + sequence.count)).reduce(0.0) { $0 + Double(hidden[$1 * width + i]) }
                means.append(Float(sum / Double(sequence.count)))
            }
            start += sequence.count
        }
        XCTAssertLessThan(maxAbsDifference(try model.pooledOutput(sequences)[...], means[...]), 1e-4)

        var row = 0
        var worst: Float = 0
        for (s, sequence) in sequences.enumerated() {
            let single = try model.lastHiddenStates([sequence])
            worst = max(worst, maxAbsDifference(single[...], hidden[(row * width)..<((row + sequence.count) * width)]))
            // The [CLS] embedding, what a classifier without a pooler reads.
            XCTAssertLessThan(maxAbsDifference(single[0..<width], hidden[(row * width)..<((row + 1) * width)]), 1e-4, "\(s)")
            row += sequence.count
        }
        XCTAssertLessThan(worst, 1e-4)
        print("MiniLM: max |Δ| last hidden state \(maxAbsDifference(batchedHidden[...], hidden[...])), single \(worst)")
    }
}
