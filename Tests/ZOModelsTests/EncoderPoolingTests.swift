import Foundation
import XCTest
import ZOModels

/// The classifier of a Hugging Face encoder folder pools as the folder says: a sentence-transformers
/// Pooling module (modules.json, or 1_Pooling/ alone) first, else the pooler when the weights have
/// one, else [CLS]. Reference: sentence-transformers-style mean pooling of transformers' BertModel
/// outputs (tiny-gguf-golden, scripts/reference/make_tiny_gguf.py).
final class EncoderPoolingTests: XCTestCase {
    private let meanModules: Any = [
        ["idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"],
        ["idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"],
    ]

    private func poolingConfig(_ modes: [String]) -> Any {
        let all = ["cls_token", "mean_tokens", "max_tokens", "mean_sqrt_len_tokens", "weightedmean_tokens", "lasttoken"]
        var config: [String: Any] = ["word_embedding_dimension": 48, "include_prompt": true]
        for mode in all { config["pooling_mode_\(mode)"] = modes.contains(mode) }
        return config
    }

    /// tiny-bert with the given files (relative path → JSON value) added.
    private func folder(_ files: [String: Any]) throws -> FixtureCopy {
        let copy = try FixtureCopy("tiny-bert")
        for (relative, value) in files {
            let url = copy.folder.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try JSONSerialization.data(withJSONObject: value).write(to: url)
        }
        return copy
    }

    private func open(_ copy: FixtureCopy) throws -> EncoderModel {
        try XCTUnwrap(LoadedModel.open(path: copy.folder.path).model as? EncoderModel)
    }

    func testSentenceTransformersMeanPoolingMatchesTheReference() throws {
        let copy = try folder(["modules.json": meanModules, "1_Pooling/config.json": poolingConfig(["mean_tokens"])])
        let model = try open(copy)
        XCTAssertEqual(model.head, .classifier(labels: 2, pooling: .mean))
        XCTAssertEqual(model.poolingSource, "1_Pooling/config.json")
        XCTAssertNil(model.weights.entry(named: "pooler.dense.weight"), "the stored pooler is not read")
        XCTAssertTrue(model.architectureSummary.contains {
            $0.value.contains("over the mean of the token hidden states (pooling from 1_Pooling/config.json)")
        })
        let golden = try GoldenFile("tiny-gguf-golden.safetensors")
        let sequences = try golden.sequences(ids: "bert.input_ids", lengths: "bert.lengths")
        let pooled = try model.pooledOutput(sequences)
        XCTAssertLessThan(maxAbsDifference(pooled[...], try golden.floats("bert.mean_pooled")[...]), 1e-5)
        let gguf = try XCTUnwrap(LoadedModel.open(path: Fixtures.url("formats/tiny-bert.gguf").path).model as? EncoderModel)
        XCTAssertEqual(try gguf.pooledOutput(sequences), pooled, "the same model as a GGUF file pools the same")
    }

    func testClsPoolingFromAPoolingFolderWithoutModulesJSON() throws {
        let model = try open(try folder(["1_Pooling/config.json": poolingConfig(["cls_token"])]))
        XCTAssertEqual(model.head, .classifier(labels: 2, pooling: .cls))
        let sequences = [[2, 100, 200, 3], [2, 50, 3]]
        let hidden = try model.lastHiddenStates(sequences)
        XCTAssertEqual(try model.pooledOutput(sequences), Array(hidden[0..<48]) + Array(hidden[(4 * 48)..<(5 * 48)]))
    }

    func testWithoutAPoolingModuleThePoolerIsUsed() throws {
        let model = try open(try folder(["modules.json": [["idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"]]]))
        XCTAssertEqual(model.head, .classifier(labels: 2, pooling: .pooler))
        XCTAssertNil(model.poolingSource)
    }

    func testUnsupportedPoolingModesAreErrors() throws {
        for (modes, named) in [
            (["max_tokens"], "pooling_mode_max_tokens"), (["cls_token", "mean_tokens"], "pooling_mode_cls_token + pooling_mode_mean_tokens"),
            ([], "no pooling mode"),
        ] {
            let copy = try folder(["modules.json": meanModules, "1_Pooling/config.json": poolingConfig(modes)])
            XCTAssertThrowsError(try copy.load()) {
                XCTAssertEqual($0 as? ModelError, .invalidConfiguration(
                    source: copy.folder.appendingPathComponent("1_Pooling/config.json").path,
                    reason: "\(named) is not supported (only pooling_mode_mean_tokens or pooling_mode_cls_token alone)"))
            }
        }
        let missing = try folder(["modules.json": meanModules])
        XCTAssertThrowsError(try missing.load()) {
            XCTAssertEqual($0 as? ModelError, .missingFile(
                path: missing.folder.appendingPathComponent("1_Pooling/config.json").path,
                purpose: "the sentence-transformers pooling configuration"))
        }
    }
}
