import Foundation
import XCTest
import ZOModels

/// A `qwen2` GGUF (llama.cpp layout: blk.N.* names, q/k/v biases, q/k rows NOT permuted, tied head)
/// loads to exactly the weights of the same model's HF folder. The GGUF is made from the tiny-qwen2
/// fixture by scripts/reference/make_tiny_gguf.py with the reference `gguf` writer.
final class Qwen2GGUFTests: XCTestCase {
    func testQwen2GGUFLoadsTheSameWeightsAndLogitsAsTheHuggingFaceFolder() throws {
        let fromGGUF = try LoadedModel.open(path: Fixtures.url("formats/tiny-qwen2.gguf").path).model
        let fromFolder = try LoadedModel.open(path: Fixtures.url("tiny-qwen2").path).model
        XCTAssertEqual(fromGGUF.family, "qwen2")
        XCTAssertEqual(fromGGUF.weights.entries.map(\.name), fromFolder.weights.entries.map(\.name))
        for entry in fromFolder.weights.entries {
            let other = try XCTUnwrap(fromGGUF.weights.entry(named: entry.name))
            XCTAssertEqual(Array(fromGGUF.weights.values(other)), Array(fromFolder.weights.values(entry)), entry.name)
        }
        let sequences = [[5, 17, 300, 42, 9, 1], [7], [100, 200, 300, 400]]
        XCTAssertEqual(try fromGGUF.lastPositionLogits(sequences), try fromFolder.lastPositionLogits(sequences))
        withExtendedLifetime((fromGGUF, fromFolder)) {}
    }
}
