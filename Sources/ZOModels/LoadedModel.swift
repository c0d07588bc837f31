import Foundation
import ZOFormats
import ZOTokenizers

/// A model opened from a `--model` reference, with where it came from and how it was stored.
public struct LoadedModel {
    /// Where the weights were read from.
    public enum Source {
        case gguf(GGUFFile)
        case huggingFaceFolder(URL, weights: HuggingFaceWeightFormat)
    }

    public let model: LanguageModel & ModelArchitecture
    public let source: Source
    /// What the user passed (`smollm2-135m`, a path).
    public let reference: String
    /// The file or folder actually read.
    public let path: String
    /// Stored tensors per encoding (e.g. Q4_1: 210, F32: 61), for `inspect`.
    public let encodings: [String: Int]

    /// Whether a task head was created at load time (an encoder's classifier for a task's classes)
    /// rather than read from the checkpoint: it starts at chance.
    public var hasUntrainedHead: Bool { (model as? EncoderModel)?.classifierIsNew == true }

    public var format: String {
        switch source {
        case let .gguf(file): return "GGUF v\(file.version)"
        case let .huggingFaceFolder(_, weights): return "Hugging Face folder (\(weights.rawValue))"
        }
    }

    /// Opens a `.gguf` file or a Hugging Face folder.
    public static func open(path: String, reference: String? = nil, options: ModelLoadOptions = .init()) throws -> LoadedModel {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ModelError.notFound(reference: reference ?? path, known: ModelCatalog.names)
        }
        if let reason = options.baseProducts.unavailableReason {
            throw ModelError.unsupportedBaseProducts(reason: reason)
        }
        let model = try openModel(path: path, isDirectory: isDirectory.boolValue, reference: reference, options: options)
        if options.baseProducts != .automatic {
            // Only the frozen base's narrow weights take these products: on an fp32 base they would change nothing.
            guard !model.model.weights.isAllFloat32 else {
                throw ModelError.unsupportedBaseProducts(
                    reason: "\(options.baseProducts.rawValue) base products apply to a base held in bf16 or stored (--base-precision), not in f32")
            }
            model.model.weights.productScratch.products = options.baseProducts
        }
        return model
    }

    private static func openModel(path: String, isDirectory: Bool, reference: String?, options: ModelLoadOptions) throws -> LoadedModel {
        var encodings: [String: Int] = [:]
        if isDirectory {
            let folder = URL(fileURLWithPath: path)
            let (model, weights, tensors) = try loadHuggingFaceFolder(folder, options: options)
            for tensor in tensors { encodings[tensor.encoding.description, default: 0] += 1 }
            return LoadedModel(
                model: model, source: .huggingFaceFolder(folder, weights: weights), reference: reference ?? path,
                path: path, encodings: encodings)
        }
        let gguf = try GGUFFile(path: path)
        let architecture = gguf.metadata["general.architecture"]?.string ?? "(none)"
        let model = try ModelFamilies.family(ggufArchitecture: architecture).load(gguf: gguf, options: options)
        for tensor in gguf.tensors { encodings[tensor.encoding.description, default: 0] += 1 }
        return LoadedModel(
            model: model, source: .gguf(gguf), reference: reference ?? path, path: path, encodings: encodings)
    }

    /// `config.json` (its `model_type` picks the family) plus the folder's weight files (see
    /// `HuggingFaceWeightFormat`).
    private static func loadHuggingFaceFolder(
        _ folder: URL, options: ModelLoadOptions
    ) throws -> (LanguageModel & ModelArchitecture, HuggingFaceWeightFormat, [StoredTensor]) {
        let configURL = folder.appendingPathComponent("config.json")
        guard let configData = FileManager.default.contents(atPath: configURL.path) else {
            throw ModelError.missingFile(path: configURL.path, purpose: "the model configuration")
        }
        let modelType = try ConfigFile.decode(ModelTypeField.self, from: configData, source: configURL.path).modelType ?? "(none)"
        let family = try ModelFamilies.family(modelType: modelType)
        let (format, tensors) = try HuggingFaceWeightFormat.read(folder: folder)
        let model = try family.load(
            HuggingFaceCheckpoint(config: configData, modelType: modelType, configPath: configURL.path, tensors: tensors,
                                  folder: folder.path, options: options))
        return (model, format, Array(tensors.values))
    }

    /// The tokenizer that ships with the model.
    public func tokenizer() throws -> any TextTokenizer {
        switch source {
        case let .gguf(file): return try TokenizerLoader.load(gguf: file)
        case let .huggingFaceFolder(folder, _): return try TokenizerLoader.load(folder: folder)
        }
    }

    /// The end-of-sequence token id, when the checkpoint records one.
    public var endOfSequenceID: Int? {
        switch source {
        case let .gguf(file):
            return file.metadata["tokenizer.ggml.eos_token_id"]?.int
        case let .huggingFaceFolder(folder, _):
            let path = folder.appendingPathComponent("config.json").path
            guard let data = FileManager.default.contents(atPath: path) else { return nil }
            // A list of several ids (some chat models) or anything unreadable records none.
            return (try? ConfigFile.decode(EndOfSequenceField.self, from: data, source: path))?.id?.value
        }
    }

    /// The key of `config.json` that records the end-of-sequence token.
    private struct EndOfSequenceField: Decodable {
        var id: ConfigInteger?

        enum CodingKeys: String, CodingKey { case id = "eos_token_id" }
    }

    /// GGUF metadata (key, short rendering) in file order; empty for HF folders.
    public var metadataSummary: [(key: String, value: String)] {
        guard case let .gguf(file) = source else { return [] }
        return file.metadataKeys.map { ($0, file.metadata[$0]!.summary) }
    }
}
