/// A zip archive inside a mapped file, read through its central directory: just what a PyTorch
/// checkpoint needs. torch.save stores every entry uncompressed (and 64-byte aligned), so an entry's
/// bytes are viewed in place, zero-copy; a compressed or encrypted entry is an error when it is read.
/// The ZIP64 end records torch.save always writes (and the ZIP64 extra fields of entries past 4 GB)
/// are honoured. CRCs are not checked: that would mean reading every weight byte up front.
public struct ZipArchive {
    public struct Entry: Sendable {
        public let name: String
        /// 0 = stored; anything else is compressed.
        public let method: Int
        let flags: UInt16
        let localHeaderOffset: Int
        public let compressedSize: Int
        public let uncompressedSize: Int
    }

    public let file: MappedFile
    /// In central-directory order.
    public let entries: [Entry]
    private let entryIndex: [String: Int]

    public var path: String { file.path }

    public init(file: MappedFile) throws {
        self.file = file
        let directory = try Self.centralDirectory(of: file)
        var reader = ByteReader(path: file.path, bytes: directory.bytes)
        var entries: [Entry] = []
        var entryIndex: [String: Int] = [:]
        for number in 0..<directory.entryCount {
            let entry = try Self.readCentralEntry(&reader, number: number, path: file.path)
            guard entryIndex[entry.name] == nil else {
                throw FormatError.invalidArchive(path: file.path, reason: "entry \(entry.name) appears twice")
            }
            entryIndex[entry.name] = entries.count
            entries.append(entry)
        }
        self.entries = entries
        self.entryIndex = entryIndex
    }

    public func entry(named name: String) -> Entry? { entryIndex[name].map { entries[$0] } }

    /// The entry's bytes, in place. Only stored entries can be viewed.
    public func contents(of entry: Entry) throws -> UnsafeRawBufferPointer {
        guard entry.method == 0 else {
            throw FormatError.compressedEntry(path: path, entry: entry.name, method: entry.method)
        }
        guard entry.flags & 1 == 0 else {
            throw FormatError.invalidArchive(path: path, reason: "entry \(entry.name) is encrypted")
        }
        guard entry.compressedSize == entry.uncompressedSize else {
            throw FormatError.invalidArchive(
                path: path, reason: "stored entry \(entry.name) has different compressed and uncompressed sizes")
        }
        var reader = ByteReader(path: path, bytes: file.bytes)
        try reader.require(entry.localHeaderOffset, for: "the local header offset of entry \(entry.name)")
        reader.seek(to: entry.localHeaderOffset)
        guard try reader.read(UInt32.self, "the local header of entry \(entry.name)") == Signature.localHeader else {
            throw FormatError.invalidArchive(
                path: path, reason: "entry \(entry.name) has no local header at byte \(entry.localHeaderOffset)")
        }
        _ = try reader.readBytes(22, "the local header of entry \(entry.name)")  // versions … sizes
        let nameLength = Int(try reader.read(UInt16.self, "the local header of entry \(entry.name)"))
        let extraLength = Int(try reader.read(UInt16.self, "the local header of entry \(entry.name)"))
        _ = try reader.readBytes(nameLength + extraLength, "the local header of entry \(entry.name)")
        return try reader.readBytes(entry.compressedSize, "the data of entry \(entry.name)")
    }

    private enum Signature {
        static let localHeader: UInt32 = 0x0403_4b50
        static let centralEntry: UInt32 = 0x0201_4b50
        static let end: UInt32 = 0x0605_4b50
        static let zip64End: UInt32 = 0x0606_4b50
        static let zip64Locator: UInt32 = 0x0706_4b50
    }

