import Foundation
import XCTest
import ZOFormats
import ZOModels
import ZORandom
import ZOTensor

/// LoRA on every family's tiny fixture: the pairs land on the weights their kinds name, a fresh
/// adapter (B = 0) leaves every logit bit-identical, a trained-looking one (B ≠ 0) gives the logits
/// of the base with (α/r)·B·A folded into its weights, and PEFT folders round-trip.
final class LoRAAdapterTests: XCTestCase {
    static let fixtures = ["tiny-llama", "tiny-qwen2", "tiny-opt", "tiny-gpt2", "tiny-bert-mlm", "tiny-roberta-mlm"]
    static let sequences = [[5, 17, 42, 8, 99], [3, 11], [60, 7, 25, 31, 2, 14, 9]]

    private func model(_ fixture: String) throws -> LanguageModel {
        try LoadedModel.open(path: Fixtures.url(fixture).path).model
    }

    private func everyPosition(_ sequences: [[Int]]) -> [LogitRequest] {
        sequences.indices.flatMap { s in sequences[s].indices.map { LogitRequest(sequence: s, position: $0) } }
    }

    /// B filled with seeded values of typical trained size.
    private func randomizeUp(_ adapter: LoRAAdapter) {
        for (index, target) in adapter.targets.enumerated() {
            let values = adapter.weights.values(target.up)
            let normals = GaussianStream(seed: 77, tensor: index).normals(0..<values.count)
            for i in values.indices { values[i] = 0.05 * normals[i] }
        }
    }

    func testTargetsAreTheWeightsOfTheNamedKinds() throws {
        let expected: [String: [String]] = [
            "tiny-llama": ["self_attn.q_proj.weight", "self_attn.v_proj.weight"],
            "tiny-opt": ["self_attn.q_proj.weight", "self_attn.v_proj.weight"],
            "tiny-gpt2": ["attn.c_attn.weight"],
            "tiny-bert-mlm": ["attention.self.query.weight", "attention.self.value.weight"],
        ]
        for (fixture, suffixes) in expected {
            let model = try model(fixture)
            let adapter = try LoRAAdapter(for: model.weights, settings: LoRASettings())
            let layers = Set(model.weights.entries.compactMap(\.layer)).count
            XCTAssertEqual(adapter.targets.count, suffixes.count * layers, fixture)
            for target in adapter.targets {
                XCTAssertTrue(suffixes.contains { target.base.name.hasSuffix($0) }, "\(fixture): \(target.base.name)")
                let (inputs, outputs) = target.base.layout.features(of: target.base.shape)
                XCTAssertEqual(target.down.shape, [8, inputs])
                XCTAssertEqual(target.up.shape, [outputs, 8])
                XCTAssertEqual(target.down.name, String(target.base.name.dropLast(".weight".count)) + ".lora_A.weight")
                XCTAssertEqual(target.down.role, .adapter)
            }
        }
        let opt = try model("tiny-opt")
        let mlp = try LoRAAdapter(for: opt.weights, settings: LoRASettings(targets: ["mlp"]))
        XCTAssertEqual(Set(mlp.targets.map { $0.base.name.components(separatedBy: ".").suffix(2).joined(separator: ".") }),
                       ["fc1.weight", "fc2.weight"])
    }

    /// Adapters PEFT trained and saved (scripts/reference/make_peft_golden.py: r 4, α 8, PEFT's default
    /// targets, B random) applied with `--adapter`: every logit within 1e-4 of PEFT + transformers.
    func testAdaptersSavedByPEFTGivePEFTsLogits() throws {
        let golden = try GoldenFile("peft-golden.safetensors")
        for fixture in ["tiny-llama", "tiny-qwen2", "tiny-opt", "tiny-gpt2", "tiny-bert-mlm"] {
            let model = try model(fixture)
            let base = try model.logits(Self.sequences, at: everyPosition(Self.sequences))
            let adapter = try AdapterFile.apply(Fixtures.url("peft/\(fixture)").path, to: model)
            XCTAssertEqual(adapter.settings.rank, 4)
            XCTAssertEqual(adapter.settings.alpha, 8)
            let sequences = try golden.sequences(ids: "\(fixture).input_ids", lengths: "\(fixture).lengths")
            XCTAssertEqual(sequences, Self.sequences)
            let logits = try model.logits(sequences, at: everyPosition(sequences))
            let reference = try golden.floats("\(fixture).logits")
            XCTAssertGreaterThan(maxAbsDifference(base[...], reference[...]), 1e-2, "\(fixture): PEFT's adapter changes the logits")
            let difference = maxAbsDifference(logits[...], reference[...])
            XCTAssertLessThan(difference, 1e-4, fixture)
            print("\(fixture): max |Δlogit| vs PEFT \(difference)")
        }
    }

