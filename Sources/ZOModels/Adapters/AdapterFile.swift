import Foundation
import ZOTensor

/// Applies an adapter file a user passes (`--adapter PATH`) to a loaded model, whatever its format.
public enum AdapterFile {
    /// Reads the adapter at `path` — a PEFT LoRA folder — checks it against `model` and attaches it
    /// to the model's forward. Returns the adapter.
    @discardableResult
    public static func apply(_ path: String, to model: LanguageModel) throws -> LoRAAdapter {
        let url = URL(fileURLWithPath: path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw AdapterError.mismatch(path: path, reason: "there is no such file or folder")
        }
        guard isDirectory.boolValue, PEFTAdapterFolder.isAdapterFolder(url) else {
            throw AdapterError.mismatch(
                path: path, reason: "it is not a PEFT adapter folder (one holding \(PEFTAdapterFolder.configFile) and \(PEFTAdapterFolder.weightsFile))")
        }
        let adapter = try PEFTAdapterFolder.read(url, onto: model.weights)
        adapter.attach(to: model.weights)
        return adapter
    }
}
