import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes files so that a reader sees either the old or the new contents, never a partial file.
public enum AtomicFile {
    public static func write(_ data: Data, to url: URL) throws { try write(producing: [{ data }], to: url) }

    /// Writes the pieces one after another into a temporary sibling, syncs it, then renames it over
    /// `url`. Each piece is produced only when it is written. Failures (a full disk, a missing
    /// folder) throw `FormatError.cannotWrite` naming `url`; the temporary file is removed.
    public static func write(producing pieces: [() throws -> Data], to url: URL) throws {
        let directory = url.deletingLastPathComponent()
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).tmp-\(getpid())")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil) else {
            throw FormatError.cannotWrite(path: url.path, reason: String(cString: strerror(errno)))
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            defer { try? handle.close() }
            for piece in pieces { try handle.write(contentsOf: piece()) }
            try handle.synchronize()
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error as? FormatError ?? FormatError.cannotWrite(path: url.path, reason: systemReason(error))
        }
        if rename(temporary.path, url.path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw FormatError.cannotWrite(path: url.path, reason: reason)
        }
    }

    /// The operating system's words for a failed file operation ("No space left on device"): the
    /// POSIX error inside a Foundation error, else the error's own description.
    public static func systemReason(_ error: Error) -> String {
        let error = error as NSError
        if error.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(error.code))) }
        if let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.localizedDescription
    }
}
