import XCTest
import ZOModels
import ZOTensor

/// A decoder loaded with a bfloat16 base (`ModelLoadOptions.basePrecision`): its 2-D weights take
/// half the memory, and its logits are those of the fp32 model whose weights were rounded to
/// bfloat16 — the forward itself stays fp32.
final class BFloat16BaseTests: XCTestCase {
    static let sequences = [[5, 17, 42, 8, 99], [3, 11], [60, 7, 25, 31, 2, 14, 9]]

    private func everyPosition(_ sequences: [[Int]]) -> [LogitRequest] {
        sequences.indices.flatMap { s in sequences[s].indices.map { LogitRequest(sequence: s, position: $0) } }
    }

    func testANarrowBaseGivesTheLogitsOfTheRoundedWeights() throws {
        for fixture in ["tiny-llama", "tiny-qwen2", "tiny-opt", "tiny-gpt2"] {
            let path = Fixtures.url(fixture).path
            let narrow = try LoadedModel.open(path: path, options: ModelLoadOptions(basePrecision: .bfloat16)).model
            let rounded = try LoadedModel.open(path: path).model
            for entry in rounded.weights.entries where entry.shape.count == 2 {
                let values = rounded.weights.values(entry)
                for index in values.indices { values[index] = BFloat16.widen(BFloat16.round(values[index])) }
            }
            XCTAssertTrue(narrow.weights.entries.allSatisfy { ($0.shape.count == 2) == ($0.precision == .bfloat16) }, fixture)
            XCTAssertLessThan(Double(narrow.weights.byteCount), 0.6 * Double(rounded.weights.byteCount), fixture)
            let requests = everyPosition(Self.sequences)
            let difference = maxAbsDifference(
                try narrow.logits(Self.sequences, at: requests)[...], try rounded.logits(Self.sequences, at: requests)[...])
            XCTAssertLessThan(difference, 1e-5, fixture)
        }
    }

    func testEncodersAreRefusedInOneSentence() {
        XCTAssertThrowsError(try LoadedModel.open(path: Fixtures.url("tiny-bert-mlm").path, options: ModelLoadOptions(basePrecision: .bfloat16))) {
            XCTAssertTrue("\($0)".contains("a bf16 base is implemented for decoders; encoders load in f32"), "\($0)")
        }
    }
}
