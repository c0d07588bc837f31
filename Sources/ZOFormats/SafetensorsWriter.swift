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
        /// Produces the encoded values when the writer reaches this tensor: a computed tensor (e.g.
        /// weights with a low-rank delta folded in) exists in memory only while it is written.
        public let encoded: () throws -> Data

        public init(name: String, shape: [Int], dtype: SafetensorsDType, data: Data) {
            precondition(shape.reduce(1, *) * dtype.byteWidth == data.count, "tensor \(name): shape and data disagree")
            self.init(name: name, shape: shape, dtype: dtype, byteCount: data.count) { data }
        }

        /// An F32 tensor computed on demand: `fill` writes its values into a zeroed buffer.
        public init(name: String, shape: [Int], computing fill: @escaping (UnsafeMutableBufferPointer<Float>) -> Void) {
            let count = shape.reduce(1, *)
            self.init(name: name, shape: shape, dtype: .f32, byteCount: count * 4) {
                var data = Data(count: count * 4)
                data.withUnsafeMutableBytes { fill($0.bindMemory(to: Float.self)) }
                return data
            }
        }

        private init(name: String, shape: [Int], dtype: SafetensorsDType, byteCount: Int, encoded: @escaping () throws -> Data) {
            self.name = name
            self.shape = shape
            self.dtype = dtype
            self.byteCount = byteCount
            self.encoded = encoded
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

    public func write(_ tensors: [Tensor], metadata: [String: String] = [:], to url: URL) throws {
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
        // Streamed piece by piece: a checkpoint of a large model is never assembled in memory.
        try AtomicFile.write(producing: [{ prefix }] + tensors.map { tensor in
            {
                let data = try tensor.encoded()
                precondition(data.count == tensor.byteCount, "tensor \(tensor.name) produced \(data.count) bytes, declared \(tensor.byteCount)")
                return data
            }
        }, to: url)
    }
}

/// Rounds fp32 to bfloat16 bits, to nearest even; NaN stays NaN.
func bfloat16Bits(_ value: Float) -> UInt16 {
    let bits = value.bitPattern
    if value.isNaN { return UInt16(bits >> 16) | 0x40 }
    let rounding = 0x7FFF + ((bits >> 16) & 1)
    return UInt16((bits &+ rounding) >> 16)
}

/// Writes files so that a reader sees either the old or the new contents, never a partial file.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws { try write(producing: [{ data }], to: url) }

    /// Writes the pieces one after another into a temporary sibling, syncs it, then renames it over
    /// `url`. Each piece is produced only when it is written.
    public static func write(producing pieces: [() throws -> Data], to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot create \(temporary.path)"])
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            for piece in pieces { try handle.write(contentsOf: piece()) }
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSLocalizedDescriptionKey: "cannot write \(url.path): \(reason)"])
        }
    }
}