    func testBadSettingsAreRefusedWithOneSentence() throws {
        let opt = try model("tiny-opt")
        XCTAssertThrowsError(try LoRAAdapter(for: opt.weights, settings: LoRASettings(targets: ["gate"]))) {
            XCTAssertEqual("\($0)", "the model has no linear weight of kind \"gate\" to put LoRA on; its kinds are q, k, v, o, up, down")
        }
        XCTAssertThrowsError(try LoRAAdapter(for: opt.weights, settings: LoRASettings(targets: ["wq"]))) {
            XCTAssertTrue("\($0)".hasPrefix("unknown LoRA target \"wq\""), "\($0)")
        }
        XCTAssertThrowsError(try LoRAAdapter(for: opt.weights, settings: LoRASettings(rank: 100_000))) {
            XCTAssertTrue("\($0)".hasPrefix("LoRA rank 100000 is larger than model.decoder.layers.0.self_attn.q_proj.weight"), "\($0)")
        }
        XCTAssertThrowsError(try LoRAAdapter(for: opt.weights, settings: LoRASettings(rank: 0)))
    }

    /// B = 0 adds exactly zero: step 0 of an adapter run is the base model, bit for bit.
    func testAFreshAdapterLeavesEveryLogitBitIdentical() throws {
        for fixture in Self.fixtures {
            let model = try model(fixture)
            let requests = everyPosition(Self.sequences)
            let base = try model.logits(Self.sequences, at: requests)
            let adapter = try LoRAAdapter(for: model.weights, settings: LoRASettings(rank: 4, targets: ["q", "k", "v", "o", "mlp"]))
            adapter.initialise(seed: 1)
            XCTAssertTrue(adapter.weights.values(adapter.targets[0].down).contains { $0 != 0 }, fixture)
            adapter.attach(to: model.weights)
            XCTAssertEqual(try model.logits(Self.sequences, at: requests), base, fixture)
        }
    }

    /// The forward's x·W + (α/r)·(x·Aᵀ)·Bᵀ equals x·(W + (α/r)·B·A) to rounding, in every family and
    /// weight layout (GPT-2's Conv1D stores W transposed).
    func testTheAdaptedForwardEqualsTheMergedWeights() throws {
        for fixture in Self.fixtures {
            let adapted = try model(fixture), merged = try model(fixture)
            let settings = LoRASettings(rank: 4, alpha: 8, targets: ["q", "v", "o", "mlp"])
            let adapter = try LoRAAdapter(for: adapted.weights, settings: settings)
            adapter.initialise(seed: 2)
            randomizeUp(adapter)
            adapter.attach(to: adapted.weights)
            let requests = everyPosition(Self.sequences)
            let base = try merged.logits(Self.sequences, at: requests)
            adapter.merge(into: merged.weights)
            let withAdapter = try adapted.logits(Self.sequences, at: requests)
            let withMerged = try merged.logits(Self.sequences, at: requests)
            XCTAssertGreaterThan(maxAbsDifference(withAdapter[...], base[...]), 1e-3, "\(fixture): the adapter changed nothing")
            XCTAssertLessThan(maxAbsDifference(withAdapter[...], withMerged[...]), 1e-4, fixture)
        }
    }

