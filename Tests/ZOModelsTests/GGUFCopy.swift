import Foundation
import ZOFormats

/// A committed GGUF fixture re-written with edits (tensors removed or replaced, metadata set) to a
/// temporary file, so a test can hand the loader files the converter would not write.
final class GGUFCopy {
    struct Tensor {
        var name: String
        /// Row-major, slowest dimension first (as `StoredTensor.shape`).
        var shape: [Int]
        var type: GGMLType
        var bytes: [UInt8]
    }

    var metadata: [(key: String, value: GGUFValue)]
    var tensors: [Tensor]
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-gguf-\(UUID()).gguf")
    var path: String { url.path }

    init(_ fixture: String) throws {
        let file = try GGUFFile(path: Fixtures.url(fixture).path)
        metadata = file.metadataKeys.map { ($0, file.metadata[$0]!) }
        tensors = file.tensors.map { tensor in
            guard case let .ggml(type) = tensor.encoding else { preconditionFailure("GGUF tensors are ggml-typed") }
            return Tensor(name: tensor.name, shape: tensor.shape, type: type, bytes: Array(tensor.bytes))
        }
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func removeTensor(_ name: String) { tensors.removeAll { $0.name == name } }

    /// Replaces (or adds) an F32 tensor.
    func setTensor(_ name: String, shape: [Int], floats: [Float]) {
        let tensor = Tensor(name: name, shape: shape, type: .f32, bytes: floats.flatMap { Self.le($0.bitPattern) })
        if let index = tensors.firstIndex(where: { $0.name == name }) { tensors[index] = tensor } else { tensors.append(tensor) }
    }

    func set(_ key: String, _ value: GGUFValue) {
        if let index = metadata.firstIndex(where: { $0.key == key }) { metadata[index].value = value } else { metadata.append((key, value)) }
    }

    /// Writes GGUF v3 (alignment 32) and returns the path.
    @discardableResult
    func write() throws -> String {
        var out = Array("GGUF".utf8) + Self.le(UInt32(3)) + Self.le(UInt64(tensors.count)) + Self.le(UInt64(metadata.count))
        for (key, value) in metadata {
            let (type, payload) = Self.encode(value)
            out += Self.string(key) + Self.le(type) + payload
        }
        var data: [UInt8] = []
        for tensor in tensors {
            while data.count % 32 != 0 { data.append(0) }
            out += Self.string(tensor.name) + Self.le(UInt32(tensor.shape.count))
            for dimension in tensor.shape.reversed() { out += Self.le(UInt64(dimension)) }
            out += Self.le(tensor.type.rawValue) + Self.le(UInt64(data.count))
            data += tensor.bytes
        }
        while out.count % 32 != 0 { out.append(0) }
        try Data(out + data).write(to: url)
        return path
    }

    /// (GGUF value type, bytes after the type) of a metadata value.
    private static func encode(_ value: GGUFValue) -> (UInt32, [UInt8]) {
        switch value {
        case let .uint8(v): return (0, [v])
        case let .int8(v): return (1, le(UInt8(bitPattern: v)))
        case let .uint16(v): return (2, le(v))
        case let .int16(v): return (3, le(v))
        case let .uint32(v): return (4, le(v))
        case let .int32(v): return (5, le(v))
        case let .float32(v): return (6, le(v.bitPattern))
        case let .bool(v): return (7, [v ? 1 : 0])
        case let .string(v): return (8, string(v))
        case let .uint64(v): return (10, le(v))
        case let .int64(v): return (11, le(v))
        case let .float64(v): return (12, le(v.bitPattern))
        case let .array(elements):
            let encoded = elements.map(encode)
            return (9, le(encoded.first?.0 ?? 4) + le(UInt64(elements.count)) + encoded.flatMap { $0.1 })
        }
    }

    private static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    private static func string(_ s: String) -> [UInt8] { le(UInt64(s.utf8.count)) + Array(s.utf8) }
}
