import Foundation
import XCTest
import ZOEstimators
import ZOFormats
import ZOModels
import ZOTasks
import ZOTraining

/// Prompt tuning through the library entry, with every estimator: the examples start with the
/// virtual tokens, a paused and resumed run equals a straight one byte for byte, replay rebuilds the
/// prompt, the base never changes, and the run's PEFT folder applies to a fresh base.
final class PromptTrainingTests: XCTestCase {
    private func configuration(_ method: MethodConfiguration) -> RunConfiguration {
        TrainerHarness.smallRun(method: method, adapter: .prompt(PromptSettings(tokens: 4)), learningRate: 1e-2)
    }

    private func newFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("zotune-prompt-\(UUID())")
    }

    func testEveryEstimatorTrainsAPromptThatResumesReplaysAndExports() throws {
        let methods: [MethodConfiguration] = [
            .mezo(.init(directions: 2)), .subzero(.init(rank: 4, window: 3)),
            .dizo(.init(directions: 2, projectionInterval: 2, projectionIterations: 2, projectedTensors: ["*"])),
            .pgap(.init(rank: 4, window: 3, probes: 2)),
        ]
        for method in methods {
            let straight = newFolder(), paused = newFolder(), replayed = newFolder().appendingPathExtension("safetensors")
            defer { for url in [straight, paused, replayed] { try? FileManager.default.removeItem(at: url) } }
            try FineTune(configuration: configuration(method), folder: straight).run()
            try FineTune(configuration: configuration(method), folder: paused).run(pauseAfter: 3)
            _ = try FineTune.resume(paused)
            let latest = { (folder: URL) in try SafetensorsFile(path: RunDirectory(folder).latest.weights.path) }
            XCTAssertEqual(try latest(straight).tensors.map(\.name), [PromptAdapter.tensorName], method.name)
            XCTAssertEqual(try latest(straight).tensors[0].floats(), try latest(paused).tensors[0].floats(), "\(method.name): resume")
            _ = try SeedLogReplay.rebuild(log: RunDirectory(straight).seedLog, output: replayed)
            XCTAssertEqual(try SafetensorsFile(path: replayed.path).tensors[0].floats(), try latest(straight).tensors[0].floats(),
                           "\(method.name): replay")

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