    func testAPEFTFolderRoundTripsAndAppliesToAFreshModel() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-peft-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        for fixture in ["tiny-llama", "tiny-gpt2"] {
            try? FileManager.default.removeItem(at: folder)
            let trained = try model(fixture)
            let adapter = try LoRAAdapter(for: trained.weights, settings: LoRASettings(rank: 4, alpha: 32))
            adapter.initialise(seed: 5)
            randomizeUp(adapter)
            adapter.attach(to: trained.weights)
            try PEFTAdapterFolder.write(adapter, baseModel: fixture, causalLanguageModel: true, to: folder)

            let config = try XCTUnwrap(JSONSerialization.jsonObject(
                with: Data(contentsOf: folder.appendingPathComponent("adapter_config.json"))) as? [String: Any])
            XCTAssertEqual(config["peft_type"] as? String, "LORA")
            XCTAssertEqual(config["r"] as? Int, 4)
            XCTAssertEqual(config["lora_alpha"] as? Double, 32)
            XCTAssertEqual(config["task_type"] as? String, "CAUSAL_LM")
            XCTAssertEqual(config["fan_in_fan_out"] as? Bool, fixture == "tiny-gpt2")
            XCTAssertEqual((config["target_modules"] as? [String])?.count, adapter.targets.count)
            let file = try SafetensorsFile(path: folder.appendingPathComponent("adapter_model.safetensors").path)
            XCTAssertEqual(Set(file.tensors.map(\.name)), Set(adapter.weights.entries.map { "base_model.model." + $0.name }))

            let fresh = try model(fixture)
            let read = try AdapterFile.apply(folder.path, to: fresh)
            XCTAssertEqual(read.settings.rank, 4)
            XCTAssertEqual(read.settings.alpha, 32)
            let requests = everyPosition(Self.sequences)
            XCTAssertEqual(try fresh.logits(Self.sequences, at: requests), try trained.logits(Self.sequences, at: requests), fixture)

            XCTAssertThrowsError(try PEFTAdapterFolder.write(adapter, baseModel: fixture, causalLanguageModel: true, to: folder)) {
                XCTAssertTrue("\($0)".contains("already holds files"), "\($0)")
            }
        }
    }

    /// PEFT options that would change the forward, stray tensors, and adapters of another model are
    /// refused by name — never a silently ignored tensor.
    func testPEFTFoldersZOTuneCannotHonourAreRefused() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-peft-bad-\(UUID())")
        defer { try? FileManager.default.removeItem(at: folder) }
        let llama = try model("tiny-llama")
        let adapter = try LoRAAdapter(for: llama.weights, settings: LoRASettings(rank: 2))
        adapter.initialise(seed: 0)
        try PEFTAdapterFolder.write(adapter, baseModel: "tiny-llama", causalLanguageModel: true, to: folder)
        let configURL = folder.appendingPathComponent("adapter_config.json")
        let original = try Data(contentsOf: configURL)
        for (key, value, message) in [
            ("use_dora", true as Any, "use_dora (DoRA)"), ("use_rslora", true, "use_rslora"),
            ("rank_pattern", ["q_proj": 4], "rank_pattern"), ("modules_to_save", ["lm_head"], "modules_to_save"),
            ("peft_type", "IA3", "peft_type IA3"),
        ] {
            var config = try XCTUnwrap(JSONSerialization.jsonObject(with: original) as? [String: Any])
            config[key] = value
            try JSONSerialization.data(withJSONObject: config).write(to: configURL)
            XCTAssertThrowsError(try AdapterFile.apply(folder.path, to: try model("tiny-llama"))) {
                XCTAssertTrue("\($0)".contains(message) && "\($0)".contains("ZOTune does not implement"), "\($0)")
            }
        }
        try original.write(to: configURL)
        // Another architecture: OPT has q_proj too, but under other names.
        XCTAssertThrowsError(try AdapterFile.apply(folder.path, to: try model("tiny-opt"))) {
            XCTAssertTrue("\($0)".contains("which this model has no linear weight of"), "\($0)")
        }
        let weights = folder.appendingPathComponent("adapter_model.safetensors")
        let stored = try SafetensorsFile(path: weights.path).tensors.map {
            SafetensorsWriter.Tensor(name: $0.name, shape: $0.shape, floats: try $0.floats())
        }
        func rewrite(_ tensors: [SafetensorsWriter.Tensor]) throws {
            try FileManager.default.removeItem(at: weights)
            try SafetensorsWriter().write(tensors, metadata: [:], to: weights)
        }
        // The same names with other shapes (an adapter of a model of another width).
        var narrow = stored
        let a = narrow.firstIndex { $0.name.hasSuffix("lora_A.weight") }!
        narrow[a] = SafetensorsWriter.Tensor(name: narrow[a].name, shape: [2, 32], floats: [Float](repeating: 0, count: 64))
        try rewrite(narrow)
        XCTAssertThrowsError(try AdapterFile.apply(folder.path, to: try model("tiny-llama"))) {
            XCTAssertTrue("\($0)".contains("has shape [2, 32] where this model needs [2, 64]"), "\($0)")
        }
        // A tensor that is no LoRA pair.
        try rewrite(stored + [SafetensorsWriter.Tensor(name: "base_model.model.model.norm.weight", shape: [1], floats: [1])])
        XCTAssertThrowsError(try AdapterFile.apply(folder.path, to: try model("tiny-llama"))) {
            XCTAssertTrue("\($0)".contains("model.norm.weight, which is not a LoRA A or B weight"), "\($0)")
        }
        // Half a pair.
        try rewrite(stored.filter { !$0.name.hasSuffix("layers.1.self_attn.v_proj.lora_B.weight") })
        XCTAssertThrowsError(try AdapterFile.apply(folder.path, to: try model("tiny-llama"))) {
            XCTAssertTrue("\($0)".contains("model.layers.1.self_attn.v_proj.lora_B.weight is missing"), "\($0)")
        }
    }
}
