import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A read-only memory map of a whole file. Weight files are mapped, not read, so opening a model costs
/// page faults on the bytes actually used, and the kernel can share the pages between processes.
public final class MappedFile: @unchecked Sendable {
    public let path: String
    public let bytes: UnsafeRawBufferPointer
    /// `bytes` is a heap copy (see `init(path:count:fill:)`), not a mapping.
    private let isInMemory: Bool

    public init(path: String) throws {
        self.path = path
        isInMemory = false
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else {
            throw FormatError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw FormatError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw FormatError.cannotOpen(path: path, reason: "it is a directory")
        }
        let size = Int(info.st_size)
        if size == 0 {
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        guard let base = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), base != MAP_FAILED else {
            throw FormatError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        bytes = UnsafeRawBufferPointer(start: base, count: size)
    }

    /// Bytes that exist in no file in the layout a reader needs (a non-contiguous PyTorch tensor
    /// gathered into row-major order), held in memory under the name of the file they came from.
    public init(path: String, count: Int, fill: (UnsafeMutableRawBufferPointer) -> Void) {
        self.path = path
        isInMemory = true
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 64)
        fill(buffer)
        bytes = UnsafeRawBufferPointer(buffer)
    }

    deinit {
        guard let base = bytes.baseAddress else { return }
        if isInMemory {
            UnsafeMutableRawPointer(mutating: base).deallocate()
        } else {
            munmap(UnsafeMutableRawPointer(mutating: base), bytes.count)
        }
    }

    public var count: Int { bytes.count }

    /// Tells the kernel the pages under `region` are not needed any more, so they stop counting
    /// towards this process's memory (they are re-read from the file if touched again). Loaders call
    /// it after decoding each tensor: decoding a model then peaks at the decoded weights, not at
    /// decoded weights plus the whole file.
    /// A copy in memory is left alone: dropping its pages would lose it, not evict a cached copy.
    public func release(_ region: UnsafeRawBufferPointer) {
        guard !isInMemory, let base = bytes.baseAddress, let start = region.baseAddress, region.count > 0 else { return }
        let page = Int(sysconf(Int32(_SC_PAGESIZE)))
        let offset = start - base
        let first = (offset + page - 1) / page * page
        let end = (offset + region.count) / page * page
        guard end > first else { return }
        madvise(UnsafeMutableRawPointer(mutating: base + first), end - first, Int32(MADV_DONTNEED))
    }
}
