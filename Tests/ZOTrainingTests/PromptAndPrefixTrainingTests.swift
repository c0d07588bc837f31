import Foundation
import XCTest
import ZOEstimators
import ZOFormats
import ZOModels
import ZOTasks
import ZOTraining

/// Prompt and prefix tuning through the library entry, with every estimator: the examples start
/// with the virtual tokens, a paused and resumed run equals a straight one byte for byte, replay
/// rebuilds the adapter, the base never changes, and the run's PEFT folder applies to a fresh base.
final class PromptAndPrefixTrainingTests: XCTestCase {
    private func configuration(_ method: MethodConfiguration, _ adapter: AdapterSettings = .prompt(PromptSettings(tokens: 4)))
        -> RunConfiguration {
        TrainerHarness.smallRun(method: method, adapter: adapter, learningRate: 1e-2)
    }

    private func newFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("zotune-prompt-\(UUID())")
    }

    func testEveryEstimatorTrainsAPromptThatResumesReplaysAndExports() throws {
        try assertEveryEstimatorTrains(.prompt(PromptSettings(tokens: 4))) { names in
            XCTAssertEqual(names, [PromptAdapter.tensorName])
        }
    }

    func testEveryEstimatorTrainsAPrefixThatResumesReplaysAndExports() throws {
        try assertEveryEstimatorTrains(.prefix(PrefixSettings(tokens: 3))) { names in
            XCTAssertEqual(names.count, 4, "keys and values of tiny-llama's 2 layers")
            XCTAssertTrue(names.allSatisfy(PrefixAdapter.isPrefixTensor), "\(names)")
        }
    }

    private func assertEveryEstimatorTrains(_ adapter: AdapterSettings, checkNames: ([String]) -> Void) throws {
        let methods: [MethodConfiguration] = [
            .mezo(.init(directions: 2)), .subzero(.init(rank: 4, window: 3)),
            .dizo(.init(directions: 2, projectionInterval: 2, projectionIterations: 2, projectedTensors: ["*"])),
            .pgap(.init(rank: 4, window: 3, probes: 2)),
        ]
        let configuration = { (method: MethodConfiguration) in self.configuration(method, adapter) }
        for method in methods {
            let straight = newFolder(), paused = newFolder(), replayed = newFolder().appendingPathExtension("safetensors")
            defer { for url in [straight, paused, replayed] { try? FileManager.default.removeItem(at: url) } }
            try FineTune(configuration: configuration(method), folder: straight).run()
            try FineTune(configuration: configuration(method), folder: paused).run(pauseAfter: 3)
            _ = try FineTune.resume(paused)
            let latest = { (folder: URL) in try SafetensorsFile(path: RunDirectory(folder).latest.weights.path) }
            checkNames(try latest(straight).tensors.map(\.name))
            let values = { (file: SafetensorsFile) in try file.tensors.map { try $0.floats() } }
            XCTAssertEqual(try values(latest(straight)), try values(latest(paused)), "\(method.name): resume")
            let fresh = try adapter.makeAdapter(
                for: try LoadedModel.open(path: configuration(method).model).model, seed: configuration(method).training.seed)
            XCTAssertNotEqual(try values(latest(straight)), fresh.weights.entries.map { Array(fresh.weights.values($0)) },
                              "\(method.name): training moved the adapter")
            _ = try SeedLogReplay.rebuild(log: RunDirectory(straight).seedLog, output: replayed)
            XCTAssertEqual(try values(SafetensorsFile(path: replayed.path)), try values(latest(straight)), "\(method.name): replay")

            let sequences = [[5, 17, 42, 8], [3, 11, 60]]
            func logits(_ apply: (LanguageModel) throws -> Void) throws -> [Float] {
                let model = try LoadedModel.open(path: configuration(method).model).model
                try apply(model)
                let virtual = model.weights.virtualTokens?.tokens.ids ?? []
                return try model.lastPositionLogits(sequences.map { virtual + $0 })
            }
            XCTAssertEqual(try logits { try WeightCheckpoint.apply(RunDirectory(straight).best.weights, to: $0) },
                           try logits { try AdapterFile.apply(RunDirectory(straight).adapter.path, to: $0) }, method.name)
        }
    }

    /// The encoder puts the virtual tokens first, before a family's own prefix, as PEFT does.
    func testExamplesStartWithTheVirtualTokens() throws {
        let loaded = try LoadedModel.open(path: TrainerHarness.fixtures.appendingPathComponent("tiny-opt").path)
        let prompt = try PromptAdapter(for: loaded.model, tokens: 3)
        prompt.attach(to: loaded.model.weights)
        let source = configuration(.mezo()).taskSource
        let (_, data) = try source.encodedSplits(for: loaded, maxTokens: 64)
        let first = prompt.embedding.shape[0]
        XCTAssertEqual(Array(data.train[0].prompt.prefix(4)), [first, first + 1, first + 2, 2], "virtual ids, then OPT's </s>")
    }
}
