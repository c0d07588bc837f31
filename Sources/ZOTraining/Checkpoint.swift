import Foundation
import ZOFormats
import ZOModels
import ZOTensor

/// Saves and restores the trainable weights of an arena as safetensors under their HF names.
/// Writes are atomic (temporary file + rename), so an interrupted save keeps the previous checkpoint.
/// Weights with a low-rank delta are saved as the forward sees them, W + U·M·Vᵀ (folded into a
/// copy, one block of rows at a time; the arena keeps W and the delta).
public enum WeightCheckpoint {
    public static func save(_ arena: WeightArena, entries: [ParameterEntry], to url: URL, metadata: [String: String] = [:]) throws {
        let tensors = entries.map { entry in
            guard let delta = arena.index(of: entry.name).flatMap(arena.delta) else {
                return SafetensorsWriter.Tensor(name: entry.name, shape: entry.shape, borrowing: UnsafeBufferPointer(arena.values(entry)))
            }
            let values = arena.values(entry), rowWidth = entry.count / max(entry.shape.first ?? 1, 1)
            return SafetensorsWriter.Tensor(name: entry.name, shape: entry.shape) { block, rows in
                _ = block.update(from: UnsafeMutableBufferPointer(rebasing: values[(rows.lowerBound * rowWidth)..<(rows.upperBound * rowWidth)]))
                delta.fold(rows: rows, into: block.baseAddress!)
            }
        }
        try SafetensorsWriter().write(tensors, metadata: metadata, to: url)
    }

    /// Lays the tensors a checkpoint holds over a model's weights (a run may train only some roles);
    /// a tensor the model does not have is an error. Returns how many were loaded.
    @discardableResult
    public static func loadOver(_ arena: WeightArena, from url: URL) throws -> Int {
        let file = try SafetensorsFile(path: url.path)
        guard !file.tensors.isEmpty else { throw TrainingError.missingRun(path: url.path, reason: "it holds no weights") }
        let entries = try file.tensors.map { tensor in
            guard let entry = arena.entry(named: tensor.name) else {
                throw ModelError.unusedWeight(name: tensor.name, source: url.path)
            }
            return entry
        }
        try load(into: arena, entries: entries, from: url)
        return entries.count
    }

    /// Applies a checkpoint to a model: base tensors are laid over its weights (`loadOver`), and an
    /// adapter run's tensors are attached as its adapter (LoRA pairs with α from the file's metadata,
    /// a prompt's `prompt_embeddings`, or a prefix's rows). Returns how many tensors were applied.
    @discardableResult
    public static func apply(_ url: URL, to model: LanguageModel) throws -> Int {
        let file = try SafetensorsFile(path: url.path)
        if file.tensors.count == 1, let prompt = file.tensor(named: PromptAdapter.tensorName) {
            try PromptAdapter(loading: prompt, for: model, source: url.path).attach(to: model.weights)
            return 1
        }
        if file.tensors.contains(where: { PrefixAdapter.isPrefixTensor($0.name) }) {
            guard file.tensors.allSatisfy({ PrefixAdapter.isPrefixTensor($0.name) }) else {
                throw TrainingError.corruptRun(path: url.path, reason: "it mixes prefix rows with other weights")
            }
            try PrefixAdapter(loading: Dictionary(uniqueKeysWithValues: file.tensors.map { ($0.name, $0) }), for: model, source: url.path)
                .attach(to: model.weights)
            return file.tensors.count
        }
        let pairs = file.tensors.filter { LoRAAdapter.isPairTensor($0.name) }
        guard !pairs.isEmpty else { return try loadOver(model.weights, from: url) }
        guard pairs.count == file.tensors.count else {
            throw TrainingError.corruptRun(path: url.path, reason: "it mixes LoRA pairs with base weights")
        }
        guard let alpha = file.metadata[LoRAAdapter.alphaMetadataKey].flatMap(Float.init) else {
            throw TrainingError.corruptRun(path: url.path, reason: "it holds LoRA pairs but no \(LoRAAdapter.alphaMetadataKey) metadata")
        }
        let adapter = try LoRAAdapter(
            loading: Dictionary(uniqueKeysWithValues: pairs.map { ($0.name, $0) }), alpha: alpha, onto: model.weights, source: url.path)
        adapter.attach(to: model.weights)
        return pairs.count
    }

    /// Loads every entry in `entries` from `url`; shapes must match exactly.
    public static func load(into arena: WeightArena, entries: [ParameterEntry], from url: URL) throws {
        let file = try SafetensorsFile(path: url.path)
        for entry in entries {
            guard let tensor = file.tensor(named: entry.name) else {
                throw TrainingError.corruptRun(path: url.path, reason: "weight \(entry.name) is missing")
            }
            guard tensor.shape == entry.shape else {
                throw TrainingError.corruptRun(path: url.path, reason: "weight \(entry.name) has shape \(tensor.shape), expected \(entry.shape)")
            }
            let values = arena.values(entry)
            try tensor.decodeAndRelease(into: values)
            // A run that diverged may have saved NaN weights; evaluating them would report NaN logits as a result.
            if let index = NonFiniteScan.firstIndex(in: UnsafeBufferPointer(values)) {
                throw TrainingError.corruptRun(
                    path: url.path, reason: "weight \(entry.name) holds \(values[index]) at element \(index) (NaN or infinite weights)")
            }
        }
    }
}
