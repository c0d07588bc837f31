import Foundation
import XCTest
import ZOEstimators
import ZOModels
import ZOTensor
import ZOTraining

/// Zero-shot evaluations are reused only for the same weights, examples, settings and program, and
/// a run that reuses them writes what evaluating would have.
final class ZeroShotCacheTests: XCTestCase {
    private let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-zero-shot-\(UUID())")

    override func tearDown() {
        try? FileManager.default.removeItem(at: folder)
    }

    private func cache(
        _ model: LanguageModel, data: EncodedSplits, objective: Objective = .candidateCrossEntropy, batch: Int = 32,
        program: String = "zotune 1"
    ) -> ZeroShotCache {
        ZeroShotCache(folder: folder, weights: model.weights, modelFiles: "tiny-llama", trainable: model.weights.entries,
                      data: data, objective: objective, evalBatchSize: batch, program: program)
    }

    func testTheKeyCoversWeightsExamplesSettingsAndProgram() throws {
        let harness = try TrainerHarness()
        let model = try harness.model()
        let key = cache(model, data: harness.data).key
        XCTAssertEqual(cache(try harness.model(), data: harness.data).key, key, "a fresh load of the same files")
        XCTAssertNotEqual(cache(model, data: harness.data, objective: .answerLogLikelihood).key, key)
        XCTAssertNotEqual(cache(model, data: harness.data, batch: 16).key, key)
        XCTAssertNotEqual(cache(model, data: harness.data, program: "zotune 2").key, key)
        XCTAssertNotEqual(ZeroShotCache(folder: folder, weights: model.weights, modelFiles: "other config",
                                        trainable: model.weights.entries, data: harness.data, objective: .candidateCrossEntropy,
                                        evalBatchSize: 32, program: "zotune 1").key, key)
        XCTAssertNotEqual(ZeroShotCache(folder: folder, weights: model.weights, modelFiles: "tiny-llama",
                                        trainable: Array(model.weights.entries.suffix(1)), data: harness.data,
                                        objective: .candidateCrossEntropy, evalBatchSize: 32, program: "zotune 1").key, key,
                          "another trainable set")
        var relabelled = harness.data.test
        relabelled[5] = EncodedExample(prompt: relabelled[5].prompt, candidates: relabelled[5].candidates, label: 1 - relabelled[5].label)
        XCTAssertNotEqual(cache(model, data: try EncodedSplits(train: harness.data.train, dev: harness.data.dev, test: relabelled)).key, key)
        XCTAssertEqual(cache(model, data: try EncodedSplits(train: Array(harness.data.train.prefix(3)), dev: harness.data.dev,
                                                            test: harness.data.test)).key, key, "training examples do not count")
        let last = model.weights.entries.last!
        model.weights.pointer(last)[last.count - 1] += 1e-6
        XCTAssertNotEqual(cache(model, data: harness.data).key, key, "the last weight")
    }

    /// A prompt's starting values decide zero-shot scores, so they are in the key; LoRA's do not (B = 0),
    /// so runs of other seeds reuse the same entry.
    func testAnAdapterCountsOnlyWhenItChangesTheStartingOutputs() throws {
        let harness = try TrainerHarness()
        let model = try harness.model()
        func key(_ adapter: any Adapter) -> String {
            ZeroShotCache(folder: folder, weights: model.weights, adapter: adapter.startsAtBase ? nil : adapter.weights,
                          modelFiles: "tiny-llama", trainable: adapter.weights.entries, data: harness.data,
                          objective: .candidateCrossEntropy, evalBatchSize: 32, program: "zotune 1").key
        }
        let prompts = try [1, 2].map { seed -> PromptAdapter in
            let prompt = try PromptAdapter(for: model, tokens: 3)
            prompt.initialise(from: model.weights, seed: UInt64(seed))
            return prompt
        }
        XCTAssertNotEqual(key(prompts[0]), key(prompts[1]))
        let loras = try [1, 2].map { seed -> LoRAAdapter in
            let lora = try LoRAAdapter(for: model.weights, settings: LoRASettings(rank: 2))
            lora.initialise(seed: UInt64(seed))
            return lora
        }
        XCTAssertNotEqual(Array(loras[0].weights.values(loras[0].weights.entries[0])), Array(loras[1].weights.values(loras[1].weights.entries[0])))
        XCTAssertEqual(key(loras[0]), key(loras[1]))
    }

