import Foundation
import XCTest
import ZOFormats
import ZOModels

/// A Hugging Face folder holding only torch.save weights (tiny-opt-bin: the tiny-opt fixture re-saved
/// as two pytorch_model-*.bin shards by scripts/reference/make_torch_checkpoints.py, with a stored
/// tied head and a non-contiguous weight) loads to exactly the model of the safetensors folder.
final class PyTorchFolderLoadingTests: XCTestCase {
    func testPyTorchFolderLoadsTheSameWeightsAndLogitsAsTheSafetensorsFolder() throws {
        let fromBin = try LoadedModel.open(path: Fixtures.url("tiny-opt-bin").path)
        let fromSafetensors = try LoadedModel.open(path: Fixtures.url("tiny-opt").path)
        XCTAssertEqual(fromBin.format, "Hugging Face folder (PyTorch pytorch_model.bin)")
        XCTAssertEqual(fromSafetensors.format, "Hugging Face folder (safetensors)")
        let safetensorsCount = try XCTUnwrap(fromSafetensors.encodings["F32"])
        XCTAssertEqual(fromBin.encodings, ["F32": safetensorsCount + 1], "plus the stored tied head")
        let (a, b) = (fromBin.model, fromSafetensors.model)
        XCTAssertEqual(a.weights.entries.map(\.name), b.weights.entries.map(\.name))
        for entry in b.weights.entries {
            let other = try XCTUnwrap(a.weights.entry(named: entry.name))
            XCTAssertEqual(Array(a.weights.values(other)), Array(b.weights.values(entry)), entry.name)
        }
        let sequences = [[2, 17, 300, 42, 9, 1, 77], [2], [2, 100, 200, 300, 400]]
        XCTAssertEqual(try a.lastPositionLogits(sequences), try b.lastPositionLogits(sequences))
        XCTAssertNoThrow(try fromBin.tokenizer())
        withExtendedLifetime((a, b)) {}
    }

    /// Safetensors are preferred when both are present, and only `pytorch_model*.bin` files are
    /// opened: a Trainer's `training_args.bin` (a pickled Python object) is never read.
    func testWeightFilesAreChosenByFormatAndName() throws {
        let copy = try FixtureCopy("tiny-opt-bin")
        try FileManager.default.copyItem(
            at: Fixtures.url("formats/torch-namespace.bin"), to: copy.folder.appendingPathComponent("training_args.bin"))
        XCTAssertEqual(try LoadedModel.open(path: copy.folder.path).format, "Hugging Face folder (PyTorch pytorch_model.bin)")
        try FileManager.default.copyItem(
            at: Fixtures.url("tiny-opt/model.safetensors"), to: copy.folder.appendingPathComponent("model.safetensors"))
        XCTAssertEqual(try LoadedModel.open(path: copy.folder.path).format, "Hugging Face folder (safetensors)")
    }

    func testLegacyPyTorchWeightsAskForAResave() throws {
        let copy = try FixtureCopy("tiny-opt-bin")
        for name in try FileManager.default.contentsOfDirectory(atPath: copy.folder.path) where name.hasSuffix(".bin") {
            try FileManager.default.removeItem(at: copy.folder.appendingPathComponent(name))
        }
        let weights = copy.folder.appendingPathComponent("pytorch_model.bin")
        try FileManager.default.copyItem(at: Fixtures.url("formats/torch-legacy.bin"), to: weights)
        XCTAssertThrowsError(try copy.load()) { error in
            XCTAssertEqual(error as? FormatError, .legacyTorchFormat(path: weights.path))
        }
    }

    func testATensorInTwoShardsIsAnError() throws {
        let copy = try FixtureCopy("tiny-opt-bin")
        try FileManager.default.copyItem(
            at: copy.folder.appendingPathComponent("pytorch_model-00002-of-00002.bin"),
            to: copy.folder.appendingPathComponent("pytorch_model-00003-of-00002.bin"))
        XCTAssertThrowsError(try copy.load()) { error in
            guard case .duplicateTensor = error as? FormatError else { return XCTFail("\(error)") }
        }
    }
}
