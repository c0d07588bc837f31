import Foundation
import ZOFormats
import ZOTensor

/// Fills a `LlamaModel` from stored tensors, strictly: every arena entry must be present with the
/// right shape, and every stored tensor must be used (a few known-redundant ones excepted).
enum LlamaLoader {
    /// Tensors that checkpoints carry but a LLaMA forward does not need.
    private static func isIgnorable(_ name: String, tied: Bool) -> Bool {
        name.hasSuffix("rotary_emb.inv_freq") || (tied && name == "lm_head.weight")
    }

    static func load(
        _ model: LlamaModel, from tensors: [String: StoredTensor], source: String,
        prepare: (String, UnsafeMutableBufferPointer<Float>) -> Void = { _, _ in }
    ) throws {
        let c = model.configuration
        for name in tensors.keys.sorted() where model.weights.entry(named: name) == nil {
            if isIgnorable(name, tied: c.tieWordEmbeddings) { continue }
            throw ModelError.unusedWeight(name: name, source: source)
        }
        for entry in model.weights.entries {
            guard let tensor = tensors[entry.name] else { throw ModelError.missingWeight(name: entry.name, source: source) }
            guard tensor.shape == entry.shape else {
                throw ModelError.wrongShape(name: entry.name, expected: entry.shape, actual: tensor.shape)
            }
            let destination = model.weights.values(entry)
            try tensor.decodeAndRelease(into: destination)
            prepare(entry.name, destination)
        }
    }

    /// Loads a GGUF file: configuration from metadata, tensors renamed to HF names, q/k rows un-permuted.
    static func load(gguf: GGUFFile) throws -> LlamaModel {
        try TokenizerLoading.checkSupported(gguf)
        let configuration = try LlamaConfiguration.fromGGUF(gguf)
        let model = LlamaModel(configuration: configuration)
        var tensors: [String: StoredTensor] = [:]
        for tensor in gguf.tensors {
            guard let name = GGUFTensorNames.huggingFaceName(tensor.name) else {
                throw ModelError.unusedWeight(name: tensor.name, source: gguf.path)
            }
            tensors[name] = tensor
        }
        try load(model, from: tensors, source: gguf.path) { name, values in
            if name.hasSuffix("self_attn.q_proj.weight") {
                GGUFTensorNames.unpermuteRows(values, heads: configuration.headCount, columns: configuration.hiddenSize)
            } else if name.hasSuffix("self_attn.k_proj.weight") {
                GGUFTensorNames.unpermuteRows(
                    values, heads: configuration.keyValueHeadCount, columns: configuration.hiddenSize)
            }
        }
        return model
    }

    /// Loads a Hugging Face folder: `config.json` plus every `*.safetensors` file in it.
    static func load(huggingFaceFolder folder: URL) throws -> (LlamaModel, [StoredTensor]) {
        let configURL = folder.appendingPathComponent("config.json")
        guard let configData = FileManager.default.contents(atPath: configURL.path) else {
            throw ModelError.missingFile(path: configURL.path, purpose: "the model configuration")
        }
        let configuration = try LlamaConfiguration.fromHuggingFace(configData, source: configURL.path)
        let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".safetensors") }.sorted()
        guard !files.isEmpty else {
            throw ModelError.missingFile(path: folder.appendingPathComponent("model.safetensors").path, purpose: "the weights")
        }
        var tensors: [String: StoredTensor] = [:]
        for file in files {
            let parsed = try SafetensorsFile(path: folder.appendingPathComponent(file).path)
            for tensor in parsed.tensors {
                guard tensors[tensor.name] == nil else { throw FormatError.duplicateTensor(name: tensor.name) }
                tensors[tensor.name] = tensor
            }
        }
        let model = LlamaModel(configuration: configuration)
        try load(model, from: tensors, source: folder.path)
        return (model, Array(tensors.values))
    }
}
