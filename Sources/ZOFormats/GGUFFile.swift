/// A parsed, memory-mapped GGUF file (versions 2 and 3): metadata and tensor directory.
///
/// Layout: magic `GGUF`, u32 version, u64 tensor count, u64 metadata count, metadata key/values,
/// tensor infos (name, u32 rank, u64 dims fastest-first, u32 ggml type, u64 offset), padding to
/// `general.alignment` (default 32), then the data section that tensor offsets are relative to.
/// Everything is validated up front: a truncated or lying file throws `FormatError`, never traps.
public final class GGUFFile: MappedTensorFile, @unchecked Sendable {
    /// Most elements a metadata array may declare: 4,194,304, the vocabulary limit (`DeclaredSize`),
    /// far above the largest real token and merge lists (Gemma 3: 262,144 tokens).
    public static let maximumArrayCount = 1 << 22

    public let file: MappedFile
    public let version: Int
    public let metadata: [String: GGUFValue]
    /// Metadata keys in file order (for display).
    public let metadataKeys: [String]
    /// Tensors in file order.
    public let tensors: [StoredTensor]
    public let alignment: Int

    public init(file: MappedFile) throws {
        self.file = file
        let path = file.path
        var reader = ByteReader(path: path, bytes: file.bytes)
        try reader.require(4, for: "the GGUF magic")
        let magic = try reader.read(UInt32.self, "the GGUF magic")
        guard magic == 0x4655_4747 else { throw FormatError.badMagic(path: path, expected: "GGUF") }
        version = Int(try reader.read(UInt32.self, "the GGUF version"))
        guard version == 2 || version == 3 else {
            throw FormatError.unsupportedVersion(path: path, version: version)
        }
        let tensorCount = try reader.read(UInt64.self, "the tensor count")
        let metadataCount = try reader.read(UInt64.self, "the metadata count")
        // Every entry takes at least 8 bytes, so larger counts are lies; reject before allocating.
        guard tensorCount <= UInt64(reader.remaining / 8), metadataCount <= UInt64(reader.remaining / 8) else {
            throw FormatError.invalidHeader(
                path: path,
                reason: "it declares \(tensorCount) tensors and \(metadataCount) metadata entries, more than fit")
        }

        var metadata: [String: GGUFValue] = [:]
        var keys: [String] = []
        for index in 0..<Int(metadataCount) {
            let key = try Self.readString(&reader, "metadata key #\(index)")
            let rawType = try reader.read(UInt32.self, "the type of metadata \(key)")
            metadata[key] = try Self.readValue(&reader, type: rawType, key: key, depth: 0)
            keys.append(key)
        }
        self.metadata = metadata
        self.metadataKeys = keys

        var alignment = 32
        if let value = metadata["general.alignment"] {
            guard let a = value.int, a > 0, a & (a - 1) == 0 else {
                throw FormatError.invalidHeader(path: path, reason: "general.alignment must be a power of two")
            }
            alignment = a
        }
        self.alignment = alignment

        struct Info { let name: String; let dims: [Int]; let type: GGMLType; let offset: Int }
        var infos: [Info] = []
        var seen = Set<String>()
        for index in 0..<Int(tensorCount) {
            let name = try Self.readString(&reader, "the name of tensor #\(index)")
            guard seen.insert(name).inserted else { throw FormatError.duplicateTensor(name: name) }
            let rank = try reader.read(UInt32.self, "the rank of tensor \(name)")
            guard rank >= 1, rank <= 4 else {
                throw FormatError.invalidHeader(path: path, reason: "tensor \(name) has rank \(rank); expected 1 to 4")
            }
            var dims: [Int] = []
            for _ in 0..<rank {
                let d = try reader.read(UInt64.self, "the dimensions of tensor \(name)")
                guard d <= UInt64(Int32.max) else {
                    throw FormatError.invalidHeader(path: path, reason: "tensor \(name) has dimension \(d)")
                }
                dims.append(Int(d))
            }
            let rawType = try reader.read(UInt32.self, "the type of tensor \(name)")
            guard let type = GGMLType.all[rawType] else {
                throw FormatError.unknownDType(tensor: name, dtype: "ggml type \(rawType)")
            }
            let offset = try reader.read(UInt64.self, "the offset of tensor \(name)")
            guard offset <= UInt64(Int.max / 2), Int(offset) % alignment == 0 else {
                throw FormatError.invalidHeader(
                    path: path, reason: "tensor \(name) has offset \(offset), not a multiple of \(alignment)")
            }
            infos.append(Info(name: name, dims: dims, type: type, offset: Int(offset)))
        }

        let dataStart = (reader.position + alignment - 1) / alignment * alignment
        guard dataStart <= file.count else {
            throw FormatError.truncated(
                path: path, what: "the data section", needed: dataStart - reader.position, available: reader.remaining)
        }
        let dataBytes = file.count - dataStart

        var ranges: [(name: String, range: Range<Int>)] = []
        for info in infos {
            guard let elements = elementCount(ofShape: info.dims) else {
                throw FormatError.invalidHeader(
                    path: path, reason: "tensor \(info.name) has shape \(Array(info.dims.reversed())), more elements than any file holds")
            }
            guard let byteCount = info.type.byteCount(elements: elements), elements > 0 else {
                throw FormatError.byteLengthMismatch(
                    tensor: info.name, shape: info.dims.reversed(), dtype: info.type.name,
                    expected: -1, actual: 0)
            }
            ranges.append((info.name, info.offset..<(info.offset + byteCount)))
        }
        try validateLayout(ranges, limit: dataBytes)

        tensors = zip(infos, ranges).map { info, item in
            StoredTensor(
                name: info.name, shape: info.dims.reversed(), encoding: .ggml(info.type),
                bytes: UnsafeRawBufferPointer(
                    rebasing: file.bytes[(dataStart + item.range.lowerBound)..<(dataStart + item.range.upperBound)]),
                file: file)
        }
    }

