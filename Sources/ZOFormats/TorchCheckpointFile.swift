/// A PyTorch zip checkpoint (`torch.save` since PyTorch 1.6; `pytorch_model.bin` uploads): a zip
/// archive `<archive>/data.pkl` + `<archive>/data/<key>` whose pickle is a dictionary of tensor name →
/// strided view of a storage entry. The pickle is read by `TorchUnpickler`, which runs nothing.
///
/// Tensors become `StoredTensor`s with the matching safetensors dtype. A contiguous tensor is a view
/// of its storage entry (zero-copy; tied weights are two views of one entry). A non-contiguous one (a
/// transposed or sliced view saved as is) is gathered into a row-major copy in memory, since
/// `StoredTensor` holds plain row-major bytes.
public final class TorchCheckpointFile: MappedTensorFile, @unchecked Sendable {
    public let file: MappedFile
    /// In the order of the pickled dictionary.
    public let tensors: [StoredTensor]

    public init(file: MappedFile) throws {
        self.file = file
        let path = file.path
        try Self.checkMagic(file)
        let archive = try ZipArchive(file: file)
        // As torch's reader: the archive's folder is the top folder of its first entry.
        guard let first = archive.entries.first?.name, let slash = first.firstIndex(of: "/") else {
            throw FormatError.invalidArchive(path: path, reason: "it holds no <archive>/data.pkl, so torch.save did not write it")
        }
        let prefix = String(first[...slash])
        if let order = archive.entry(named: prefix + "byteorder"),
           String(decoding: try archive.contents(of: order), as: UTF8.self) != "little" {
            throw FormatError.invalidHeader(
                path: path, reason: "its byteorder record is not \"little\"; only little-endian checkpoints are read")
        }
        guard let pickle = archive.entry(named: prefix + "data.pkl") else {
            throw FormatError.invalidArchive(path: path, reason: "it holds no \(prefix)data.pkl, so torch.save did not write it")
        }
        let stateDict = try TorchUnpickler.stateDict(try archive.contents(of: pickle), path: path)
        var names = Set<String>()
        var tensors: [StoredTensor] = []
        // The copies of non-contiguous tensors, together, may hold at most as many bytes as the file: a
        // pickle can name one broadcast view thousands of times (a memo lookup is 2 bytes), and each
        // within the file's size would still add up to far more memory than any real checkpoint needs.
        var copyBudget = file.count
        for (name, reference) in stateDict {
            guard names.insert(name).inserted else { throw FormatError.duplicateTensor(name: name) }
            tensors.append(try Self.storedTensor(name, reference, archive: archive, prefix: prefix, copyBudget: &copyBudget))
        }
        self.tensors = tensors
    }

    public func tensor(named name: String) -> StoredTensor? { tensors.first { $0.name == name } }

    /// A zip file, or the pre-1.6 format (a pickled magic number first), or neither.
    private static func checkMagic(_ file: MappedFile) throws {
        // LONG1 of 10 bytes: torch.serialization's MAGIC_NUMBER 0x1950a86a20f9469cfc6c.
        let legacyMagic: [UInt8] = [0x8A, 0x0A, 0x6C, 0xFC, 0x9C, 0x46, 0xF9, 0x20, 0x6A, 0xA8, 0x50, 0x19]
        let head = Array(file.bytes.prefix(32))
        let starts = head.count >= legacyMagic.count ? Array(0...(head.count - legacyMagic.count)) : []
        if starts.contains(where: { head[$0..<($0 + legacyMagic.count)].elementsEqual(legacyMagic) }) {
            throw FormatError.legacyTorchFormat(path: file.path)
        }
        guard head.starts(with: [0x50, 0x4B, 0x03, 0x04]) else {
            throw FormatError.badMagic(path: file.path, expected: "PyTorch zip checkpoint (torch.save)")
        }
    }

