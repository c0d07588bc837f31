import Foundation
import ZOFormats
import ZOModels

/// Files other tools load, made from a run folder's checkpoint (`zotune export`).
public struct RunExport {
    /// What to write.
    public enum Format: String, CaseIterable, Sendable {
        /// A PEFT LoRA folder (`adapter_config.json` + `adapter_model.safetensors`).
        case peft
        /// A llama.cpp LoRA adapter (one GGUF file), for bases llama.cpp runs (llama, qwen2, gpt2).
        case ggufLoRA = "gguf-lora"
        /// A Hugging Face folder of the tuned model (the adapter folded in, or a full run's weights),
        /// for bases that are Hugging Face folders.
        case merged
        /// The whole tuned model as a GGUF of the base's architecture and tokenizer (GGUF bases:
        /// llama, qwen2, gpt2), tensors in `ggufType`.
        case gguf
    }

    /// Which of the run's weights.
    public enum Checkpoint: String, CaseIterable, Sendable {
        /// At the best dev accuracy (what the run reports its test accuracy for).
        case best
        /// At the last checkpoint.
        case latest
    }

    public let run: RunDirectory
    public var checkpoint = Checkpoint.best
    /// Matrix encoding of a `gguf` export: F32, F16, BF16 or Q8_0.
    public var ggufType = GGMLType.f16

    public init(run: URL) { self.run = RunDirectory(run) }

    /// Writes the run's `checkpoint` weights as `format` into `output`: a new or empty folder (`peft`,
    /// `merged`), a new file (`gguf-lora`).
    public func write(_ format: Format, to output: URL, status: (String) -> Void = { _ in }) throws {
        let configuration = try run.readConfiguration()
        guard configuration.adapter != nil || format == .merged || format == .gguf else {
            throw TrainingError.invalidOption("\(run.url.path) is a full-tuning run: it has no adapter to write as \(format.rawValue).")
        }
        let loaded = try configuration.taskSource.loadModel(configuration.model, status: status)
        let target = try TrainingTarget(configuration, model: loaded.model)
        let weights = (checkpoint == .best ? run.best : run.latest).weights
        guard FileManager.default.fileExists(atPath: weights.path) else {
            throw TrainingError.missingRun(path: run.url.path, reason: "it has no \(checkpoint.rawValue) checkpoint yet")
        }
        try WeightCheckpoint.load(into: target.parameters.arena, entries: target.parameters.tensors.map(\.entry), from: weights)
        switch format {
        case .merged, .gguf:
            guard target.adapter == nil || target.adapter is LoRAAdapter else {
                throw TrainingError.invalidOption(
                    "a \(configuration.adapter?.scheme ?? "")-tuning adapter cannot be folded into the weights; export it as peft.")
            }
            if format == .merged {
                try MergedFolder.write(loaded, adapter: target.adapter as? LoRAAdapter, to: output)
            } else {
                try GGUFModelFile.write(loaded, adapter: target.adapter as? LoRAAdapter, type: ggufType, to: output)
            }
        case .peft:
            try target.adapter!.writePEFT(
                to: output, baseModel: configuration.model, causalLanguageModel: loaded.model.outputKind == .causalLanguageModel)
        case .ggufLoRA:
            guard let lora = target.adapter as? LoRAAdapter else {
                throw TrainingError.invalidOption(
                    "llama.cpp adapters are LoRA only; export a \(configuration.adapter?.scheme ?? "")-tuning adapter as peft.")
            }
            try GGUFLoRAFile.write(lora, model: loaded.model, to: output)
        }
    }
}
