import Foundation

/// Writes small zip archives byte by byte (stored entries, no CRCs) so tests can craft PyTorch
/// checkpoints torch.save would never write: forbidden globals, ZIP64 extra fields, odd pickles.
struct ZipBuilder {
    /// Saturate the 32-bit fields and put the real values in ZIP64 extra fields and end records, as
    /// a writer must for archives past 4 GB.
    var zip64 = false
    private(set) var entries: [(name: String, data: [UInt8])] = []

    mutating func add(_ name: String, _ data: [UInt8]) { entries.append((name, data)) }

    func build() -> [UInt8] {
        var out = Bytes(), directory = Bytes()
        for entry in entries {
            let offset = out.data.count
            let name = Array(entry.name.utf8)
            out.u32(0x0403_4b50); out.u16(20); out.u16(0); out.u16(0); out.u32(0)  // versions, flags, method, time
            out.u32(0); out.u32(entry.data.count); out.u32(entry.data.count)  // CRC, sizes
            out.u16(name.count); out.u16(0); out.data += name + entry.data
            var extra = Bytes()
            if zip64 { extra.u16(1); extra.u16(24); extra.u64(entry.data.count); extra.u64(entry.data.count); extra.u64(offset) }
            let size = zip64 ? Int(UInt32.max) : entry.data.count
            directory.u32(0x0201_4b50); directory.u16(45); directory.u16(45); directory.u16(0); directory.u16(0)
            directory.u32(0); directory.u32(0); directory.u32(size); directory.u32(size)  // time, CRC, sizes
            directory.u16(name.count); directory.u16(extra.data.count); directory.u16(0); directory.u16(0); directory.u16(0)
            directory.u32(0); directory.u32(zip64 ? Int(UInt32.max) : offset); directory.data += name + extra.data
        }
        let directoryOffset = out.data.count
        out.data += directory.data
        if zip64 {
            let record = out.data.count
            out.u32(0x0606_4b50); out.u64(44); out.u16(45); out.u16(45); out.u32(0); out.u32(0)
            out.u64(entries.count); out.u64(entries.count); out.u64(directory.data.count); out.u64(directoryOffset)
            out.u32(0x0706_4b50); out.u32(0); out.u64(record); out.u32(1)  // the locator
        }
        let count = zip64 ? Int(UInt16.max) : entries.count
        out.u32(0x0605_4b50); out.u16(0); out.u16(0); out.u16(count); out.u16(count)
        out.u32(zip64 ? Int(UInt32.max) : directory.data.count); out.u32(zip64 ? Int(UInt32.max) : directoryOffset)
        out.u16(0)
        return out.data
    }

    private struct Bytes {
        var data: [UInt8] = []
        mutating func u16(_ v: Int) { data += GGUFBuilder.le(UInt16(v)) }
        mutating func u32(_ v: Int) { data += GGUFBuilder.le(UInt32(v)) }
        mutating func u64(_ v: Int) { data += GGUFBuilder.le(UInt64(v)) }
    }

    /// A torch-style checkpoint `archive/data.pkl` + `archive/data/<key>` around a hand-written pickle.
    static func checkpoint(pickle: [UInt8], storages: [String: [UInt8]] = [:], zip64: Bool = false) -> [UInt8] {
        var builder = ZipBuilder(zip64: zip64)
        builder.add("archive/data.pkl", pickle)
        for key in storages.keys.sorted() { builder.add("archive/data/\(key)", storages[key]!) }
        return builder.build()
    }
}

/// Hand-written protocol-2 pickle snippets.
enum PickleBytes {
    static func string(_ s: String) -> [UInt8] { [0x58] + GGUFBuilder.le(UInt32(s.utf8.count)) + Array(s.utf8) }
    static func global(_ module: String, _ name: String) -> [UInt8] { [0x63] + Array("\(module)\n\(name)\n".utf8) }
    static func int(_ n: UInt8) -> [UInt8] { [0x4B, n] }

    /// `{name: _rebuild_tensor_v2(('storage', torch.FloatStorage, key, 'cpu', numel), offset, size, stride,
    /// False, OrderedDict())}`
    static func stateDict(
        _ name: String, key: String, numel: UInt8, offset: UInt8, size: [UInt8], stride: [UInt8], pickledOffset: [UInt8]? = nil,
        pickledShape: [UInt8]? = nil, pickledStride: [UInt8]? = nil
    ) -> [UInt8] {
        var out: [UInt8] = [0x80, 0x02, 0x7D, 0x28] + string(name) + global("torch._utils", "_rebuild_tensor_v2") + [0x28]
        out += [0x28] + string("storage") + global("torch", "FloatStorage") + string(key) + string("cpu") + int(numel)
        out += [0x74, 0x51]  // TUPLE, BINPERSID
        out += pickledOffset ?? int(offset)
        out += pickledShape ?? [0x28] + size.flatMap(int) + [0x74]
        out += pickledStride ?? [0x28] + stride.flatMap(int) + [0x74]
        out += [0x89] + global("collections", "OrderedDict") + [0x29, 0x52] + [0x74, 0x52]
        return out + [0x75, 0x2E]
    }
}