    private static func storedTensor(
        _ name: String, _ tensor: TorchTensorReference, archive: ZipArchive, prefix: String, copyBudget: inout Int
    ) throws -> StoredTensor {
        let path = archive.path
        guard let dtype = SafetensorsDType(torchStorage: tensor.storage.typeName) else {
            throw FormatError.unknownDType(tensor: name, dtype: "torch.\(tensor.storage.typeName)")
        }
        let entryName = prefix + "data/" + tensor.storage.key
        guard let entry = archive.entry(named: entryName) else {
            throw FormatError.invalidArchive(path: path, reason: "the storage \(entryName) of tensor \(name) is missing")
        }
        let storage = try archive.contents(of: entry)
        let width = dtype.byteWidth
        let storageBytes = tensor.storage.elementCount.multipliedReportingOverflow(by: width)
        guard !storageBytes.overflow, storageBytes.partialValue == storage.count else {
            throw FormatError.byteLengthMismatch(
                tensor: name, shape: [tensor.storage.elementCount], dtype: dtype.rawValue,
                expected: storageBytes.overflow ? -1 : storageBytes.partialValue, actual: storage.count)
        }
        let layout = try TorchTensorLayout(tensor, name: name, path: path)
        let encoding = TensorEncoding.safetensors(dtype)
        guard layout.elementCount > 0 else {
            return StoredTensor(name: name, shape: tensor.shape, encoding: encoding,
                                bytes: UnsafeRawBufferPointer(rebasing: storage[0..<0]), file: archive.file)
        }
        guard layout.lastElement < tensor.storage.elementCount else {
            let start = layout.lastElement.multipliedReportingOverflow(by: width)
            let end = start.partialValue.addingReportingOverflow(width)
            throw FormatError.offsetOutOfRange(
                tensor: name, end: start.overflow || end.overflow ? Int.max : end.partialValue, limit: storage.count)
        }
        if layout.isContiguous {
            let start = tensor.offset * width
            return StoredTensor(name: name, shape: tensor.shape, encoding: encoding,
                                bytes: UnsafeRawBufferPointer(rebasing: storage[start..<(start + layout.elementCount * width)]),
                                file: archive.file)
        }
        // A view can repeat elements (stride 0), so its copy is bounded by the file, not its storage:
        // a broadcast larger than the whole checkpoint is no real weight, only a way to exhaust memory.
        let copyBytes = layout.elementCount.multipliedReportingOverflow(by: width)
        guard !copyBytes.overflow, copyBytes.partialValue <= copyBudget else {
            throw FormatError.invalidPickle(
                path: path,
                reason: "tensor \(name) repeats its storage's elements into more bytes than the whole file holds "
                    + "(counting the copies of the non-contiguous tensors before it)")
        }
        copyBudget -= copyBytes.partialValue
        let copy = MappedFile(path: path, count: copyBytes.partialValue) { destination in
            layout.gather(from: storage, width: width, into: destination)
        }
        return StoredTensor(name: name, shape: tensor.shape, encoding: encoding, bytes: copy.bytes, file: copy)
    }
}

/// Where a strided tensor's elements lie in its storage, with every count checked for overflow
/// (sizes and strides come from the file).
private struct TorchTensorLayout {
    let shape: [Int]
    let strides: [Int]
    let offset: Int
    let elementCount: Int
    /// Storage index of the last element (meaningful when `elementCount > 0`).
    let lastElement: Int
    /// Row-major with no gaps: viewable in place.
    let isContiguous: Bool

    init(_ tensor: TorchTensorReference, name: String, path: String) throws {
        let invalid = FormatError.invalidPickle(
            path: path,
            reason: "tensor \(name) has size \(tensor.shape), stride \(tensor.strides) and offset \(tensor.offset), "
                + "which do not describe a view")
        guard tensor.shape.count == tensor.strides.count, tensor.offset >= 0,
              tensor.shape.allSatisfy({ $0 >= 0 }), tensor.strides.allSatisfy({ $0 >= 0 })
        else { throw invalid }
        var count = 1, last = tensor.offset, expectedStride = 1, contiguous = true
        for (size, stride) in zip(tensor.shape, tensor.strides).reversed() {
            let product = count.multipliedReportingOverflow(by: size)
            let reach = (size > 0 ? size - 1 : 0).multipliedReportingOverflow(by: stride)
            guard !product.overflow, !reach.overflow else { throw invalid }
            let sum = last.addingReportingOverflow(reach.partialValue)
            guard !sum.overflow else { throw invalid }
            count = product.partialValue
            last = sum.partialValue
            if size > 1 && stride != expectedStride { contiguous = false }
            expectedStride = expectedStride.multipliedReportingOverflow(by: size).partialValue
        }
        shape = tensor.shape
        strides = tensor.strides
        offset = tensor.offset
        elementCount = count
        lastElement = last
        isContiguous = contiguous
    }

    /// Copies the elements, in row-major order, out of `storage` (checked to hold them).
    func gather(from storage: UnsafeRawBufferPointer, width: Int, into destination: UnsafeMutableRawBufferPointer) {
        guard let source = storage.baseAddress, let target = destination.baseAddress else { return }
        var index = [Int](repeating: 0, count: shape.count)
        var element = offset
        for position in 0..<elementCount {
            (target + position * width).copyMemory(from: source + element * width, byteCount: width)
            // Odometer step: the last dimension fastest.
            // Wrapping arithmetic: a size-1 dimension may carry any stride, and `element` is back in
            // range (checked by `lastElement`) whenever it is read.
            var dimension = shape.count - 1
            while dimension >= 0 {
                index[dimension] += 1
                element &+= strides[dimension]
                if index[dimension] < shape[dimension] { break }
                element &-= strides[dimension] &* shape[dimension]
                index[dimension] = 0
                dimension -= 1
            }
        }
    }
}

extension SafetensorsDType {
    /// The element type of a PyTorch storage class as torch.save names it (`FloatStorage`, …).
    init?(torchStorage name: String) {
        switch name {
        case "DoubleStorage": self = .f64
        case "FloatStorage": self = .f32
        case "HalfStorage": self = .f16
        case "BFloat16Storage": self = .bf16
        case "LongStorage": self = .i64
        case "IntStorage": self = .i32
        case "ShortStorage": self = .i16
        case "CharStorage": self = .i8
        case "ByteStorage": self = .u8
        case "BoolStorage": self = .bool
        default: return nil
        }
    }
}
