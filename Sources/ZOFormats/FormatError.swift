/// Everything that can be wrong with a weight file. Each case reads as one sentence that names the file
/// or tensor and says what was expected, so the CLI can print it and exit non-zero.
public enum FormatError: Error, CustomStringConvertible, Equatable {
    case cannotOpen(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case truncated(path: String, what: String, needed: Int, available: Int)
    case badMagic(path: String, expected: String)
    case unsupportedVersion(path: String, version: Int)
    case headerPastEnd(path: String, headerBytes: Int, fileBytes: Int)
    case invalidHeader(path: String, reason: String)
    case unknownDType(tensor: String, dtype: String)
    case unsupportedQuantization(type: String, tensor: String)
    case byteLengthMismatch(tensor: String, shape: [Int], dtype: String, expected: Int, actual: Int)
    case offsetOutOfRange(tensor: String, end: Int, limit: Int)
    case overlappingTensors(first: String, second: String)
    case duplicateTensor(name: String)
    case invalidArchive(path: String, reason: String)
    case compressedEntry(path: String, entry: String, method: Int)
    case legacyTorchFormat(path: String)
    case invalidPickle(path: String, reason: String)
    case forbiddenPickleGlobal(path: String, name: String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            return "cannot open \(path): \(reason)"
        case let .cannotWrite(path, reason):
            return "cannot write \(path): \(reason)"
        case let .truncated(path, what, needed, available):
            return "\(path) is truncated: reading \(what) needs \(needed) bytes but only \(available) remain"
        case let .badMagic(path, expected):
            return "\(path) is not a \(expected) file (wrong magic bytes)"
        case let .unsupportedVersion(path, version):
            return "\(path) uses GGUF version \(version); only versions 2 and 3 are supported"
        case let .headerPastEnd(path, headerBytes, fileBytes):
            return "\(path) declares a \(headerBytes)-byte header but the file has only \(fileBytes) bytes"
        case let .invalidHeader(path, reason):
            return "\(path) has an invalid header: \(reason)"
        case let .unknownDType(tensor, dtype):
            return "tensor \(tensor) has unknown dtype \(dtype)"
        case let .unsupportedQuantization(type, tensor):
            return "unsupported quantization \(type) in tensor \(tensor)"
        case let .byteLengthMismatch(tensor, shape, dtype, expected, actual):
            return "tensor \(tensor) of shape \(shape) and dtype \(dtype) needs \(expected) bytes but has \(actual)"
        case let .offsetOutOfRange(tensor, end, limit):
            return "tensor \(tensor) ends at byte \(end), past the end of the data (\(limit) bytes)"
        case let .overlappingTensors(first, second):
            return "tensors \(first) and \(second) overlap in the file"
        case let .duplicateTensor(name):
            return "tensor \(name) appears twice in the file"
        case let .invalidArchive(path, reason):
            return "\(path) is not a readable zip archive: \(reason)"
        case let .compressedEntry(path, entry, method):
            return "entry \(entry) of \(path) is compressed (zip method \(method)); torch.save stores entries "
                + "uncompressed, so re-save the checkpoint with torch.save or convert it to safetensors"
        case let .legacyTorchFormat(path):
            return "\(path) uses PyTorch's legacy (pre-1.6) serialization; re-save it with torch.save from "
                + "PyTorch 1.6 or newer, or convert it to safetensors"
        case let .invalidPickle(path, reason):
            return "\(path) holds a pickle ZOTune cannot read: \(reason)"
        case let .forbiddenPickleGlobal(path, name):
            return "\(path) refers to the Python object \(name), which a file of tensors has no use for; "
                + "ZOTune reads only tensors and refuses the file (nothing in it was run)"
        }
    }
}
