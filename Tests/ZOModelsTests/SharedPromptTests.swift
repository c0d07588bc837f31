import Foundation
import XCTest
import ZOModels

/// A shared prompt with continuations (`SharedPromptSequence`) gives the logits of every
/// `prompt + continuation` run on its own — the ones the parity tests check against transformers —
/// for rotary (Llama, Qwen2: GQA) and learned (OPT with its offset, GPT-2) positions, bit for bit
/// (the kernel sums in the same order), and for the encoders' fallback, which runs plain prompts.
final class SharedPromptTests: XCTestCase {
    static let decoders = ["tiny-llama", "tiny-qwen2", "tiny-opt", "tiny-opt-post-ln", "tiny-gpt2"]

    /// Prompt and continuations of different lengths (one empty) over ids every fixture has.
    static func batch(vocabulary: Int) -> [SharedPromptSequence] {
        let ids = { (seed: Int, count: Int) in (0..<count).map { (seed * 31 + $0 * 17) % vocabulary } }
        return [
            SharedPromptSequence(prompt: ids(1, 7), continuations: [ids(2, 3), ids(3, 1), [], ids(4, 5)]),
            SharedPromptSequence(prompt: ids(5, 4)),
            SharedPromptSequence(prompt: ids(6, 1), continuations: [ids(7, 6), ids(8, 2)]),
        ]
    }

    /// Logits at every row of `batch`, shared, and the same rows from each `prompt + continuation`
    /// run as a plain sequence.
    static func sharedAndPlain(_ model: LanguageModel, _ batch: [SharedPromptSequence]) throws -> (shared: [Float], plain: [Float]) {
        var requests: [LogitRequest] = []
        var plainSequences: [[Int]] = []
        var plainRequests: [LogitRequest] = []
        for (s, sequence) in batch.enumerated() {
            let first = plainSequences.count
            plainSequences += sequence.continuations.isEmpty ? [sequence.prompt] : sequence.continuations.map { sequence.prompt + $0 }
            for p in sequence.prompt.indices {
                requests.append(LogitRequest(sequence: s, position: p))
                plainRequests.append(LogitRequest(sequence: first, position: p))
            }
            for (c, continuation) in sequence.continuations.enumerated() {
                for p in continuation.indices {
                    requests.append(LogitRequest(sequence: s, position: sequence.row(continuation: c, position: p)))
                    plainRequests.append(LogitRequest(sequence: first + c, position: sequence.prompt.count + p))
                }
            }
        }
        return (try model.logits(sharing: batch, at: requests), try model.logits(plainSequences, at: plainRequests))
    }

    func testDecodersComputeThePlainSequencesLogits() throws {
        for fixture in Self.decoders {
            let model = try LoadedModel.open(path: Fixtures.url(fixture).path).model
            let (shared, plain) = try Self.sharedAndPlain(model, Self.batch(vocabulary: model.vocabularySize))
            XCTAssertEqual(shared.count, plain.count, fixture)
            // Other row counts are other GEMM shapes, which a BLAS may sum in another order: the
            // promise is agreement to rounding, not bits (README, "What is bit-exact").
            let difference = maxAbsDifference(shared[...], plain[...])
            XCTAssertLessThan(difference, 1e-4, "\(fixture): shared prompt vs plain sequences")
        }
    }

    /// Encoders take prompts without continuations only (a continuation would change an encoder's
    /// prompt rows, so `LanguageModel` refuses it with a precondition; this test sent continuations
    /// while `-Ounchecked` removed that check): each `prompt + continuation` comes as its own prompt.
    func testEncoderFallbackRunsPromptsWithoutContinuations() throws {
        let model = try LoadedModel.open(path: Fixtures.url("tiny-roberta-mlm").path).model
        let batch = Self.batch(vocabulary: model.vocabularySize).flatMap { sequence in
            sequence.continuations.isEmpty
                ? [sequence] : sequence.continuations.map { SharedPromptSequence(prompt: sequence.prompt + $0) }
        }
        let (shared, plain) = try Self.sharedAndPlain(model, batch)
        XCTAssertEqual(shared.count, 51 * model.outputSize)  // every row of the 7 prompts
        XCTAssertEqual(shared, plain)
    }

    func testRowsAndSpan() {
        let sequence = SharedPromptSequence(prompt: [1, 2, 3], continuations: [[4, 5], [6], [7, 8, 9]])
        XCTAssertEqual(sequence.rows, [1, 2, 3, 4, 5, 6, 7, 8, 9])
        XCTAssertEqual(sequence.rowCount, 9)
        XCTAssertEqual(sequence.row(continuation: 2, position: 1), 7)
        XCTAssertEqual(sequence.span, 6)
    }

    /// The context limit applies to the longest prompt + continuation, not to all rows together;
    /// an empty prompt is refused like an empty sequence.
    func testValidation() throws {
        let model = try LoadedModel.open(path: Fixtures.url("tiny-llama").path).model
        let limit = model.maxPositions
        let half = [Int](repeating: 1, count: limit / 2)
        let fits = SharedPromptSequence(prompt: half, continuations: [half, half, half])
        XCTAssertNoThrow(try model.logits(sharing: [fits], at: [LogitRequest(sequence: 0, position: fits.rowCount - 1)]))
        let tooLong = SharedPromptSequence(prompt: half, continuations: [half + [1, 1]])
        XCTAssertThrowsError(try model.logits(sharing: [tooLong], at: [])) { error in
            XCTAssertEqual(error as? ModelError, .sequenceTooLong(length: 2 * half.count + 2, limit: limit))
        }
        XCTAssertThrowsError(try model.logits(sharing: [SharedPromptSequence(prompt: [], continuations: [[1]])], at: [])) { error in
            XCTAssertEqual(error as? ModelError, .emptySequence(index: 0))
        }
    }
}
