import Foundation

/// A parsed, memory-mapped `.safetensors` file: u64 header length, a JSON header
/// `{name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {…}}`, then the data.
/// Header, offsets, sizes and overlaps are validated up front and reported as `FormatError`.
public final class SafetensorsFile: MappedTensorFile, @unchecked Sendable {
    /// Largest JSON header read: 100 MB, as the reference `safetensors` reader allows.
    public static let maximumHeaderBytes = 100_000_000

    public let file: MappedFile
    public let tensors: [StoredTensor]
    public let metadata: [String: String]

    public init(file: MappedFile) throws {
        self.file = file
        let path = file.path
        var reader = ByteReader(path: path, bytes: file.bytes)
        let headerLength = try reader.read(UInt64.self, "the safetensors header length")
        guard headerLength <= UInt64(reader.remaining) else {
            throw FormatError.headerPastEnd(path: path, headerBytes: Int(clamping: headerLength), fileBytes: file.count)
        }
        // The reference reader's limit: a JSON header is parsed into objects many times its size.
        guard headerLength <= UInt64(Self.maximumHeaderBytes) else {
            throw FormatError.invalidHeader(
                path: path, reason: "its JSON header is \(headerLength) bytes, more than the \(Self.maximumHeaderBytes) allowed")
        }
        let headerBytes = try reader.readBytes(Int(headerLength), "the safetensors header")
        let dataStart = reader.position
        let dataBytes = file.count - dataStart

        let json: Any
        do {
            json = try JSONSerialization.jsonObject(with: Data(headerBytes))
        } catch {
            throw FormatError.invalidHeader(path: path, reason: "the JSON header does not parse")
        }
        guard let header = json as? [String: Any] else {
            throw FormatError.invalidHeader(path: path, reason: "the JSON header is not an object")
        }

        var metadata: [String: String] = [:]
        var parsed: [(name: String, shape: [Int], dtype: SafetensorsDType, range: Range<Int>)] = []
        for (name, value) in header {
            if name == "__metadata__" {
                guard let m = value as? [String: String] else {
                    throw FormatError.invalidHeader(path: path, reason: "__metadata__ must map strings to strings")
                }
                metadata = m
                continue
            }
            guard let entry = value as? [String: Any],
                let dtypeName = entry["dtype"] as? String,
                let shapeValues = entry["shape"] as? [Any],
                let offsetValues = entry["data_offsets"] as? [Any], offsetValues.count == 2
            else {
                throw FormatError.invalidHeader(
                    path: path, reason: "tensor \(name) needs dtype, shape and two data_offsets")
            }
            let shape = try shapeValues.map { try Self.nonNegativeInt($0, path: path, what: "the shape of \(name)") }
            let begin = try Self.nonNegativeInt(offsetValues[0], path: path, what: "the offsets of \(name)")
            let end = try Self.nonNegativeInt(offsetValues[1], path: path, what: "the offsets of \(name)")
            guard begin <= end else {
                throw FormatError.invalidHeader(path: path, reason: "tensor \(name) has data_offsets [\(begin), \(end)]")
            }
            guard let dtype = SafetensorsDType(rawValue: dtypeName) else {
                throw FormatError.unknownDType(tensor: name, dtype: dtypeName)
            }
            let expected = elementCount(ofShape: shape).flatMap { elements -> Int? in
                let bytes = elements.multipliedReportingOverflow(by: dtype.byteWidth)
                return bytes.overflow ? nil : bytes.partialValue
            }
            guard let expected, expected == end - begin else {
                throw FormatError.byteLengthMismatch(
                    tensor: name, shape: shape, dtype: dtype.rawValue, expected: expected ?? -1, actual: end - begin)
            }
            parsed.append((name, shape, dtype, begin..<end))
        }
        try validateLayout(parsed.map { ($0.name, $0.range) }, limit: dataBytes)
        parsed.sort { $0.range.lowerBound < $1.range.lowerBound }

        self.metadata = metadata
        self.tensors = parsed.map { item in
            StoredTensor(
                name: item.name, shape: item.shape, encoding: .safetensors(item.dtype),
                bytes: UnsafeRawBufferPointer(
                    rebasing: file.bytes[(dataStart + item.range.lowerBound)..<(dataStart + item.range.upperBound)]),
                file: file)
        }
    }

    public func tensor(named name: String) -> StoredTensor? { tensors.first { $0.name == name } }

    private static func nonNegativeInt(_ value: Any, path: String, what: String) throws -> Int {
        if let n = value as? NSNumber {
            let d = n.doubleValue
            if d >= 0, d <= Double(Int.max / 4), d == d.rounded() { return Int(d) }
        }
        throw FormatError.invalidHeader(path: path, reason: "\(what) must be non-negative integers")
    }
}

extension StoredTensor {
    /// Exact integer values of an I64/I32 tensor (token ids in golden files), without a float round trip.
    public func integers() throws -> [Int] {
        switch encoding {
        case .safetensors(.i64):
            return (0..<elementCount).map { Int(bytes.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self)) }
        case .safetensors(.i32):
            return (0..<elementCount).map { Int(bytes.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self)) }
        default:
            throw FormatError.unknownDType(tensor: name, dtype: "\(encoding) (expected an integer dtype)")
        }
    }
}