    /// Entries are padded in the arena: every entry's last value counts, the padding does not.
    func testEveryWeightCountsAcrossPadding() throws {
        let harness = try TrainerHarness()
        let arena = WeightArena([ParameterSpec(name: "a", shape: [3, 7], role: .matrix, layer: 0, kind: .up, activationUse: .everyToken),
                                 ParameterSpec(name: "b", shape: [5], role: .norm, layer: 0, kind: .norm, activationUse: [])])
        func key() -> String {
            ZeroShotCache(folder: folder, weights: arena, modelFiles: "", trainable: arena.entries, data: harness.data,
                          objective: .candidateCrossEntropy, evalBatchSize: 32, program: "").key
        }
        let before = key()
        for entry in arena.entries {
            arena.pointer(entry)[entry.count - 1] += 1
            XCTAssertNotEqual(key(), before, "last value of \(entry.name)")
            arena.pointer(entry)[entry.count - 1] -= 1
        }
        XCTAssertEqual(key(), before)
    }

    func testStoredEntriesLoadOnlyUnderTheirKey() throws {
        let store = ZeroShotCache(folder: folder, key: "k1")
        XCTAssertNil(store.load())
        let dev = Evaluation(accuracy: 0.625, loss: 0.6931471805599453, examples: 16)
        let test = Evaluation(accuracy: 0.5, loss: 0.7, examples: 16)
        store.store(dev: dev, test: test)
        let loaded = try XCTUnwrap(store.load())
        XCTAssertEqual(loaded.dev, dev)
        XCTAssertEqual(loaded.test, test)
        XCTAssertNil(ZeroShotCache(folder: folder, key: "k2").load())
        try Data("{\"key\": \"k1\", \"dev\": ".utf8).write(to: folder.appendingPathComponent("k1.json"))
        XCTAssertNil(store.load(), "a damaged entry is ignored")
    }

    /// A run that finds its entry writes the same zero-shot metrics line and summary as one that
    /// evaluates; a planted entry shows the numbers really come from the cache.
    func testARunReusesTheEntryAndWritesTheSameMetrics() throws {
        let harness = try TrainerHarness()
        let runs = (0..<4).map { _ in harness.newRun() }
        defer { for run in runs { try? FileManager.default.removeItem(at: run.url) } }
        func firstMetricsLine(_ run: RunDirectory) throws -> Substring? {
            try String(contentsOf: run.metrics, encoding: .utf8).split(separator: "\n").first
        }

        let evaluated = try harness.trainer(SignSPSA(), run: runs[0], steps: 2).train()
        let storing = try harness.trainer(SignSPSA(), run: runs[1], steps: 2)
        storing.zeroShotCache = cache(storing.model, data: harness.data)
        try storing.train()
        let reusing = try harness.trainer(SignSPSA(), run: runs[2], steps: 2)
        reusing.zeroShotCache = cache(reusing.model, data: harness.data)
        let reused = try reusing.train()
        XCTAssertEqual(reused.zeroShotDev, evaluated.zeroShotDev)
        XCTAssertEqual(reused.zeroShotTest, evaluated.zeroShotTest)
        XCTAssertEqual(reused.test, evaluated.test)
        XCTAssertEqual(try firstMetricsLine(runs[2]), try firstMetricsLine(runs[0]))

        let planted = try harness.trainer(SignSPSA(), run: runs[3], steps: 2)
        let plantedCache = cache(planted.model, data: harness.data)
        let fake = Evaluation(accuracy: 0.125, loss: 9, examples: 16)
        plantedCache.store(dev: fake, test: fake)
        planted.zeroShotCache = plantedCache
        let summary = try planted.train()
        XCTAssertEqual(summary.zeroShotDev, fake, "taken from the cache, not evaluated")
        XCTAssertEqual(summary.test, evaluated.test, "training is untouched")
    }
}
