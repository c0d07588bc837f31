import Foundation
import ZOFormats
import ZOTensor

/// A whole model written back as a GGUF of its base's architecture (llama, qwen2, gpt2) — GGUF in, GGUF out: the base
/// file's metadata (architecture, hyper-parameters, tokenizer) copied in its order, and every tensor
/// the base file holds, named and row-ordered as llama.cpp expects, from the model's weights (an
/// attached LoRA adapter folded in first). Norms and other vectors stay F32, as llama.cpp keeps them;
/// matrices take `type` (F32, F16, BF16 or Q8_0; Q8_0 falls back to F16 for rows that are not whole
/// blocks of 32).
public enum GGUFModelFile {
    public static func write(_ loaded: LoadedModel, adapter: LoRAAdapter?, type: GGMLType, to url: URL) throws {
        guard case let .gguf(base) = loaded.source else {
            throw AdapterError.invalidSetting(
                "a whole-model GGUF is written from a GGUF base (its tokenizer and metadata are copied); "
                + "\(loaded.reference) is a Hugging Face folder: export it as merged")
        }
        guard let layout = (loaded.model as? GGUFNamedModel)?.ggufLayout else {
            throw AdapterError.invalidSetting("llama.cpp has no architecture for \(loaded.model.family) models: export the run as merged")
        }
        guard GGUFWriter.Tensor.encodable.contains(type) else {
            throw AdapterError.invalidSetting("GGUF tensors can be written as F32, F16, BF16 or Q8_0, not \(type)")
        }
        guard !FileManager.default.fileExists(atPath: url.path) else {
            throw AdapterError.invalidSetting("\(url.path) already exists; choose a new file (nothing is overwritten)")
        }
        let weights = loaded.model.weights
        adapter?.merge(into: weights)
        var writer = GGUFWriter()
        writer.metadata = base.metadataKeys.compactMap { key in
            // The writer aligns to 32; the file type is the one written now.
            switch key {
            case "general.alignment": return nil
            case "general.file_type": return (key, .uint32(fileType(type)))
            default: return (key, base.metadata[key]!)
            }
        }
        for stored in base.tensors {
            var values: [Float]
            if let name = layout.names.huggingFaceName(stored.name), let entry = weights.entry(named: name) {
                values = Array(weights.values(entry))
                // GPT-2's Conv1D weights are inputs × outputs here, outputs × inputs in the file.
                if entry.layout == .inputsByOutputs { values = Self.transposed(values, rows: entry.shape[0], columns: entry.shape[1]) }
                if let heads = layout.permutedHeads(name) { GGUFLoRAFile.permuteRows(&values, heads: heads, columns: entry.shape[1]) }
            } else {
                values = try stored.floats()  // read elsewhere by the model (llama.cpp's rope_freqs)
            }
            let encoding = stored.shape.count < 2 ? .f32 : (type == .q8_0 && stored.shape.last! % 32 != 0 ? .f16 : type)
            values.withUnsafeBufferPointer {
                writer.tensors.append(.init(name: stored.name, shape: stored.shape, floats: $0, as: encoding))
            }
        }
        try writer.write(to: url)
    }

    static func transposed(_ values: [Float], rows: Int, columns: Int) -> [Float] {
        var out = [Float](repeating: 0, count: values.count)
        for i in 0..<rows { for j in 0..<columns { out[j * rows + i] = values[i * columns + j] } }
        return out
    }

    /// llama.cpp's `general.file_type` (`LLAMA_FTYPE_*`) of a file whose matrices are `type`.
    static func fileType(_ type: GGMLType) -> UInt32 {
        switch type {
        case .f16: return 1
        case .q8_0: return 7
        case .bf16: return 32
        default: return 0
        }
    }
}