    /// Finds the end-of-central-directory record (the last 22+ bytes; a comment may follow it) and,
    /// when a ZIP64 locator precedes it, the ZIP64 record, whose counts and offsets then apply.
    private static func centralDirectory(of file: MappedFile) throws -> (bytes: UnsafeRawBufferPointer, entryCount: Int) {
        let path = file.path, bytes = file.bytes
        let endSize = 22
        var end: Int?
        if bytes.count >= endSize {
            let lowest = max(0, bytes.count - endSize - 0xFFFF)
            for candidate in stride(from: bytes.count - endSize, through: lowest, by: -1)
            where bytes.loadUnaligned(fromByteOffset: candidate, as: UInt32.self).littleEndian == Signature.end {
                end = candidate
                break
            }
        }
        guard let end else {
            throw FormatError.invalidArchive(
                path: path, reason: "it has no end-of-central-directory record (is the file cut short?)")
        }
        var reader = ByteReader(path: path, bytes: bytes, position: end + 4)
        let disk = try reader.read(UInt16.self, "the end-of-central-directory record")
        let directoryDisk = try reader.read(UInt16.self, "the end-of-central-directory record")
        _ = try reader.read(UInt16.self, "the end-of-central-directory record")
        var entryCount = UInt64(try reader.read(UInt16.self, "the end-of-central-directory record"))
        var directorySize = UInt64(try reader.read(UInt32.self, "the end-of-central-directory record"))
        var directoryOffset = UInt64(try reader.read(UInt32.self, "the end-of-central-directory record"))
        var multiDisk = disk != 0 || directoryDisk != 0

        if end >= 20, bytes.loadUnaligned(fromByteOffset: end - 20, as: UInt32.self).littleEndian == Signature.zip64Locator {
            var locator = ByteReader(path: path, bytes: bytes, position: end - 16)
            _ = try locator.read(UInt32.self, "the ZIP64 locator")
            let recordOffset = try locator.read(UInt64.self, "the ZIP64 locator")
            let diskCount = try locator.read(UInt32.self, "the ZIP64 locator")
            multiDisk = multiDisk || diskCount > 1
            guard recordOffset <= UInt64(bytes.count) else {
                throw FormatError.invalidArchive(path: path, reason: "its ZIP64 record offset \(recordOffset) is past the end")
            }
            var record = ByteReader(path: path, bytes: bytes, position: Int(recordOffset))
            guard try record.read(UInt32.self, "the ZIP64 end record") == Signature.zip64End else {
                throw FormatError.invalidArchive(path: path, reason: "no ZIP64 end record at byte \(recordOffset)")
            }
            _ = try record.readBytes(8 + 2 + 2, "the ZIP64 end record")  // record size, versions
            let recordDisk = try record.read(UInt32.self, "the ZIP64 end record")
            let recordDirectoryDisk = try record.read(UInt32.self, "the ZIP64 end record")
            _ = try record.read(UInt64.self, "the ZIP64 end record")
            entryCount = try record.read(UInt64.self, "the ZIP64 end record")
            directorySize = try record.read(UInt64.self, "the ZIP64 end record")
            directoryOffset = try record.read(UInt64.self, "the ZIP64 end record")
            multiDisk = multiDisk || recordDisk != 0 || recordDirectoryDisk != 0
        }
        guard !multiDisk else { throw FormatError.invalidArchive(path: path, reason: "it spans several disks") }
        guard directoryOffset <= UInt64(bytes.count), directorySize <= UInt64(bytes.count) - directoryOffset else {
            throw FormatError.invalidArchive(
                path: path,
                reason: "its central directory (\(directorySize) bytes at \(directoryOffset)) lies past the end "
                    + "of the \(bytes.count)-byte file")
        }
        // Each entry takes at least 46 bytes, which bounds a corrupt count.
        guard entryCount <= directorySize / 46 else {
            throw FormatError.invalidArchive(
                path: path, reason: "it claims \(entryCount) entries in a \(directorySize)-byte central directory")
        }
        let start = Int(directoryOffset)
        return (UnsafeRawBufferPointer(rebasing: bytes[start..<(start + Int(directorySize))]), Int(entryCount))
    }

    private static func readCentralEntry(_ reader: inout ByteReader, number: Int, path: String) throws -> Entry {
        let what = "central directory entry \(number)"
        guard try reader.read(UInt32.self, what) == Signature.centralEntry else {
            throw FormatError.invalidArchive(path: path, reason: "\(what) has the wrong signature")
        }
        _ = try reader.readBytes(4, what)  // versions
        let flags = try reader.read(UInt16.self, what)
        let method = try reader.read(UInt16.self, what)
        _ = try reader.readBytes(8, what)  // time, date, CRC
        var compressedSize = UInt64(try reader.read(UInt32.self, what))
        var uncompressedSize = UInt64(try reader.read(UInt32.self, what))
        let nameLength = Int(try reader.read(UInt16.self, what))
        let extraLength = Int(try reader.read(UInt16.self, what))
        let commentLength = Int(try reader.read(UInt16.self, what))
        _ = try reader.readBytes(8, what)  // start disk, attributes
        var localHeaderOffset = UInt64(try reader.read(UInt32.self, what))
        let name = String(decoding: try reader.readBytes(nameLength, what), as: UTF8.self)
        var extra = ByteReader(path: path, bytes: try reader.readBytes(extraLength, what))
        _ = try reader.readBytes(commentLength, what)

        // ZIP64 extended information (header 0x0001) holds, in this order, each of the three values
        // whose 32-bit field is saturated.
        while extra.remaining >= 4 {
            let id = try extra.read(UInt16.self, "the extra fields of entry \(name)")
            let size = Int(try extra.read(UInt16.self, "the extra fields of entry \(name)"))
            var field = ByteReader(path: path, bytes: try extra.readBytes(size, "the extra fields of entry \(name)"))
            guard id == 1 else { continue }
            let what = "the ZIP64 extra field of entry \(name)"
            if uncompressedSize == 0xFFFF_FFFF { uncompressedSize = try field.read(UInt64.self, what) }
            if compressedSize == 0xFFFF_FFFF { compressedSize = try field.read(UInt64.self, what) }
            if localHeaderOffset == 0xFFFF_FFFF { localHeaderOffset = try field.read(UInt64.self, what) }
        }
        let limit = UInt64(Int.max / 2)
        guard compressedSize <= limit, uncompressedSize <= limit, localHeaderOffset <= limit else {
            throw FormatError.invalidArchive(path: path, reason: "entry \(name) has an impossible size or offset")
        }
        return Entry(
            name: name, method: Int(method), flags: flags, localHeaderOffset: Int(localHeaderOffset),
            compressedSize: Int(compressedSize), uncompressedSize: Int(uncompressedSize))
    }
}
