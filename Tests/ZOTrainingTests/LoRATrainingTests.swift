import Foundation
import XCTest
import ZOEstimators
import ZOFormats
import ZOModels
import ZOTasks
import ZOTraining

/// Every estimator trains LoRA adapters on a frozen base: the loss falls, resume and replay are byte
/// for byte, the base never changes, and a run leaves checkpoints and a PEFT folder that apply to a
/// fresh model.
final class LoRATrainingTests: XCTestCase {
    static let lora = LoRASettings(rank: 4, alpha: 8)
    static let estimators: [any ZerothOrderEstimator] = [
        MeZO(configuration: .init(directions: 2)),
        SubZero(configuration: .init(rank: 4, window: 10)),
        DiZO(configuration: .init(directions: 2, projectionInterval: 20, projectionIterations: 5)),
        PGAP(configuration: .init(rank: 4, window: 10, probes: 4)),
    ]

    func testEveryEstimatorResumesAndReplaysAnAdapterRunByteForByte() throws {
        for fixture in ["tiny-llama", "tiny-gpt2"] {
            for estimator in Self.estimators {
                try assertResumeAndReplay(estimator, fixture: fixture)
            }
        }
    }

    private func assertResumeAndReplay<E: ZerothOrderEstimator>(_ estimator: E, fixture: String) throws {
        try TrainerHarness.assertResumeAndReplayAreBitExact(estimator: estimator, steps: 8, fixture: fixture, lora: Self.lora)
    }

    /// On a task with one constant answer, the training loss falls below 80 % of its start: every
    /// estimator in 100 steps on tiny-opt and tiny-gpt2 (where it falls to 1–25 % of its start); on
    /// tiny-llama and tiny-qwen2 MeZO and DiZO in 300 steps (to 6–20 %). SubZero and P-GAP are left
    /// out there: on those two fixtures they stall or climb back after a few hundred steps with full
    /// tuning as much as with LoRA (full-weight SubZero on tiny-llama: 0.85 → 0.56 at step 300,
    /// 1.76 at step 1000), which is their behaviour on these models, not the adapter's.
    func testEveryEstimatorLowersTheLossThroughTheAdapter() throws {
        for fixture in ["tiny-opt", "tiny-gpt2"] {
            for estimator in Self.estimators {
                try assertLowersTheLoss(estimator, fixture: fixture, steps: 100)
            }
        }
        for fixture in ["tiny-llama", "tiny-qwen2"] {
            for estimator in Self.estimators where estimator is MeZO || estimator is DiZO {
                try assertLowersTheLoss(estimator, fixture: fixture, steps: 300)
            }
        }
    }

    private func assertLowersTheLoss<E: ZerothOrderEstimator>(_ estimator: E, fixture: String, steps: Int) throws {
        var harness = try TrainerHarness(fixture: fixture, constantLabel: 0)
        harness.lora = Self.lora
        harness.learningRate = 1e-2
        let run = harness.newRun()
        defer { try? FileManager.default.removeItem(at: run.url) }
        let (before, after) = try harness.trainingLoss(before: try harness.trainer(estimator, run: run, steps: steps, evalEvery: steps))
        print(String(format: "%@-LoRA on %@: training loss %.4f → %.4f in %d steps", E.name, fixture, before, after, steps))
        XCTAssertLessThan(after, 0.8 * before, "\(E.name)-LoRA on \(fixture)")
    }

    private func configuration(steps: Int = 4, adapter: AdapterSettings? = .lora(lora)) -> RunConfiguration {
        TrainerHarness.smallRun(adapter: adapter, steps: steps, learningRate: 1e-2)
    }

