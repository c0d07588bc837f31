import XCTest
import ZOModels

/// The real default model (GGUF, Q4_1/Q8_0 dequantized to fp32) against transformers' fp32 forward
/// on the committed prompts: last-position logits within 1e-3 max-abs and identical argmax.
final class SmolLM2ParityTests: XCTestCase {
    func testKnownReferenceValues() throws {
        let model = try DefaultModel.load().model
        let logits = try model.lastPositionLogits([[504, 3575, 282, 4649, 314]])
        XCTAssertEqual(GreedyDecoding.argmax(logits), 7042)
        XCTAssertEqual(logits[7042], 17.37126, accuracy: 1e-3)
        for (i, want) in [Float(1.61365), -11.87187, -7.94445, -9.34693].enumerated() {
            XCTAssertEqual(logits[i], want, accuracy: 1e-3)
        }
    }

    func testGoldenPromptsOneByOneAndBatchedWithPadding() throws {
        let model = try DefaultModel.load().model
        let golden = try GoldenFile("smollm2-golden-logits.safetensors")
        let sequences = try golden.sequences()
        XCTAssertGreaterThanOrEqual(sequences.count, 50)
        let index = try golden.integers("index")
        let reference = try golden.floats("logits")
        let topIDs = try golden.integers("top_ids"), topLogits = try golden.floats("top_logits")
        let logSumExp = try golden.floats("logsumexp")
        let vocabulary = model.outputSize

        // Batched in groups of 16 of very different lengths (the reference used right padding + mask).
        var batched: [Float] = []
        for start in stride(from: 0, to: sequences.count, by: 16) {
            batched += try model.lastPositionLogits(Array(sequences[start..<min(start + 16, sequences.count)]))
        }
        for (p, sequence) in sequences.enumerated() {
            let single = try model.lastPositionLogits([sequence])
            for (name, logits) in [("single", single[...]), ("batched", batched[(p * vocabulary)..<((p + 1) * vocabulary)])] {
                let row = Array(logits)
                var worst: Float = 0
                for (k, id) in index.enumerated() { worst = max(worst, abs(row[id] - reference[p * index.count + k])) }
                for k in 0..<16 { worst = max(worst, abs(row[topIDs[p * 16 + k]] - topLogits[p * 16 + k])) }
                XCTAssertLessThan(worst, 1e-3, "prompt \(p) \(name)")
                XCTAssertEqual(GreedyDecoding.argmax(row), topIDs[p * 16], "prompt \(p) \(name) argmax")
                let m = row.max()!
                let lse = m + log(row.reduce(0) { $0 + exp(Double($1 - m)) }).asFloat
                XCTAssertEqual(lse, logSumExp[p], accuracy: 1e-3, "prompt \(p) \(name) logsumexp")
            }
        }
    }

    func testGreedyContinuationMatchesTransformers() throws {
        let model = try DefaultModel.load().model
        let golden = try GoldenFile("smollm2-golden-logits.safetensors")
        let sequences = try golden.sequences()
        let greedy = try golden.integers("greedy"), margins = try golden.floats("greedy_margin")
        var compared = 0
        for p in stride(from: 0, to: sequences.count, by: 6) {
            // Compare up to the first near-tie: below 1e-2 the float order could legitimately flip.
            let steps = (0..<8).prefix { margins[p * 8 + $0] > 1e-2 }.count
            guard steps > 0 else { continue }
            let ours = try GreedyDecoding.continuation(of: sequences[p], model: model, maxNewTokens: steps)
            XCTAssertEqual(ours, Array(greedy[(p * 8)..<(p * 8 + steps)]), "prompt \(p)")
            compared += 1
        }
        XCTAssertGreaterThan(compared, 5)
    }

    /// The same prompts decoded together, sharing one key/value cache: every prompt's tokens up to
    /// its first near-tie are transformers'.
    func testBatchedCachedGreedyMatchesTransformers() throws {
        let model = try DefaultModel.load().model
        let golden = try GoldenFile("smollm2-golden-logits.safetensors")
        let sequences = try golden.sequences()
        let greedy = try golden.integers("greedy"), margins = try golden.floats("greedy_margin")
        let chosen = Array(stride(from: 0, to: sequences.count, by: 3))
        let batched = try GreedyDecoding.continuations(of: chosen.map { sequences[$0] }, model: model, maxNewTokens: 8)
        var compared = 0
        for (i, p) in chosen.enumerated() {
            let steps = (0..<8).prefix { margins[p * 8 + $0] > 1e-2 }.count
            guard steps > 0 else { continue }
            XCTAssertEqual(Array(batched[i].prefix(steps)), Array(greedy[(p * 8)..<(p * 8 + steps)]), "prompt \(p)")
            compared += 1
        }
        XCTAssertGreaterThan(compared, 8)
    }
}

private extension Double {
    var asFloat: Float { Float(self) }
}
