import Foundation
import ZOAssets
import ZOFormats
import ZOTokenizers

/// Resolves what a user passes as `--model`: a catalogue name (fetched into the cache on first use),
/// a `.gguf` file, or a Hugging Face folder.
public enum ModelReference {
    public static func resolve(
        _ reference: String, store: AssetStore = AssetStore(), log: (String) -> Void = { _ in }
    ) throws -> String {
        if let asset = AssetCatalog.named(reference) {
            return try store.ensure(asset, log: log).path
        }
        let path = NSString(string: reference).expandingTildeInPath
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelError.notFound(reference: reference, known: ModelCatalog.names)
        }
        // model.safetensors, pytorch_model.bin or config.json given for their folder: say so, rather
        // than that the file is not a GGUF file.
        let folder = (path as NSString).deletingLastPathComponent
        if !isDirectory.boolValue, !path.lowercased().hasSuffix(".gguf"),
           FileManager.default.fileExists(atPath: (folder.isEmpty ? "." : folder) + "/config.json") {
            throw ModelError.fileInsideFolder(path: reference, folder: folder.isEmpty ? "." : folder)
        }
        return path
    }

    /// Resolves `reference` and builds only its tokenizer, decoding no weight: from a GGUF file's
    /// metadata or a folder's tokenizer files (as `LoadedModel.tokenizer()` does for an opened model).
    public static func tokenizer(
        _ reference: String, store: AssetStore = AssetStore(), log: (String) -> Void = { _ in }
    ) throws -> any TextTokenizer {
        let path = try resolve(reference, store: store, log: log)
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if isDirectory.boolValue { return try TokenizerLoader.load(folder: URL(fileURLWithPath: path)) }
        return try TokenizerLoader.load(gguf: GGUFFile(path: path))
    }

    /// Resolves and opens the model, with its tokenizer.
    public static func load(
        _ reference: String, store: AssetStore = AssetStore(), options: ModelLoadOptions = .init(),
        log: (String) -> Void = { _ in }
    ) throws -> LoadedModel {
        try LoadedModel.open(path: resolve(reference, store: store, log: log), reference: reference, options: options)
    }
}
