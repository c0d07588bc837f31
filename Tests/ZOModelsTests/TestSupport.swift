import Foundation
import XCTest
import ZOAssets
import ZOFormats
import ZOModels

enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}

/// Golden tensors written by the reference scripts (scripts/reference/*.py).
struct GoldenFile {
    let file: SafetensorsFile
    init(_ relative: String) throws { file = try SafetensorsFile(path: Fixtures.url(relative).path) }
    func floats(_ name: String) throws -> [Float] { try XCTUnwrap(file.tensor(named: name)).floats() }
    func integers(_ name: String) throws -> [Int] { try XCTUnwrap(file.tensor(named: name)).integers() }
    func shape(_ name: String) throws -> [Int] { try XCTUnwrap(file.tensor(named: name)).shape }

    /// Rows of a padded `[rows × width]` id matrix, each cut to its length.
    func sequences(ids: String = "input_ids", lengths: String = "lengths") throws -> [[Int]] {
        let all = try integers(ids), width = try shape(ids)[1]
        return try integers(lengths).enumerated().map { row, length in Array(all[(row * width)..<(row * width + length)]) }
    }
}

/// The default model, fetched into the asset cache on first use (CI fetches it too: never skipped).
enum DefaultModel {
    static let shared: Result<LoadedModel, Error> = Result {
        try ModelReference.load(ModelCatalog.defaultName)
    }
    static func load() throws -> LoadedModel { try shared.get() }
}

func maxAbsDifference(_ a: ArraySlice<Float>, _ b: ArraySlice<Float>) -> Float {
    zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// `model`'s last-position logits of each sequence, run alone and all in one padded batch, are within
/// `tolerance` of `reference` (rows of `model.outputSize`, one per sequence).
func assertLastPositionLogits(
    of model: LanguageModel, _ sequences: [[Int]], match reference: [Float], within tolerance: Float = 1e-4,
    _ label: String, file: StaticString = #filePath, line: UInt = #line
) throws {
    let vocabulary = model.outputSize
    let batched = try model.lastPositionLogits(sequences)
    for (i, sequence) in sequences.enumerated() {
        let single = try model.lastPositionLogits([sequence])
        let row = (i * vocabulary)..<((i + 1) * vocabulary)
        XCTAssertLessThan(maxAbsDifference(single[...], reference[row]), tolerance, "\(label) sequence \(i)", file: file, line: line)
        XCTAssertLessThan(maxAbsDifference(batched[row], reference[row]), tolerance, "\(label) batched \(i)", file: file, line: line)
    }
}

/// A fixture folder copied to a temporary directory, so a test can edit its config or weights.
final class FixtureCopy {
    let folder: URL

    init(_ fixture: String) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-model-\(UUID())")
        try FileManager.default.copyItem(at: Fixtures.url(fixture), to: folder)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }

    var configURL: URL { folder.appendingPathComponent("config.json") }

    /// Sets (or, with NSNull, nulls) top-level keys of config.json.
    func setConfig(_ values: [String: Any]) throws {
        var object = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: configURL)) as? [String: Any])
        object.merge(values) { $1 }
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: configURL)
    }

    /// One stored tensor's values, to edit.
    struct Tensor {
        var name: String
        var shape: [Int]
        var floats: [Float]
    }

    /// Rewrites model.safetensors after `edit`.
    func editWeights(_ edit: (inout [Tensor]) throws -> Void) throws {
        let url = folder.appendingPathComponent("model.safetensors")
        var tensors = try SafetensorsFile(path: url.path).tensors.map { Tensor(name: $0.name, shape: $0.shape, floats: try $0.floats()) }
        try edit(&tensors)
        try SafetensorsWriter().write(tensors.map { .init(name: $0.name, shape: $0.shape, floats: $0.floats) }, to: url)
    }

    func load() throws -> LanguageModel { try LoadedModel.open(path: folder.path).model }

    /// The reason loading gives after `edit` to config.json (nil when it loads); any other error fails.
    func configurationError(after edit: [String: Any]) throws -> String? {
        try setConfig(edit)
        return try configurationError()
    }

    /// The same for config.json replaced by `text`.
    func configurationError(replacingWith text: String) throws -> String? {
        try Data(text.utf8).write(to: configURL)
        return try configurationError()
    }

    private func configurationError() throws -> String? {
        do {
            _ = try load()
            return nil
        } catch let ModelError.invalidConfiguration(source, reason) {
            XCTAssertEqual(source, configURL.path)
            return reason
        }
    }
}
