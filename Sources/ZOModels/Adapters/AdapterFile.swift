import Foundation
import ZOTensor

/// Applies an adapter file a user passes (`--adapter PATH`) to a loaded model, whatever its format.
public enum AdapterFile {
    /// Reads the adapter at `path` — a PEFT folder (LoRA or prompt tuning) or a llama.cpp LoRA GGUF —
    /// checks it against `model` and attaches it to the model's forward. Returns the adapter.
    @discardableResult
    public static func apply(_ path: String, to model: LanguageModel) throws -> any Adapter {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AdapterError.mismatch(path: path, reason: "there is no such file or folder")
        }
        let adapter: any Adapter
        if !isDirectory.boolValue, GGUFLoRAFile.isGGUF(path) {
            adapter = try GGUFLoRAFile.read(path, onto: model)
        } else if isDirectory.boolValue, PEFTAdapterFolder.isAdapterFolder(url) {
            adapter = try PEFTAdapterFolder.read(url, for: model)
        } else {
            throw AdapterError.mismatch(
                path: path, reason: "it is neither a PEFT adapter folder (\(PEFTAdapterFolder.configFile) + "
                    + "\(PEFTAdapterFolder.weightsFile)) nor a llama.cpp LoRA GGUF")
        }
        adapter.attach(to: model.weights)
        return adapter
    }
}
