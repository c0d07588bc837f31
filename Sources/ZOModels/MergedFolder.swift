import Foundation
import ZOFormats
import ZOTensor

/// A Hugging Face folder of a model's weights as its forward uses them — an attached LoRA adapter
/// folded in (W + (α/r)·B·A) — beside the base folder's configuration and tokenizer files, so
/// transformers (`from_pretrained`) and any tool that reads HF folders load the tuned model without
/// PEFT. Weights are written under their HF names in the checkpoint's own layout, fp32.
public enum MergedFolder {
    /// Files of the base folder copied unchanged (those present).
    static let copiedFiles = [
        "config.json", "generation_config.json", "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json",
        "vocab.json", "merges.txt", "vocab.txt", "tokenizer.model", "added_tokens.json",
    ]

    /// Writes `loaded`'s weights (with `adapter` folded in, if given) and its base folder's files into
    /// `folder`, which must not exist or be empty. The model's arena is changed (the adapter is merged).
    public static func write(_ loaded: LoadedModel, adapter: LoRAAdapter?, to folder: URL) throws {
        guard case let .huggingFaceFolder(base, _) = loaded.source else {
            throw AdapterError.invalidSetting(
                "a merged Hugging Face folder needs a base that is one (\(loaded.reference) is a GGUF file)")
        }
        let fm = FileManager.default
        try NewOutputFolder.create(folder)
        for name in copiedFiles where fm.fileExists(atPath: base.appendingPathComponent(name).path) {
            try fm.copyItem(at: base.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        let weights = loaded.model.weights
        adapter?.merge(into: weights)
        let tensors = weights.entries.map {
            SafetensorsWriter.Tensor(name: $0.name, shape: $0.shape, borrowing: UnsafeBufferPointer(weights.values($0)))
        }
        try SafetensorsWriter().write(tensors, metadata: ["format": "pt"], to: folder.appendingPathComponent("model.safetensors"))
    }
}