    public func tensor(named name: String) -> StoredTensor? { tensors.first { $0.name == name } }

    private static func readString(_ reader: inout ByteReader, _ what: String) throws -> String {
        let length = try reader.read(UInt64.self, "the length of \(what)")
        guard length <= UInt64(reader.remaining) else {
            throw FormatError.truncated(path: reader.path, what: what, needed: Int(clamping: length), available: reader.remaining)
        }
        let bytes = try reader.readBytes(Int(length), what)
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func readValue(_ reader: inout ByteReader, type: UInt32, key: String, depth: Int) throws -> GGUFValue {
        switch type {
        case 0: return .uint8(try reader.read(UInt8.self, "metadata \(key)"))
        case 1: return .int8(try reader.read(Int8.self, "metadata \(key)"))
        case 2: return .uint16(try reader.read(UInt16.self, "metadata \(key)"))
        case 3: return .int16(try reader.read(Int16.self, "metadata \(key)"))
        case 4: return .uint32(try reader.read(UInt32.self, "metadata \(key)"))
        case 5: return .int32(try reader.read(Int32.self, "metadata \(key)"))
        case 6: return .float32(try reader.readFloat("metadata \(key)"))
        case 7:
            let b = try reader.read(UInt8.self, "metadata \(key)")
            guard b <= 1 else {
                throw FormatError.invalidHeader(path: reader.path, reason: "metadata \(key) has boolean value \(b)")
            }
            return .bool(b == 1)
        case 8: return .string(try readString(&reader, "metadata \(key)"))
        case 9:
            guard depth < 4 else {
                throw FormatError.invalidHeader(path: reader.path, reason: "metadata \(key) nests arrays too deeply")
            }
            let elementType = try reader.read(UInt32.self, "the element type of metadata \(key)")
            let count = try reader.read(UInt64.self, "the length of metadata \(key)")
            guard count <= UInt64(reader.remaining) else {
                throw FormatError.truncated(
                    path: reader.path, what: "metadata \(key)", needed: Int(clamping: count), available: reader.remaining)
            }
            // Each element becomes a GGUFValue of ~24 bytes, so the remaining bytes alone would let a
            // damaged count in a multi-GB file ask for ~24× the file.
            guard count <= UInt64(Self.maximumArrayCount) else {
                throw FormatError.invalidHeader(
                    path: reader.path, reason: "metadata \(key) declares \(count) elements, more than the \(Self.maximumArrayCount) ZOTune accepts")
            }
            var values: [GGUFValue] = []
            values.reserveCapacity(Int(count))
            for _ in 0..<Int(count) {
                values.append(try readValue(&reader, type: elementType, key: key, depth: depth + 1))
            }
            return .array(values)
        case 10: return .uint64(try reader.read(UInt64.self, "metadata \(key)"))
        case 11: return .int64(try reader.read(Int64.self, "metadata \(key)"))
        case 12: return .float64(try reader.readDouble("metadata \(key)"))
        default:
            throw FormatError.invalidHeader(path: reader.path, reason: "metadata \(key) has unknown value type \(type)")
        }
    }
}
