import Foundation
import XCTest
import ZOEstimators
import ZOFormats
import ZOModels
import ZOTensor
import ZOTraining

/// Adapter runs on a bfloat16 or stored base: the run records the precision, resumes and replays exactly on
/// it (a prefix starts from the narrow base's activations, so replay must load it the same way), and
/// full tuning on a narrow base is refused.
final class BFloat16BaseTrainingTests: XCTestCase {
    private func configuration(
        _ adapter: AdapterSettings?, method: MethodConfiguration = .mezo(.init(directions: 2)), base: StoragePrecision = .bfloat16
    ) -> RunConfiguration {
        var configuration = TrainerHarness.smallRun(method: method, adapter: adapter, learningRate: 1e-2)
        configuration.basePrecision = base
        return configuration
    }

    private func newFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("zotune-bf16-\(UUID())")
    }

    func testAdapterRunsOnANarrowBaseResumeAndReplayExactly() throws {
        let cases: [(AdapterSettings, StoragePrecision)] = [
            (.lora(LoRASettings(rank: 2)), .bfloat16), (.prefix(PrefixSettings(tokens: 2)), .bfloat16),
            (.prompt(PromptSettings(tokens: 2)), .bfloat16), (.lora(LoRASettings(rank: 2)), .stored),
            (.prompt(PromptSettings(tokens: 2)), .stored),
        ]
        for (adapter, base) in cases {
            for method: MethodConfiguration in [.mezo(.init(directions: 2)), .pgap(.init(rank: 2, window: 3, probes: 2))] {
                let straight = newFolder(), paused = newFolder(), replayed = newFolder().appendingPathExtension("safetensors")
                defer { for url in [straight, paused, replayed] { try? FileManager.default.removeItem(at: url) } }
                try FineTune(configuration: configuration(adapter, method: method, base: base), folder: straight).run()
                try FineTune(configuration: configuration(adapter, method: method, base: base), folder: paused).run(pauseAfter: 2)
                _ = try FineTune.resume(paused)
                let label = "\(adapter.scheme) \(method.name) on a \(base.rawValue) base"
                XCTAssertEqual(try RunDirectory(straight).readConfiguration().basePrecision, base, label)
                let values = { (url: URL) in try SafetensorsFile(path: url.path).tensors.map { try $0.floats() } }
                let latest = try values(RunDirectory(straight).latest.weights)
                XCTAssertEqual(latest, try values(RunDirectory(paused).latest.weights), "\(label): resume")
                _ = try SeedLogReplay.rebuild(log: RunDirectory(straight).seedLog, output: replayed)
                XCTAssertEqual(try values(replayed), latest, "\(label): replay")
            }
        }
    }

    func testFullTuningOnANarrowBaseIsRefused() {
        XCTAssertThrowsError(try FineTune(configuration: configuration(nil), folder: newFolder()).run()) {
            XCTAssertTrue("\($0)".contains("a base held as bf16 or stored is frozen: it trains adapters only"), "\($0)")
        }
    }
}
