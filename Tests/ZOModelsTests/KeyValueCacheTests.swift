import Foundation
import XCTest
import ZOModels
import ZOTensor

/// The key/value cache against full forwards on every decoder family: tokens appended to a cache
/// give the logits of the whole sequence run at once (positions, attention and a prefix adapter
/// included), for sequences of different lengths decoded together. Not bit for bit: a cached step's
/// products run over fewer rows than the whole sequence's.
final class KeyValueCacheTests: XCTestCase {
    static let fixtures = ["tiny-llama", "tiny-qwen2", "tiny-opt", "tiny-opt-post-ln", "tiny-gpt2", "tiny-llama3-rope", "tiny-llama-untied"]

    private func model(_ fixture: String) throws -> LanguageModel {
        try LoadedModel.open(path: Fixtures.url(fixture).path).model
    }

    /// Three sequences of different lengths: a first chunk, then tokens appended in uneven steps,
    /// one sequence sitting a step out; every appended row's logits against the full sequence's.
    private func assertCachedLogitsMatchFullForwards(_ model: LanguageModel, _ label: String) throws {
        let chunks: [[[Int]]] = [
            [[5, 17, 42, 8, 99], [3, 11], [60, 7, 25, 31, 2, 14, 9]],
            [[4], [12, 13], []],
            [[77], [6], [19]],
            [[], [], [23, 24, 25]],
        ]
        let cache = try XCTUnwrap(model.makeKeyValueCache(sequences: 3), label)
        var seen: [[Int]] = [[], [], []]
        for (step, chunk) in chunks.enumerated() {
            let requests = chunk.indices.flatMap { s in chunk[s].indices.map { LogitRequest(sequence: s, position: $0) } }
            let cached = try model.logits(appending: chunk, to: cache, at: requests)
            let full = try model.logits(
                chunk.indices.map { seen[$0] + chunk[$0] },
                at: requests.map { LogitRequest(sequence: $0.sequence, position: seen[$0.sequence].count + $0.position) })
            let scale = full.map(abs).max() ?? 1
            XCTAssertLessThan(maxAbsDifference(cached[...], full[...]), 1e-5 * max(1, scale), "\(label) step \(step)")
            for s in chunk.indices { seen[s] += chunk[s] }
            XCTAssertEqual(cache.lengths, seen.map(\.count), label)
        }
    }

    func testAppendedTokensGiveTheLogitsOfTheWholeSequence() throws {
        for fixture in Self.fixtures {
            try assertCachedLogitsMatchFullForwards(try model(fixture), fixture)
        }
    }

    func testACachedPrefixAdapterRunIsTheFullRun() throws {
        for fixture in ["tiny-llama", "tiny-gpt2", "tiny-opt"] {
            let model = try model(fixture)
            let prefix = try PrefixAdapter(for: model, tokens: 3)
            try prefix.initialise(from: model, seed: 5)
            prefix.attach(to: model.weights)
            try assertCachedLogitsMatchFullForwards(model, "\(fixture) with a prefix")
        }
    }

    func testGreedyDecodingWithAndWithoutTheCacheAgrees() throws {
        let prompts = [[5, 17, 42], [3, 11, 60, 7, 25, 31], [9]]
        for fixture in Self.fixtures {
            let model = try model(fixture)
            let cached = try GreedyDecoding.continuations(of: prompts, model: model, maxNewTokens: 6)
            let uncached = try prompts.map { try GreedyDecoding.continuation(of: $0, model: model, maxNewTokens: 6, usesCache: false) }
            // Equal unless a step met a near-tie (then the products' rounding may pick either): check that.
            for (s, prompt) in prompts.enumerated() where cached[s] != uncached[s] {
                let agreed = zip(cached[s], uncached[s]).prefix { $0 == $1 }.count
                let logits = try model.lastPositionLogits([prompt + uncached[s].prefix(agreed)])
                let sorted = logits.sorted(by: >)
                XCTAssertLessThan(sorted[0] - sorted[1], 1e-4, "\(fixture) prompt \(s) differs at step \(agreed) without a near-tie")
            }
            XCTAssertEqual(cached.map(\.count), uncached.map(\.count), fixture)
        }
    }

    func testTheCacheCountsAgainstTheContext() throws {
        let model = try model("tiny-llama")
        let cache = try XCTUnwrap(model.makeKeyValueCache(sequences: 1))
        _ = try model.logits(appending: [Array(repeating: 5, count: model.maxPositions - 1)], to: cache,
                             at: [LogitRequest(sequence: 0, position: 0)])
        _ = try model.logits(appending: [[6]], to: cache, at: [LogitRequest(sequence: 0, position: 0)])
        XCTAssertThrowsError(try model.logits(appending: [[7]], to: cache, at: [LogitRequest(sequence: 0, position: 0)])) {
            XCTAssertEqual($0 as? ModelError, .sequenceTooLong(length: model.maxPositions + 1, limit: model.maxPositions))
        }
        XCTAssertEqual(cache.lengths, [model.maxPositions], "a refused forward caches nothing")
        // Decoding stops at the end of the context.
        let near = Array(repeating: 5, count: model.maxPositions - 2)
        XCTAssertEqual(try GreedyDecoding.continuation(of: near, model: model, maxNewTokens: 10).count, 2)
    }

    func testEncodersHaveNoCache() throws {
        XCTAssertNil(try model("tiny-bert").makeKeyValueCache(sequences: 1))
    }
}
