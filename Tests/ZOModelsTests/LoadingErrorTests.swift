import Foundation
import XCTest
import ZOFormats
import ZOModels

/// Strict loading: a checkpoint that does not match its configuration is a typed, readable error.
final class LoadingErrorTests: XCTestCase {
    private var folder: URL!

    override func setUpWithError() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-model-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: Fixtures.url("tiny-llama/config.json"), to: folder.appendingPathComponent("config.json"))
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: folder) }

    /// Writes the tiny model's weights after `edit` to the temporary folder.
    private func writeWeights(_ edit: (inout [SafetensorsWriter.Tensor]) throws -> Void) throws {
        let source = try SafetensorsFile(path: Fixtures.url("tiny-llama/model.safetensors").path)
        var tensors = try source.tensors.map {
            SafetensorsWriter.Tensor(name: $0.name, shape: $0.shape, floats: try $0.floats())
        }
        try edit(&tensors)
        try SafetensorsWriter().write(tensors, to: folder.appendingPathComponent("model.safetensors"))
    }

    private func assertLoadFails(_ expected: ModelError, line: UInt = #line) {
        XCTAssertThrowsError(try LoadedModel.open(path: folder.path), line: line) { error in
            XCTAssertEqual(error as? ModelError, expected, line: line)
        }
    }

    func testUnchangedCopyLoads() throws {
        try writeWeights { _ in }
        XCTAssertNoThrow(try LoadedModel.open(path: folder.path))
    }

    func testMissingWeight() throws {
        try writeWeights { $0.removeAll { $0.name == "model.layers.1.mlp.up_proj.weight" } }
        assertLoadFails(.missingWeight(name: "model.layers.1.mlp.up_proj.weight", source: folder.path))
    }

    func testUnusedWeight() throws {
        try writeWeights { $0.append(.init(name: "model.layers.9.extra.weight", shape: [2], floats: [1, 2])) }
        assertLoadFails(.unusedWeight(name: "model.layers.9.extra.weight", source: folder.path))
    }

    func testWrongShape() throws {
        try writeWeights { tensors in
            let i = tensors.firstIndex { $0.name == "model.norm.weight" }!
            tensors[i] = .init(name: "model.norm.weight", shape: [32, 2], floats: [Float](repeating: 1, count: 64))
        }
        assertLoadFails(.wrongShape(name: "model.norm.weight", expected: [64], actual: [32, 2]))
    }

    func testMissingWeightsFile() {
        assertLoadFails(.missingFile(path: folder.appendingPathComponent("model.safetensors").path, purpose: "the weights: *.safetensors or pytorch_model*.bin files"))
    }

    func testUnsupportedArchitectureAndOptions() throws {
        try writeWeights { _ in }
        let configURL = folder.appendingPathComponent("config.json")
        let original = try String(contentsOf: configURL, encoding: .utf8)
        try original.replacingOccurrences(of: "\"llama\"", with: "\"mamba\"").write(to: configURL, atomically: true, encoding: .utf8)
        assertLoadFails(.unsupportedArchitecture(name: "mamba", supported: ModelFamilies.modelTypes))
        try original.replacingOccurrences(of: "\"rope_type\": \"default\"", with: "\"rope_type\": \"yarn\"")
            .write(to: configURL, atomically: true, encoding: .utf8)
        assertLoadFails(.invalidConfiguration(source: configURL.path, reason: "rope scaling type yarn is not supported (default and llama3 are)"))
    }

    func testOutOfRangeTokenAndEmptySequence() throws {
        let model = try LoadedModel.open(path: Fixtures.url("tiny-llama").path).model
        XCTAssertThrowsError(try model.lastPositionLogits([[1, 512]])) {
            XCTAssertEqual($0 as? ModelError, .tokenOutOfRange(id: 512, vocabularySize: 512))
        }
        XCTAssertThrowsError(try model.lastPositionLogits([[1], []])) {
            XCTAssertEqual($0 as? ModelError, .emptySequence(index: 1))
        }
    }
}
