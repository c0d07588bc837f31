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
            let adapter = try XCTUnwrap(try AdapterFile.apply(Fixtures.url("peft/\(fixture)").path, to: model) as? LoRAAdapter)
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
            let read = try XCTUnwrap(try AdapterFile.apply(folder.path, to: fresh) as? LoRAAdapter)
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

    /// A llama.cpp LoRA GGUF written for a GGUF base (llama with its permuted q/k rows, qwen2, gpt2)
    /// holds what llama.cpp checks — type, architecture, α, `<weight>.lora_a` [r × in] and `.lora_b`
    /// [out × r] — and applied back gives the same logits, bit for bit.
    func testALlamaCppLoRAFileRoundTrips() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-lora-\(UUID()).gguf")
        defer { try? FileManager.default.removeItem(at: file) }
        for (base, architecture) in [("tiny-llama3-rope", "llama"), ("tiny-qwen2", "qwen2"), ("tiny-gpt2", "gpt2")] {
            try? FileManager.default.removeItem(at: file)
            let path = Fixtures.url("formats/\(base).gguf").path
            let trained = try LoadedModel.open(path: path).model
            let adapter = try LoRAAdapter(for: trained.weights, settings: LoRASettings(rank: 4, alpha: 8, targets: ["q", "k", "v", "o", "mlp"]))
            adapter.initialise(seed: 9)
            randomizeUp(adapter)
            adapter.attach(to: trained.weights)
            try GGUFLoRAFile.write(adapter, model: trained, to: file)

            let gguf = try GGUFFile(path: file.path)
            XCTAssertEqual(gguf.metadata["general.type"]?.string, "adapter")
            XCTAssertEqual(gguf.metadata["adapter.type"]?.string, "lora")
            XCTAssertEqual(gguf.metadata["general.architecture"]?.string, architecture)
            XCTAssertEqual(gguf.metadata["adapter.lora.alpha"]?.double, 8)
            XCTAssertEqual(gguf.tensors.count, 2 * adapter.targets.count)
            let down = try XCTUnwrap(gguf.tensor(named: architecture == "gpt2" ? "blk.1.attn_qkv.weight.lora_a" : "blk.1.attn_q.weight.lora_a"))
            let baseWeight = try XCTUnwrap(try GGUFFile(path: path).tensor(named: architecture == "gpt2" ? "blk.1.attn_qkv.weight" : "blk.1.attn_q.weight"))
            // llama.cpp: a.ne[0] == weight.ne[0] (inputs), b.ne[1] == weight.ne[1] (outputs), a.ne[1] == b.ne[0] == r.
            XCTAssertEqual(down.shape, [4, baseWeight.shape[1]], base)
            let up = try XCTUnwrap(gguf.tensor(named: down.name.replacingOccurrences(of: "lora_a", with: "lora_b")))
            XCTAssertEqual(up.shape, [baseWeight.shape[0], 4], base)

            let fresh = try LoadedModel.open(path: path).model
            let read = try XCTUnwrap(try AdapterFile.apply(file.path, to: fresh) as? LoRAAdapter)
            XCTAssertEqual(read.targets.count, adapter.targets.count)
            let requests = everyPosition(Self.sequences)
            XCTAssertEqual(try fresh.logits(Self.sequences, at: requests), try trained.logits(Self.sequences, at: requests), base)
        }
    }

    /// llama.cpp's converter permuted the rows of llama's q (and k) in the GGUF base; B, whose rows
    /// are the weight's output rows, must be written in that same order. The permutation is read off
    /// the fixture itself: GGUF row r of `attn_q` equals HF row perm(r) of `q_proj`.
    func testLlamaQueryRowsOfBAreWrittenInTheBasesGGUFOrder() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-lora-\(UUID()).gguf")
        defer { try? FileManager.default.removeItem(at: file) }
        let path = Fixtures.url("formats/tiny-llama3-rope.gguf").path
        let model = try LoadedModel.open(path: path).model
        let adapter = try LoRAAdapter(for: model.weights, settings: LoRASettings(rank: 4, targets: ["q"]))
        adapter.initialise(seed: 3)
        randomizeUp(adapter)
        try GGUFLoRAFile.write(adapter, model: model, to: file)

        let hfQuery = try SafetensorsFile(path: Fixtures.url("tiny-llama3-rope/model.safetensors").path)
            .tensor(named: "model.layers.0.self_attn.q_proj.weight")!.floats()
        let ggufQuery = try GGUFFile(path: path).tensor(named: "blk.0.attn_q.weight")!.floats()
        let columns = 64, rows = hfQuery.count / columns
        let hfRows = (0..<rows).map { Array(hfQuery[($0 * columns)..<(($0 + 1) * columns)]) }
        let permutation = (0..<rows).map { r in hfRows.firstIndex(of: Array(ggufQuery[(r * columns)..<((r + 1) * columns)]))! }
        XCTAssertNotEqual(permutation, Array(0..<rows), "the fixture's q rows are permuted")

        let target = adapter.targets[0]
        XCTAssertEqual(target.base.name, "model.layers.0.self_attn.q_proj.weight")
        let up = Array(adapter.weights.values(target.up)), rank = 4
        let written = try GGUFFile(path: file.path).tensor(named: "blk.0.attn_q.weight.lora_b")!.floats()
        for r in 0..<rows {
            XCTAssertEqual(Array(written[(r * rank)..<((r + 1) * rank)]), Array(up[(permutation[r] * rank)..<((permutation[r] + 1) * rank)]))
        }
    }

    func testLlamaCppLoRAFilesThatDoNotFitAreRefused() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-lora-\(UUID()).gguf")
        defer { try? FileManager.default.removeItem(at: file) }
        let opt = try model("tiny-opt")
        let optAdapter = try LoRAAdapter(for: opt.weights, settings: LoRASettings(rank: 2))
        XCTAssertThrowsError(try GGUFLoRAFile.write(optAdapter, model: opt, to: file)) {
            XCTAssertTrue("\($0)".contains("llama.cpp has no architecture for opt models"), "\($0)")
        }
        let gpt2 = try LoadedModel.open(path: Fixtures.url("formats/tiny-gpt2.gguf").path).model
        let adapter = try LoRAAdapter(for: gpt2.weights, settings: LoRASettings(rank: 2))
        adapter.initialise(seed: 0)
        try GGUFLoRAFile.write(adapter, model: gpt2, to: file)
        XCTAssertThrowsError(try GGUFLoRAFile.write(adapter, model: gpt2, to: file)) {
            XCTAssertTrue("\($0)".contains("already exists"), "\($0)")
        }
        XCTAssertThrowsError(try AdapterFile.apply(file.path, to: try LoadedModel.open(path: Fixtures.url("formats/tiny-qwen2.gguf").path).model)) {
            XCTAssertTrue("\($0)".contains("it is for the gpt2 architecture, this model is qwen2"), "\($0)")
        }
        XCTAssertThrowsError(try AdapterFile.apply(Fixtures.url("formats/tiny-gpt2.gguf").path, to: gpt2)) {
            XCTAssertTrue("\($0)".contains("not a LoRA adapter"), "\($0)")
        }
    }
}
