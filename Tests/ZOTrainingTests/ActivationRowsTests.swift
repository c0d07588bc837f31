import XCTest
import ZOEstimators
import ZOModels
import ZOTensor

/// The low-rank cost model's activation rows, computed in ZOEstimators from the tags each family
/// declares (`ParameterEntry.activationUse`), on every tiny family fixture.
final class ActivationRowsTests: XCTestCase {
    static let fixtures = [
        "tiny-llama", "tiny-llama-untied", "tiny-llama3-rope", "tiny-qwen2", "tiny-qwen2-untied", "tiny-opt",
        "tiny-opt-bin", "tiny-opt-post-ln", "tiny-gpt2", "tiny-bert", "tiny-bert-mlm", "tiny-roberta-mlm",
        "formats/tiny-qwen2.gguf", "formats/tiny-llama3-rope.gguf", "formats/tiny-gpt2.gguf", "formats/tiny-bert.gguf",
    ]

    /// Equal, bit for bit, to what each family computed itself from tensor names before the tags.
    func testRowsFromTagsEqualTheFamiliesOwnRows() throws {
        for fixture in Self.fixtures {
            let model = try LoadedModel.open(path: TrainerHarness.fixtures.appendingPathComponent(fixture).path).model
            for (tokens, scoredRows) in [(420.0, 16.0), (37.5, 3.25)] {
                let parameters = TrainableSet(arena: model.weights)
                parameters.setForwardSize(tokens: tokens, scoredRows: scoredRows)
                XCTAssertEqual(parameters.activationRows, model.activationRows(tokens: tokens, scoredRows: scoredRows), fixture)
                XCTAssertEqual(parameters.activationRows.count, model.weights.entries.filter { $0.shape.count == 2 }.count)
            }
        }
    }
}
