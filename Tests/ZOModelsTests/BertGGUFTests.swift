import Foundation
import XCTest
import ZOFormats
import ZOModels

/// A `bert` GGUF (llama.cpp layout: no pooler, no head, `bert.pooling_type` = 1 from a
/// sentence-transformers mean Pooling module) loads into the tiny-bert HF folder's encoder weights
/// with a new classifier over the mean of the token states. Written from the folder by
/// scripts/reference/make_tiny_gguf.py, whose golden holds sentence-transformers-style mean pooling
/// of transformers' BertModel outputs.
final class BertGGUFTests: XCTestCase {
    private let fixture = "formats/tiny-bert.gguf"

    private func open(_ path: String, options: ModelLoadOptions = .init()) throws -> EncoderModel {
        try XCTUnwrap(LoadedModel.open(path: path, options: options).model as? EncoderModel)
    }

    func testEncoderWeightsAndConfigurationAreTheFolders() throws {
        let fromGGUF = try open(Fixtures.url(fixture).path)
        let fromFolder = try open(Fixtures.url("tiny-bert").path)
        XCTAssertEqual(fromGGUF.family, "bert")
        XCTAssertEqual(fromGGUF.prefix, "")
        XCTAssertEqual(fromGGUF.head, .classifier(labels: 2, pooling: .mean))
        XCTAssertEqual(fromGGUF.poolingSource, "bert.pooling_type = 1")
        XCTAssertTrue(fromGGUF.classifierIsNew)
        var expected = fromFolder.configuration
        expected.initializerRange = 0.02  // not recorded in GGUF: transformers' default
        XCTAssertEqual(fromGGUF.configuration, expected)
        let encoder = fromFolder.weights.entries.filter { !$0.name.hasPrefix("pooler.") && !$0.name.hasPrefix("classifier.") }
        XCTAssertEqual(fromGGUF.weights.entries.map(\.name), encoder.map(\.name) + ["classifier.weight", "classifier.bias"])
        for entry in encoder {
            let other = try XCTUnwrap(fromGGUF.weights.entry(named: entry.name))
            XCTAssertEqual(Array(fromGGUF.weights.values(other)), Array(fromFolder.weights.values(entry)), entry.name)
        }
        let sequences = [[2, 100, 200, 300, 3], [2, 3], [7]]
        XCTAssertEqual(try fromGGUF.lastHiddenStates(sequences), try fromFolder.lastHiddenStates(sequences))
        XCTAssertEqual(try open(Fixtures.url(fixture).path, options: ModelLoadOptions(classifierLabels: 3)).outputSize, 3)
    }

    /// Hidden states against transformers (tiny-encoders-golden) and the pooled output against
    /// sentence-transformers' mean pooling (tiny-gguf-golden), batched and one sequence at a time.
    func testHiddenStatesAndMeanPoolingMatchTheReference() throws {
        let model = try open(Fixtures.url(fixture).path)
        let encoders = try GoldenFile("tiny-encoders-golden.safetensors")
        let hiddenSequences = try encoders.sequences(ids: "bert_input_ids", lengths: "bert_lengths")
        let hidden = try model.lastHiddenStates(hiddenSequences)
        XCTAssertLessThan(maxAbsDifference(hidden[...], try encoders.floats("bert_hidden")[...]), 1e-5)

        let golden = try GoldenFile("tiny-gguf-golden.safetensors")
        let sequences = try golden.sequences(ids: "bert.input_ids", lengths: "bert.lengths")
        let reference = try golden.floats("bert.mean_pooled")
        let pooled = try model.pooledOutput(sequences)
        XCTAssertEqual(pooled.count, reference.count)
        XCTAssertLessThan(maxAbsDifference(pooled[...], reference[...]), 1e-5)
        let width = model.configuration.hiddenSize
        for (s, sequence) in sequences.enumerated() {
            XCTAssertLessThan(maxAbsDifference(try model.pooledOutput([sequence])[...], reference[(s * width)..<((s + 1) * width)]),
                              1e-5, "sequence \(s)")
        }
        print("tiny-bert.gguf: max |Δ| mean pooled vs sentence-transformers style \(maxAbsDifference(pooled[...], reference[...]))")
    }

    /// Without `bert.pooling_type` (a plain BertModel converted) or with 0 (none) the classifier reads
    /// [CLS], the file having no pooler; 2 is [CLS] too.
    func testPoolingTypeChoosesThePooledVector() throws {
        let sequences = [[2, 100, 200, 3], [2, 50, 3]]
        let model = try open(Fixtures.url(fixture).path)
        let hidden = try model.lastHiddenStates(sequences)
        let width = model.configuration.hiddenSize
        let cls = Array(hidden[0..<width]) + Array(hidden[(4 * width)..<(5 * width)])
        for value in [nil, 0, 2] as [Int?] {
            let copy = try GGUFCopy(fixture)
            if let value { copy.set("bert.pooling_type", .uint32(UInt32(value))) } else {
                copy.metadata.removeAll { $0.key == "bert.pooling_type" }
            }
            let loaded = try open(try copy.write())
            XCTAssertEqual(loaded.head, .classifier(labels: 2, pooling: .cls), "pooling_type \(String(describing: value))")
            XCTAssertEqual(try loaded.pooledOutput(sequences), cls)
        }
    }

    func testMissingTensorsAndUnsupportedMetadataAreClearErrors() throws {
        let missing = try GGUFCopy(fixture)
        missing.removeTensor("blk.1.ffn_down.weight")
        XCTAssertThrowsError(try LoadedModel.open(path: try missing.write())) {
            XCTAssertEqual($0 as? ModelError, .missingWeight(name: "blk.1.ffn_down.weight", source: missing.path))
            XCTAssertEqual("\($0)", "weight blk.1.ffn_down.weight is missing from \(missing.path)")
        }
        let extra = try GGUFCopy(fixture)
        extra.setTensor("cls.output.weight", shape: [2, 48], floats: .init(repeating: 0, count: 96))
        XCTAssertThrowsError(try LoadedModel.open(path: try extra.write())) {
            XCTAssertEqual($0 as? ModelError, .unusedWeight(name: "cls.output.weight", source: extra.path))
        }
        for (key, value, reason) in [
            ("bert.pooling_type", GGUFValue.uint32(3), "bert.pooling_type 3 is not supported (1 mean, 2 cls)"),
            ("bert.attention.causal", .bool(true), "bert.attention.causal = true is not supported"),
            ("bert.attention.head_count", .uint32(5), "the hidden size 48 is not a multiple of the head count 5"),
        ] {
            let copy = try GGUFCopy(fixture)
            copy.set(key, value)
            XCTAssertThrowsError(try LoadedModel.open(path: try copy.write()), key) {
                XCTAssertEqual($0 as? ModelError, .invalidConfiguration(source: copy.path, reason: reason))
            }
        }
    }
}
