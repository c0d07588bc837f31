import Foundation

/// Writes GGUF v3 files as llama.cpp reads them: the header, typed metadata in the order given, tensor
/// infos (dimensions innermost first, GGML's `ne`), then the data, each tensor at a 32-byte-aligned
/// offset (`general.alignment`'s default). The file appears atomically (`AtomicFile`).
public struct GGUFWriter {
    /// One tensor: its name, its row-major shape (slowest dimension first, as in safetensors; written
    /// reversed as `ne`) and its encoded bytes.
    public struct Tensor {
        public let name: String
        public let shape: [Int]
        public let type: GGMLType
        public let data: Data

        /// fp32 values stored as F32, F16, BF16 (round to nearest even) or Q8_0 (llama.cpp's reference
        /// quantizer: per block of 32, d = max|x| / 127 as f16 and q = round(x / d); rows must be a
        /// multiple of 32 long).
        public init(name: String, shape: [Int], floats: UnsafeBufferPointer<Float>, as type: GGMLType = .f32) {
            precondition(shape.reduce(1, *) == floats.count, "tensor \(name): shape and values disagree")
            precondition(Self.encodable.contains(type), "GGUFWriter encodes F32, F16, BF16 and Q8_0")
            precondition(type != .q8_0 || (shape.last ?? 0) % 32 == 0, "Q8_0 rows are whole blocks of 32")
            self.name = name
            self.shape = shape
            self.type = type
            var data = Data(capacity: floats.count / type.blockSize * type.blockBytes)
            func append<T: FixedWidthInteger>(_ value: T) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
            switch type {
            case .f32: for value in floats { append(value.bitPattern) }
            case .f16: for value in floats { append(Float16(value).bitPattern) }
            case .bf16: for value in floats { append(bfloat16Bits(value)) }
            default:
                for start in stride(from: 0, to: floats.count, by: 32) {
                    let block = floats[start..<(start + 32)]
                    let scale = (block.map(abs).max() ?? 0) / 127
                    let inverse = scale == 0 ? 0 : 1 / scale
                    append(Float16(scale).bitPattern)
                    for value in block { data.append(UInt8(bitPattern: Int8((value * inverse).rounded()))) }
                }
            }
            self.data = data
        }

        /// Bytes already in `type`'s encoding (e.g. blocks copied from another file); nil when their
        /// count is not what `shape` needs in that encoding.
        public init?(name: String, shape: [Int], type: GGMLType, encoded data: Data) {
            guard type.byteCount(elements: shape.reduce(1, *)) == data.count else { return nil }
            (self.name, self.shape, self.type, self.data) = (name, shape, type, data)
        }

        /// The encodings `init(name:shape:floats:as:)` writes.
        public static let encodable: [GGMLType] = [.f32, .f16, .bf16, .q8_0]
    }

    public static let alignment = 32

    public var metadata: [(key: String, value: GGUFValue)] = []
    public var tensors: [Tensor] = []

    public init() {}

    public func write(to url: URL) throws {
        var header = Data("GGUF".utf8)
        Self.append(UInt32(3), to: &header)
        Self.append(UInt64(tensors.count), to: &header)
        Self.append(UInt64(metadata.count), to: &header)
        for (key, value) in metadata {
            Self.append(key, to: &header)
            Self.append(Self.typeCode(value), to: &header)
            Self.appendPayload(value, to: &header)
        }
        var offset = 0
        for tensor in tensors {
            Self.append(tensor.name, to: &header)
            Self.append(UInt32(tensor.shape.count), to: &header)
            for dimension in tensor.shape.reversed() { Self.append(UInt64(dimension), to: &header) }
            Self.append(tensor.type.rawValue, to: &header)
            Self.append(UInt64(offset), to: &header)
            offset = Self.aligned(offset + tensor.data.count)
        }
        header.append(Data(count: Self.aligned(header.count) - header.count))
        let chunks: [() -> Data] = [{ header }] + tensors.map { tensor in
            { tensor.data + Data(count: Self.aligned(tensor.data.count) - tensor.data.count) }
        }
        try AtomicFile.write(producing: chunks, to: url)
    }

    private static func aligned(_ count: Int) -> Int { (count + alignment - 1) / alignment * alignment }

    private static func append<T: FixedWidthInteger>(_ value: T, to data: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }

    private static func append(_ string: String, to data: inout Data) {
        append(UInt64(string.utf8.count), to: &data)
        data.append(contentsOf: Array(string.utf8))
    }

    /// GGUF's value type codes (gguf.md: `gguf_metadata_value_type`).
    private static func typeCode(_ value: GGUFValue) -> UInt32 {
        switch value {
        case .uint8: return 0
        case .int8: return 1
        case .uint16: return 2
        case .int16: return 3
        case .uint32: return 4
        case .int32: return 5
        case .float32: return 6
        case .bool: return 7
        case .string: return 8
        case .array: return 9
        case .uint64: return 10
        case .int64: return 11
        case .float64: return 12
        }
    }

    private static func appendPayload(_ value: GGUFValue, to data: inout Data) {
        switch value {
        case let .uint8(v): append(v, to: &data)
        case let .int8(v): append(v, to: &data)
        case let .uint16(v): append(v, to: &data)
        case let .int16(v): append(v, to: &data)
        case let .uint32(v): append(v, to: &data)
        case let .int32(v): append(v, to: &data)
        case let .uint64(v): append(v, to: &data)
        case let .int64(v): append(v, to: &data)
        case let .float32(v): append(v.bitPattern, to: &data)
        case let .float64(v): append(v.bitPattern, to: &data)
        case let .bool(v): data.append(v ? 1 : 0)
        case let .string(v): append(v, to: &data)
        case let .array(values):
            // An array holds one element type; an empty one is written as strings.
            append(values.first.map(typeCode) ?? 8, to: &data)
            append(UInt64(values.count), to: &data)
            for element in values { appendPayload(element, to: &data) }
        }
    }
}