    private func newFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("zotune-lora-\(UUID())")
    }

    /// The library entry: checkpoints hold the pairs alone (with α), the run leaves a PEFT folder of
    /// its best weights, both apply to a fresh base to the same logits, and replay rebuilds the
    /// checkpoint's bytes.
    func testAnAdapterRunLeavesFilesThatApplyToAFreshBase() throws {
        let folder = newFolder(), replayed = newFolder().appendingPathExtension("safetensors"), exported = newFolder()
        defer { for url in [folder, replayed, exported] { try? FileManager.default.removeItem(at: url) } }
        let summary = try FineTune(configuration: configuration(), folder: folder).run()
        XCTAssertEqual(summary.steps, 4)
        let run = RunDirectory(folder)
        let checkpoint = try SafetensorsFileNames(run.latest.weights)
        XCTAssertTrue(checkpoint.names.allSatisfy(LoRAAdapter.isPairTensor), "\(checkpoint.names)")
        XCTAssertEqual(checkpoint.names.count, 2 * 2 * 2, "q and v of two layers, A and B")
        XCTAssertEqual(checkpoint.metadata["lora_alpha"], "8.0")

        let sequences = [[5, 17, 42, 8], [3, 11, 60]]
        func logits(_ apply: (LanguageModel) throws -> Void) throws -> [Float] {
            let model = try LoadedModel.open(path: configuration().model).model
            try apply(model)
            return try model.lastPositionLogits(sequences)
        }
        let fromCheckpoint = try logits { try WeightCheckpoint.apply(run.best.weights, to: $0) }
        let fromPEFT = try logits { try AdapterFile.apply(run.adapter.path, to: $0) }
        XCTAssertEqual(fromCheckpoint, fromPEFT)
        var export = RunExport(run: folder)
        export.checkpoint = .best
        try export.write(.peft, to: exported)
        XCTAssertEqual(try Data(contentsOf: exported.appendingPathComponent("adapter_model.safetensors")),
                       try Data(contentsOf: run.adapter.appendingPathComponent("adapter_model.safetensors")))
        let gguf = exported.appendingPathExtension("gguf")
        defer { try? FileManager.default.removeItem(at: gguf) }
        try export.write(.ggufLoRA, to: gguf)
        XCTAssertEqual(try logits { try AdapterFile.apply(gguf.path, to: $0) }, fromPEFT)
        // The adapter folded into a Hugging Face folder of the whole model: equal to rounding.
        let merged = newFolder()
        defer { try? FileManager.default.removeItem(at: merged) }
        try export.write(.merged, to: merged)
        let mergedLogits = try LoadedModel.open(path: merged.path).model.lastPositionLogits(sequences)
        XCTAssertLessThan(zip(mergedLogits, fromPEFT).map { abs($0 - $1) }.max()!, 1e-5)
        XCTAssertTrue(FileManager.default.fileExists(atPath: merged.appendingPathComponent("tokenizer.json").path))

        let rebuilt = try SeedLogReplay.rebuild(log: run.seedLog, output: replayed)
        XCTAssertEqual(rebuilt.steps, 4)
        XCTAssertEqual(try SafetensorsFileNames(replayed).tensorBytes, try SafetensorsFileNames(run.latest.weights).tensorBytes)
    }

    func testAdapterRunsRefuseOptionsForBaseWeights() throws {
        var trainable = configuration()
        trainable.trainableRoles = [.norm]
        XCTAssertThrowsError(try FineTune(configuration: trainable, folder: newFolder()).run()) {
            XCTAssertTrue("\($0)".contains("with --tuning lora only the adapter trains"), "\($0)")
        }
        XCTAssertThrowsError(try RunExport(run: newFolder()).write(.peft, to: newFolder())) {
            XCTAssertTrue("\($0)".contains("no config.json"), "\($0)")
        }
        let full = newFolder()
        defer { try? FileManager.default.removeItem(at: full) }
        try FineTune(configuration: configuration(steps: 2, adapter: nil), folder: full).run()
        XCTAssertFalse(FileManager.default.fileExists(atPath: RunDirectory(full).adapter.path))
        XCTAssertThrowsError(try RunExport(run: full).write(.peft, to: newFolder())) {
            XCTAssertTrue("\($0)".contains("is a full-tuning run: it has no adapter"), "\($0)")
        }
        // A full run's best weights as a Hugging Face folder: the same bytes the checkpoint applies.
        let merged = newFolder()
        defer { try? FileManager.default.removeItem(at: merged) }
        try RunExport(run: full).write(.merged, to: merged)
        let base = try LoadedModel.open(path: configuration().model).model
        try WeightCheckpoint.apply(RunDirectory(full).best.weights, to: base)
        let sequences = [[5, 17, 42, 8], [3, 11, 60]]
        XCTAssertEqual(try LoadedModel.open(path: merged.path).model.lastPositionLogits(sequences), try base.lastPositionLogits(sequences))
    }
}

/// The tensor names, metadata and tensor bytes of a safetensors file (its header may order keys differently).
private struct SafetensorsFileNames {
    let names: [String]
    let metadata: [String: String]
    let tensorBytes: [String: [Float]]

    init(_ url: URL) throws {
        let file = try SafetensorsFile(path: url.path)
        names = file.tensors.map(\.name)
        metadata = file.metadata
        tensorBytes = Dictionary(uniqueKeysWithValues: try file.tensors.map { ($0.name, try $0.floats()) })
    }
}
