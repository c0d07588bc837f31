import Foundation
import ZOFormats
import ZOTensor

/// A LoRA adapter as llama.cpp loads it (`--lora FILE`, `llama_adapter_lora_init`): a GGUF with
/// `general.type = adapter`, `adapter.type = lora`, `adapter.lora.alpha`, the base's
/// `general.architecture`, and per adapted weight `<GGUF weight name>.lora_a` (ne [inputs, r]) and
/// `.lora_b` (ne [r, outputs]), with PEFT's scale α / r. Where llama.cpp's converter permuted a
/// weight's rows (q and k of `llama`), B's rows — the weight's output rows — are permuted the same way.
public enum GGUFLoRAFile {
    static let downSuffix = ".lora_a"
    static let upSuffix = ".lora_b"

    /// Whether `path` is a GGUF file (by its magic).
    public static func isGGUF(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return (try? handle.read(upToCount: 4)) == Data("GGUF".utf8)
    }

    /// Writes `adapter` (attached to `model`) as a llama.cpp LoRA GGUF at `url`, which must not exist.
    public static func write(_ adapter: LoRAAdapter, model: LanguageModel, to url: URL) throws {
        guard let layout = (model as? GGUFNamedModel)?.ggufLayout else {
            throw AdapterError.invalidSetting("llama.cpp has no architecture for \(model.family) models, so there is no GGUF LoRA for them")
        }
        guard !FileManager.default.fileExists(atPath: url.path) else {
            throw AdapterError.invalidSetting("\(url.path) already exists; choose a new file (nothing is overwritten)")
        }
        var writer = GGUFWriter()
        writer.metadata = [
            ("general.architecture", .string(layout.architecture)),
            ("general.type", .string("adapter")),
            ("adapter.type", .string("lora")),
            ("adapter.lora.alpha", .float32(adapter.settings.alpha)),
        ]
        for target in adapter.targets {
            guard let name = layout.names.ggufName(target.base.name) else {
                throw AdapterError.invalidSetting("\(target.base.name) has no llama.cpp name in the \(layout.architecture) architecture")
            }
            var up = Array(adapter.weights.values(target.up))
            if let heads = layout.permutedHeads(target.base.name) {
                permuteRows(&up, heads: heads, columns: adapter.settings.rank)
            }
            let down = adapter.weights.values(target.down)
            writer.tensors.append(.init(name: name + downSuffix, shape: target.down.shape, floats: UnsafeBufferPointer(down)))
            up.withUnsafeBufferPointer { writer.tensors.append(.init(name: name + upSuffix, shape: target.up.shape, floats: $0)) }
        }
        try writer.write(to: url)
    }

    /// Reads the llama.cpp LoRA GGUF at `path` onto `model` (not attached), checking its type, its
    /// architecture against the model's and every tensor's name and shape.
    public static func read(_ path: String, onto model: LanguageModel) throws -> LoRAAdapter {
        let file = try GGUFFile(path: path)
        let type = file.metadata["general.type"]?.string, adapterType = file.metadata["adapter.type"]?.string
        guard type == "adapter", adapterType == "lora" else {
            throw AdapterError.mismatch(
                path: path, reason: "it is a GGUF \(type ?? "model") file, not a LoRA adapter (general.type \"adapter\", adapter.type \"lora\")")
        }
        guard let layout = (model as? GGUFNamedModel)?.ggufLayout else {
            throw AdapterError.mismatch(path: path, reason: "llama.cpp has no architecture for \(model.family) models")
        }
        let architecture = file.metadata["general.architecture"]?.string ?? "(none)"
        guard architecture == layout.architecture else {
            throw AdapterError.mismatch(path: path, reason: "it is for the \(architecture) architecture, this model is \(layout.architecture)")
        }
        // llama.cpp treats a missing alpha as 0, which drops the α/r scale: the pair applies unscaled.
        let rank = file.tensors.first { $0.name.hasSuffix(downSuffix) }?.shape.first ?? 1
        let alpha = file.metadata["adapter.lora.alpha"]?.double.map(Float.init) ?? 0
        var tensors: [String: StoredTensor] = [:]
        for tensor in file.tensors {
            let suffix = tensor.name.hasSuffix(downSuffix) ? downSuffix : tensor.name.hasSuffix(upSuffix) ? upSuffix : nil
            guard let suffix, let base = layout.names.huggingFaceName(String(tensor.name.dropLast(suffix.count))) else {
                throw AdapterError.mismatch(path: path, reason: "it holds \(tensor.name), which is no LoRA pair of a weight of this model")
            }
            tensors[LoRAAdapter.moduleName(of: base) + (suffix == downSuffix ? LoRAAdapter.downSuffix : LoRAAdapter.upSuffix)] = tensor
        }
        let adapter = try LoRAAdapter(loading: tensors, alpha: alpha == 0 ? Float(rank) : alpha, onto: model.weights, source: path)
        for target in adapter.targets {
            guard let heads = layout.permutedHeads(target.base.name) else { continue }
            let up = adapter.weights.values(target.up)
            GGUFTensorNames.unpermuteRows(up, heads: heads, columns: adapter.settings.rank)
        }
        return adapter
    }

    /// The inverse of `GGUFTensorNames.unpermuteRows`: HF row order → llama.cpp's.
    static func permuteRows(_ values: inout [Float], heads: Int, columns: Int) {
        let rows = values.count / columns, headDim = rows / heads, half = headDim / 2
        let source = values
        for h in 0..<heads {
            for i in 0..<half {
                for j in 0..<2 {
                    let to = h * headDim + 2 * i + j, from = h * headDim + j * half + i
                    for c in 0..<columns { values[to * columns + c] = source[from * columns + c] }
                }
            }
        }
    }
}
