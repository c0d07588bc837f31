import Foundation

/// Writes small GGUF files byte by byte so tests can craft valid and deliberately broken inputs.
struct GGUFBuilder {
    struct Tensor {
        var name: String
        var dims: [UInt64]
        var type: UInt32
        var offset: UInt64
    }

    var version: UInt32 = 3
    var metadata: [(key: String, type: UInt32, payload: [UInt8])] = []
    var tensors: [Tensor] = []
    var data: [UInt8] = []
    var tensorCountOverride: UInt64?

    mutating func addString(_ key: String, _ value: String) {
        metadata.append((key, 8, Self.string(value)))
    }

    mutating func addUInt32(_ key: String, _ value: UInt32) {
        metadata.append((key, 4, Self.le(value)))
    }

    /// Appends a tensor whose bytes are `bytes`, at the next 32-byte-aligned offset.
    mutating func addTensor(_ name: String, dims: [UInt64], type: UInt32, bytes: [UInt8]) {
        while data.count % 32 != 0 { data.append(0) }
        tensors.append(Tensor(name: name, dims: dims, type: type, offset: UInt64(data.count)))
        data += bytes
    }

    func build() -> [UInt8] {
        var out: [UInt8] = Array("GGUF".utf8)
        out += Self.le(version)
        out += Self.le(tensorCountOverride ?? UInt64(tensors.count))
        out += Self.le(UInt64(metadata.count))
        for entry in metadata {
            out += Self.string(entry.key) + Self.le(entry.type) + entry.payload
        }
        for t in tensors {
            out += Self.string(t.name) + Self.le(UInt32(t.dims.count))
            for d in t.dims { out += Self.le(d) }
            out += Self.le(t.type) + Self.le(t.offset)
        }
        while out.count % 32 != 0 { out.append(0) }
        return out + data
    }

    static func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.littleEndian) { Array($0) }
    }

    static func string(_ s: String) -> [UInt8] { le(UInt64(s.utf8.count)) + Array(s.utf8) }

    static func floats(_ values: [Float]) -> [UInt8] { values.flatMap { le($0.bitPattern) } }
}

/// A temporary file that removes itself.
final class TemporaryFile {
    let url: URL
    init(bytes: [UInt8], suffix: String = ".bin") {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-test-\(UUID().uuidString)\(suffix)")
        _ = FileManager.default.createFile(atPath: url.path, contents: Data(bytes))
    }
    var path: String { url.path }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Where the committed fixtures live.
enum Fixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")
    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
    static func json(_ relative: String) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(relative))) as! [String: Any]
    }
}
