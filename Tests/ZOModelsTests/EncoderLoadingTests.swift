import Foundation
import XCTest
import ZOModels

/// How an encoder checkpoint becomes a model: which head it gets, and what it refuses.
final class EncoderLoadingTests: XCTestCase {
    private func open(_ folder: URL, options: ModelLoadOptions = .init()) throws -> EncoderModel {
        try XCTUnwrap(LoadedModel.open(path: folder.path, options: options).model as? EncoderModel)
    }

    /// Every arena tensor of `model`, as `FixtureCopy.editWeights` holds them.
    private func tensors(of model: EncoderModel) -> [FixtureCopy.Tensor] {
        model.weights.entries.map { .init(name: $0.name, shape: $0.shape, floats: Array(model.weights.values($0))) }
    }

    /// A classifier saved with the other weights (as a fine-tuned checkpoint holds it) is read back,
    /// and a task with another number of candidates is refused.
    func testStoredClassifierIsLoadedAndItsSizeChecked() throws {
        let trained = try open(Fixtures.url("tiny-bert"), options: ModelLoadOptions(classifierLabels: 3))
        let copy = try FixtureCopy("tiny-bert")
        try copy.editWeights { $0 = tensors(of: trained) }
        let reloaded = try open(copy.folder)
        XCTAssertEqual(reloaded.head, .classifier(labels: 3, pooling: .pooler))
        XCTAssertFalse(reloaded.classifierIsNew)
        XCTAssertEqual(tensors(of: reloaded).map(\.floats), tensors(of: trained).map(\.floats))
        XCTAssertThrowsError(try LoadedModel.open(path: copy.folder.path, options: ModelLoadOptions(classifierLabels: 2))) {
            XCTAssertEqual($0 as? ModelError, .invalidConfiguration(
                source: copy.folder.path, reason: "its classifier has 3 labels but the task has 2 candidates"))
        }
    }

    func testMaskedLanguageModelHeadWinsOverAClassifierRequest() throws {
        XCTAssertEqual(try open(Fixtures.url("tiny-bert-mlm"), options: ModelLoadOptions(classifierLabels: 3)).outputSize, 700)
    }

    /// `tie_word_embeddings: false`: the MLM decoder is its own tensor (here a copy of the word
    /// embeddings, so the logits must equal the tied model's).
    func testUntiedMaskedLanguageModelDecoder() throws {
        let tied = try open(Fixtures.url("tiny-bert-mlm"))
        let copy = try FixtureCopy("tiny-bert-mlm")
        try copy.setConfig(["tie_word_embeddings": false])
        try copy.editWeights { tensors in
            let embeddings = try XCTUnwrap(tensors.first { $0.name == "bert.embeddings.word_embeddings.weight" })
            tensors.append(.init(name: "cls.predictions.decoder.weight", shape: embeddings.shape, floats: embeddings.floats))
        }
        let untied = try open(copy.folder)
        XCTAssertFalse(untied.configuration.tieWordEmbeddings)
        XCTAssertNotNil(untied.weights.entry(named: "cls.predictions.decoder.weight"))
        let sequences = [[2, 300, 4, 3], [2, 4, 3]]
        let requests = [LogitRequest(sequence: 0, position: 2), LogitRequest(sequence: 1, position: 1)]
        XCTAssertEqual(try untied.logits(sequences, at: requests), try tied.logits(sequences, at: requests))
    }

    /// bert-base-uncased's files still name LayerNorm parameters `gamma` / `beta` (TensorFlow-era
    /// names transformers renames on load): such a folder gives the same model as the current names.
    func testLegacyLayerNormNamesAreRenamedAsTransformersDoes() throws {
        let current = try open(Fixtures.url("tiny-bert-mlm"))
        let copy = try FixtureCopy("tiny-bert-mlm")
        var renamed = 0
        try copy.editWeights { tensors in
            for index in tensors.indices where tensors[index].name.contains("LayerNorm.") {
                let name = tensors[index].name
                tensors[index].name = name.hasSuffix(".weight") ? String(name.dropLast(6)) + "gamma" : String(name.dropLast(4)) + "beta"
                renamed += 1
            }
        }
        XCTAssertGreaterThan(renamed, 4)
        let legacy = try open(copy.folder)
        XCTAssertEqual(tensors(of: legacy).map(\.name), tensors(of: current).map(\.name))
        XCTAssertEqual(tensors(of: legacy).map(\.floats), tensors(of: current).map(\.floats))
        // Both spellings of one tensor are a conflict, not a silent choice.
        try copy.editWeights { tensors in
            let gamma = try XCTUnwrap(tensors.first { $0.name.hasSuffix("embeddings.LayerNorm.gamma") })
            tensors.append(.init(name: String(gamma.name.dropLast(5)) + "weight", shape: gamma.shape, floats: gamma.floats))
        }
        XCTAssertThrowsError(try copy.load()) { XCTAssertTrue("\($0)".contains("LayerNorm.weight"), "\($0)") }
    }

    /// Tensors no head reads (RoBERTa's dense + out_proj classification head here) are refused, not ignored.
    func testUnknownTensorsAreErrors() throws {
        let copy = try FixtureCopy("tiny-bert")
        try copy.editWeights { $0.append(.init(name: "classifier.out_proj.weight", shape: [2, 48], floats: .init(repeating: 0, count: 96))) }
        XCTAssertThrowsError(try copy.load()) {
            XCTAssertEqual($0 as? ModelError, .unusedWeight(name: "classifier.out_proj.weight", source: copy.folder.path))
        }
    }

    func testUnsupportedConfigurationsAreErrors() throws {
        for (edit, reason) in [
            (["hidden_act": "silu"], "hidden_act silu is not supported"),
            (["num_attention_heads": 5], "the hidden size 48 is not a multiple of the head count 5"),
            (["is_decoder": true], "is_decoder = true is not supported"),
            (["position_embedding_type": "relative_key"], "position_embedding_type relative_key is not supported"),
        ] as [([String: Any], String)] {
            let copy = try FixtureCopy("tiny-bert")
            try copy.setConfig(edit)
            XCTAssertThrowsError(try copy.load()) {
                XCTAssertEqual($0 as? ModelError, .invalidConfiguration(source: copy.configURL.path, reason: reason))
            }
        }
    }
}
