import Foundation
import ZOFormats

/// Which weight files a Hugging Face folder is read from: `*.safetensors` whenever there are any (what
/// transformers writes today), else `pytorch_model*.bin` (torch.save zip checkpoints, one file or
/// `pytorch_model-0000N-of-0000M.bin` shards, as older uploads such as facebook/opt-125m ship). Other
/// `.bin` files a training run leaves (`training_args.bin`, …) are never opened: they pickle
/// arbitrary Python objects, not tensors.
public enum HuggingFaceWeightFormat: String, Sendable {
    case safetensors
    case pytorch = "PyTorch pytorch_model.bin"

    /// Every weight file of the folder's format, by name (a tensor in two files is an error).
    static func read(folder: URL) throws -> (format: HuggingFaceWeightFormat, tensors: [String: StoredTensor]) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        let safetensors = names.filter { $0.hasSuffix(".safetensors") }
        let pytorch = names.filter { $0.hasPrefix("pytorch_model") && $0.hasSuffix(".bin") }
        let format: HuggingFaceWeightFormat
        let files: [[StoredTensor]]
        if !safetensors.isEmpty {
            format = .safetensors
            files = try safetensors.map { try SafetensorsFile(path: folder.appendingPathComponent($0).path).tensors }
        } else if !pytorch.isEmpty {
            format = .pytorch
            files = try pytorch.map { try TorchCheckpointFile(path: folder.appendingPathComponent($0).path).tensors }
        } else {
            throw ModelError.missingFile(
                path: folder.appendingPathComponent("model.safetensors").path,
                purpose: "the weights: *.safetensors or pytorch_model*.bin files")
        }
        var tensors: [String: StoredTensor] = [:]
        for tensor in files.joined() {
            guard tensors[tensor.name] == nil else { throw FormatError.duplicateTensor(name: tensor.name) }
            tensors[tensor.name] = tensor
        }
        return (format, tensors)
    }
}
