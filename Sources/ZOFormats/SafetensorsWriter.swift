import Foundation

/// Writes `.safetensors` files. Tensors are written in the order given, the header is padded with
/// spaces to a multiple of 8 bytes (as the reference implementation does), and the file appears
/// atomically: written to a temporary sibling, then renamed over the destination.
public struct SafetensorsWriter {
    public struct Tensor {
        public let name: String
        public let shape: [Int]
        public let dtype: SafetensorsDType
        /// Bytes of the encoded values.
        public let byteCount: Int
        let content: Content

        /// Where a tensor's bytes come from.
        enum Content {
            case bytes(Data)
            /// F32 values computed when the writer reaches the tensor (e.g. weights with a low-rank
            /// delta folded in), a block of rows at a time, into one buffer the writer reuses.
            case computed(rows: Int, minimumBlockRows: Int, fill: (UnsafeMutableBufferPointer<Float>, Range<Int>) -> Void)
        }

        public init(name: String, shape: [Int], dtype: SafetensorsDType, data: Data) {
            precondition(shape.reduce(1, *) * dtype.byteWidth == data.count, "tensor \(name): shape and data disagree")
            self.init(name: name, shape: shape, dtype: dtype, byteCount: data.count, content: .bytes(data))
        }

        /// An F32 tensor computed on demand, a block of rows (first dimension) at a time: `fill(block,
        /// rows)` writes rows `rows` into the zeroed `block`. Only one block exists at a time, so a
        /// computed copy of a large tensor (an embedding table with a delta folded in) is never whole
        /// in memory. Blocks hold at least `minimumBlockRows` rows (or the whole tensor); see `rowBlocks`.
        public init(
            name: String, shape: [Int], minimumBlockRows: Int = 1,
            computingRows fill: @escaping (UnsafeMutableBufferPointer<Float>, Range<Int>) -> Void
        ) {
            self.init(name: name, shape: shape, dtype: .f32, byteCount: shape.reduce(1, *) * 4,
                      content: .computed(rows: shape.first ?? 1, minimumBlockRows: minimumBlockRows, fill: fill))
        }

        private init(name: String, shape: [Int], dtype: SafetensorsDType, byteCount: Int, content: Content) {
            self.name = name
            self.shape = shape
            self.dtype = dtype
            self.byteCount = byteCount
            self.content = content
        }

