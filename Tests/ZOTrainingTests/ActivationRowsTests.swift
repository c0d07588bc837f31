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

    /// At 420 tokens and 16 scored rows, as each family computed them from its tensor names before the
    /// tags (`LanguageModel.activationRows`, since removed; the two were compared bit for bit on
    /// these fixtures): the number of weights that multiply every token (420 rows each), and the rows
    /// of every other 2-D weight — lookups count tokens·n/(m+n), plus the scored rows when tied.
    static let rowsBeforeTags: [String: (everyToken: Int, others: [String: Double])] = [
        "tiny-llama": (14, ["model.embed_tokens.weight": 62.666666666666664]),
        "tiny-llama-untied": (14, ["model.embed_tokens.weight": 46.666666666666664, "lm_head.weight": 16.0]),
        "tiny-llama3-rope": (14, ["model.embed_tokens.weight": 46.666666666666664, "lm_head.weight": 16.0]),
        "tiny-qwen2": (14, ["model.embed_tokens.weight": 61.4054054054054]),
        "tiny-qwen2-untied": (14, ["model.embed_tokens.weight": 45.4054054054054, "lm_head.weight": 16.0]),
        "tiny-opt": (12, ["model.decoder.embed_tokens.weight": 62.666666666666664,
                          "model.decoder.embed_positions.weight": 138.55670103092783]),
        "tiny-opt-bin": (12, ["model.decoder.embed_tokens.weight": 62.666666666666664,
                              "model.decoder.embed_positions.weight": 138.55670103092783]),
        "tiny-opt-post-ln": (13, ["model.decoder.embed_tokens.weight": 40.705882352941174,
                                  "model.decoder.embed_positions.weight": 138.55670103092783,
                                  "model.decoder.project_out.weight": 16.0]),
        "tiny-gpt2": (8, ["transformer.wte.weight": 52.78832116788321, "transformer.wpe.weight": 114.54545454545455]),
        "tiny-bert": (12, ["embeddings.word_embeddings.weight": 26.951871657754012,
                           "embeddings.position_embeddings.weight": 229.0909090909091,
                           "embeddings.token_type_embeddings.weight": 403.2, "pooler.dense.weight": 16.0,
                           "classifier.weight": 16.0]),
        "tiny-bert-mlm": (12, ["bert.embeddings.word_embeddings.weight": 42.95187165775401,
                               "bert.embeddings.position_embeddings.weight": 229.0909090909091,
                               "bert.embeddings.token_type_embeddings.weight": 403.2,
                               "cls.predictions.transform.dense.weight": 16.0]),
        "tiny-roberta-mlm": (12, ["roberta.embeddings.word_embeddings.weight": 52.78832116788321,
                                  "roberta.embeddings.position_embeddings.weight": 224.0,
                                  "roberta.embeddings.token_type_embeddings.weight": 411.42857142857144,
                                  "lm_head.dense.weight": 16.0]),
        "formats/tiny-qwen2.gguf": (14, ["model.embed_tokens.weight": 61.4054054054054]),
        "formats/tiny-llama3-rope.gguf": (14, ["model.embed_tokens.weight": 46.666666666666664, "lm_head.weight": 16.0]),
        "formats/tiny-gpt2.gguf": (8, ["transformer.wte.weight": 52.78832116788321, "transformer.wpe.weight": 114.54545454545455]),
        "formats/tiny-bert.gguf": (12, ["embeddings.word_embeddings.weight": 26.951871657754012,
                                        "embeddings.position_embeddings.weight": 229.0909090909091,
                                        "embeddings.token_type_embeddings.weight": 403.2, "classifier.weight": 16.0]),
    ]

    func testRowsFromTagsEqualTheFamiliesEarlierRows() throws {
        XCTAssertEqual(Set(Self.rowsBeforeTags.keys), Set(Self.fixtures))
        for fixture in Self.fixtures {
            let model = try LoadedModel.open(path: TrainerHarness.fixtures.appendingPathComponent(fixture).path).model
            let parameters = TrainableSet(arena: model.weights)
            parameters.setForwardSize(tokens: 420, scoredRows: 16)
            let expected = try XCTUnwrap(Self.rowsBeforeTags[fixture])
            var everyToken = 0
            var others: [String: Double] = [:]
            for (index, entry) in model.weights.entries.enumerated() {
                let rows = parameters.activationRows[index]
                XCTAssertEqual(rows != nil, entry.shape.count == 2, "\(fixture): \(entry.name)")
                if rows == 420 { everyToken += 1 } else if let rows { others[entry.name] = rows }
            }
            XCTAssertEqual(everyToken, expected.everyToken, fixture)
            XCTAssertEqual(others, expected.others, fixture)
        }
    }

    /// The rows scale with the forward: half the tokens and scored rows, half the rows of every weight.
    func testRowsFollowTheForwardSize() throws {
        let model = try LoadedModel.open(path: TrainerHarness.fixtures.appendingPathComponent("tiny-llama").path).model
        let full = TrainableSet(arena: model.weights), half = TrainableSet(arena: model.weights)
        full.setForwardSize(tokens: 420, scoredRows: 16)
        half.setForwardSize(tokens: 210, scoredRows: 8)
        XCTAssertEqual(half.activationRows.mapValues { $0 * 2 }, full.activationRows)
    }
}
