import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Facts about the machine that sizing decisions need.
public enum System {
    /// Online CPU cores.
    public static var coreCount: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }
}

extension System {
    /// Peak resident set size of this process so far (Linux `VmHWM`), in bytes; 0 if unknown.
    public static var peakResidentBytes: Int { statusBytes("VmHWM:") }

    /// Resident set size now (Linux `VmRSS`), in bytes; 0 if unknown.
    public static var residentBytes: Int { statusBytes("VmRSS:") }

    /// A "kB" field of /proc/self/status, in bytes.
    private static func statusBytes(_ field: String) -> Int {
        guard let file = fopen("/proc/self/status", "r") else { return 0 }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(cString: line)
            if text.hasPrefix(field) {
                let kilobytes = text.dropFirst(field.count).trimmingCharacters(in: .whitespacesAndNewlines).split(separator: " ").first
                return (kilobytes.flatMap { Int($0) } ?? 0) * 1024
            }
        }
        return 0
    }
}
