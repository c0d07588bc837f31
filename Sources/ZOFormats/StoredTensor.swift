/// How a stored tensor's bytes encode its values.
public enum TensorEncoding: Hashable, Sendable, CustomStringConvertible {
    /// A safetensors dtype ("F32", "F16", "BF16", "I64", …).
    case safetensors(SafetensorsDType)
    /// A ggml type from a GGUF file (F32, F16, BF16, Q8_0, Q4_1, …).
    case ggml(GGMLType)

    public var description: String {
        switch self {
        case let .safetensors(d): return d.rawValue
        case let .ggml(t): return t.name
        }
    }
}

/// A tensor inside a mapped weight file: name, row-major shape and its encoded bytes. Decoding to fp32
/// happens on demand (`decode(into:)`), so a model reads each weight once, straight into its arena.
public struct StoredTensor: @unchecked Sendable {
    public let name: String
    /// Row-major shape, slowest dimension first (GGUF's fastest-first dims are reversed on load).
    public let shape: [Int]
    public let encoding: TensorEncoding
    /// The tensor's bytes inside `file`.
    public let bytes: UnsafeRawBufferPointer
    /// Keeps the mapping alive as long as the tensor is.
    public let file: MappedFile

    public var elementCount: Int { shape.reduce(1, *) }

    /// Decodes all elements to fp32. `destination.count` must equal `elementCount`.
    public func decode(into destination: UnsafeMutableBufferPointer<Float>) throws {
        precondition(destination.count == elementCount, "decode destination has the wrong size")
        try Self.decode(encoding, bytes: bytes, into: destination, tensor: name)
    }

    private static func decode(
        _ encoding: TensorEncoding, bytes: UnsafeRawBufferPointer, into destination: UnsafeMutableBufferPointer<Float>,
        tensor: String
    ) throws {
        switch encoding {
        case let .ggml(type):
            try Dequantizer.decode(type, bytes: bytes, into: destination, tensor: tensor)
        case let .safetensors(dtype):
            try dtype.decode(bytes: bytes, into: destination, tensor: tensor)
        }
    }

    /// Throws the error decoding would for an encoding ZOTune cannot decode (a ggml type without a
    /// decoder), without decoding: a weight kept encoded is refused at load, as a decoded one is.
    public func requireDecodable() throws {
        if case let .ggml(type) = encoding { try Dequantizer.requireSupport(type, tensor: name) }
    }

    /// (elements, bytes) of the smallest independently decodable unit.
    private var block: (elements: Int, bytes: Int) {
        switch encoding {
        case let .ggml(type): return (type.blockSize, type.blockBytes)
        case let .safetensors(dtype): return (1, dtype.byteWidth)
        }
    }

    /// Whether rows of `columns` elements are whole blocks, so that each row decodes on its own.
    public func rowsDecodeAlone(columns: Int) -> Bool {
        columns > 0 && elementCount % columns == 0 && columns % block.elements == 0
            && bytes.count == elementCount / block.elements * block.bytes
    }

    /// Decodes rows `rows` of the tensor seen as `[elementCount / columns × columns]` into
    /// `destination` (needs `rowsDecodeAlone(columns:)`).
    public func decode(rows: Range<Int>, columns: Int, into destination: UnsafeMutablePointer<Float>) throws {
        precondition(rowsDecodeAlone(columns: columns) && rows.upperBound * columns <= elementCount, "rows outside the tensor")
        let rowBytes = columns / block.elements * block.bytes
        let slice = UnsafeRawBufferPointer(rebasing: bytes[(rows.lowerBound * rowBytes)..<(rows.upperBound * rowBytes)])
        try Self.decode(encoding, bytes: slice, into: UnsafeMutableBufferPointer(start: destination, count: rows.count * columns),
                        tensor: name)
    }

    /// Decodes slice by slice (≈ 4 MB of file each) and releases each slice's file pages as soon as
    /// it is decoded (see `MappedFile.release`): even the largest tensor (an embedding of 100+ MB)
    /// then adds at most one slice of file pages to the process's memory, not all of itself.
    public func decodeAndRelease(into destination: UnsafeMutableBufferPointer<Float>) throws {
        precondition(destination.count == elementCount, "decode destination has the wrong size")
        let (blockElements, blockBytes) = block
        let blocks = elementCount / blockElements
        guard elementCount % blockElements == 0, bytes.count == blocks * blockBytes else {
            try decode(into: destination)  // throws the precise size error
            return
        }
        let blocksPerSlice = max(1, (4 << 20) / blockBytes)
        for first in stride(from: 0, to: blocks, by: blocksPerSlice) {
            let end = min(blocks, first + blocksPerSlice)
            let slice = UnsafeRawBufferPointer(rebasing: bytes[(first * blockBytes)..<(end * blockBytes)])
            try Self.decode(
                encoding, bytes: slice,
                into: UnsafeMutableBufferPointer(rebasing: destination[(first * blockElements)..<(end * blockElements)]),
                tensor: name)
            file.release(slice)
        }
        file.release(bytes)
    }

    /// Decodes to a new array (convenient for small tensors and tests).
    public func floats() throws -> [Float] {
        var out = [Float](repeating: 0, count: elementCount)
        try out.withUnsafeMutableBufferPointer { try decode(into: $0) }
        return out
    }
}

/// Checks that tensors' byte ranges lie within `limit` and do not overlap.
func validateLayout(_ ranges: [(name: String, range: Range<Int>)], limit: Int) throws {
    for item in ranges where item.range.upperBound > limit || item.range.lowerBound < 0 {
        throw FormatError.offsetOutOfRange(tensor: item.name, end: item.range.upperBound, limit: limit)
    }
    let sorted = ranges.sorted { $0.range.lowerBound < $1.range.lowerBound }
    for (a, b) in zip(sorted, sorted.dropFirst()) where a.range.overlaps(b.range) {
        throw FormatError.overlappingTensors(first: a.name, second: b.name)
    }
}
