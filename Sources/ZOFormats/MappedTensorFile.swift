/// A file of tensors read in place from its memory mapping (GGUF, safetensors, PyTorch zip): opening
/// by path and naming the path are the same for every format.
public protocol MappedTensorFile: AnyObject {
    /// The mapping the file's `StoredTensor`s point into.
    var file: MappedFile { get }
    /// Parses the mapped bytes; every format error names `file.path`.
    init(file: MappedFile) throws
}

extension MappedTensorFile {
    public init(path: String) throws { try self.init(file: MappedFile(path: path)) }
    public var path: String { file.path }
}