        /// fp32 values stored as F32, F16 or BF16 (round to nearest even).
        public init(name: String, shape: [Int], floats: [Float], as dtype: SafetensorsDType = .f32) {
            var data = Data(capacity: floats.count * dtype.byteWidth)
            switch dtype {
            case .f32:
                floats.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: $0.baseAddress, count: $0.count)) }
            case .f16:
                let halves = floats.map { Float16($0).bitPattern.littleEndian }
                halves.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: $0.baseAddress, count: $0.count)) }
            case .bf16:
                let halves = floats.map { bfloat16Bits($0).littleEndian }
                halves.withUnsafeBufferPointer { data.append(UnsafeBufferPointer(start: $0.baseAddress, count: $0.count)) }
            default:
                preconditionFailure("floats can be stored as F32, F16 or BF16, not \(dtype.rawValue)")
            }
            self.init(name: name, shape: shape, dtype: dtype, data: data)
        }

        /// fp32 values read in place from memory that outlives the write (e.g. a weight arena): no copy.
        public init(name: String, shape: [Int], borrowing values: UnsafeBufferPointer<Float>) {
            let data = Data(
                bytesNoCopy: UnsafeMutableRawPointer(mutating: values.baseAddress!), count: values.count * 4,
                deallocator: .none)
            self.init(name: name, shape: shape, dtype: .f32, data: data)
        }

        /// Integer values stored as I64.
        public init(name: String, shape: [Int], integers: [Int]) {
            let values = integers.map { Int64($0).littleEndian }
            let data = values.withUnsafeBufferPointer { Data(buffer: $0) }
            self.init(name: name, shape: shape, dtype: .i64, data: data)
        }
    }

    public init() {}

    /// Largest block of a computed tensor held in memory, in floats (16 MiB); whole rows, at least one.
    public static let blockFloats = 1 << 22

    /// The row blocks a computed tensor of `rows` rows of `rowWidth` floats is written in: as many
    /// rows as fit in `blockFloats`, never fewer than `minimumRows`, and a short last block merged
    /// into the one before, so every block has at least `minimumRows` rows unless the tensor has fewer.
    public static func rowBlocks(rows: Int, rowWidth: Int, blockFloats: Int, minimumRows: Int) -> [Range<Int>] {
        guard rows > 0 else { return [] }
        let perBlock = max(1, minimumRows, blockFloats / max(rowWidth, 1))
        var blocks = stride(from: 0, to: rows, by: perBlock).map { $0..<min(rows, $0 + perBlock) }
        if blocks.count > 1, blocks.last!.count < minimumRows {
            let tail = blocks.removeLast()
            blocks[blocks.count - 1] = blocks.last!.lowerBound..<tail.upperBound
        }
        return blocks
    }

    public func write(
        _ tensors: [Tensor], metadata: [String: String] = [:], to url: URL, blockFloats: Int = SafetensorsWriter.blockFloats
    ) throws {
        var header: [String: Any] = [:]
        var offset = 0
        for tensor in tensors {
            header[tensor.name] = [
                "dtype": tensor.dtype.rawValue, "shape": tensor.shape,
                "data_offsets": [offset, offset + tensor.byteCount],
            ]
            offset += tensor.byteCount
        }
        if !metadata.isEmpty { header["__metadata__"] = metadata }
        var headerData = try JSONSerialization.data(withJSONObject: header, options: [.sortedKeys])
        let padding = (8 - headerData.count % 8) % 8
        headerData.append(contentsOf: [UInt8](repeating: 0x20, count: padding))

        var prefix = Data()
        withUnsafeBytes(of: UInt64(headerData.count).littleEndian) { prefix.append(contentsOf: $0) }
        prefix.append(headerData)
        // Streamed piece by piece: a checkpoint of a large model is never assembled in memory, and
        // computed tensors go out in blocks of whole rows through one reused buffer (a fresh copy per
        // tensor held SmolLM2's 113 MB embedding table, and more, while a checkpoint was written).
        var scratchCount = 0
        var pieces: [() throws -> Data] = [{ prefix }]
        var computedBlocks: [(blocks: [Range<Int>], rowWidth: Int)] = []
        for tensor in tensors {
            guard case let .computed(rows, minimumRows, _) = tensor.content else { continue }
            let rowWidth = rows > 0 ? tensor.byteCount / 4 / rows : 0
            let blocks = Self.rowBlocks(rows: rows, rowWidth: rowWidth, blockFloats: blockFloats, minimumRows: minimumRows)
            scratchCount = max(scratchCount, (blocks.map(\.count).max() ?? 0) * rowWidth)
            computedBlocks.append((blocks, rowWidth))
        }
        let scratch = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(scratchCount, 1))
        defer { scratch.deallocate() }
        var nextComputed = 0
        for tensor in tensors {
            switch tensor.content {
            case let .bytes(data):
                pieces.append { data }
            case let .computed(_, _, fill):
                let (blocks, rowWidth) = computedBlocks[nextComputed]
                nextComputed += 1
                for block in blocks {
                    pieces.append {
                        let values = UnsafeMutableBufferPointer(rebasing: scratch[..<(block.count * rowWidth)])
                        values.initialize(repeating: 0)
                        fill(values, block)
                        return Data(bytesNoCopy: values.baseAddress!, count: values.count * 4, deallocator: .none)
                    }
                }
            }
        }
        try AtomicFile.write(producing: pieces, to: url)
    }
}

/// Rounds fp32 to bfloat16 bits, to nearest even; NaN stays NaN.
func bfloat16Bits(_ value: Float) -> UInt16 {
    let bits = value.bitPattern
    if value.isNaN { return UInt16(bits >> 16) | 0x40 }
    let rounding = 0x7FFF + ((bits >> 16) & 1)
    return UInt16((bits &+ rounding) >> 16)
}
