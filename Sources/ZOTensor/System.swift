import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Facts about the machine that sizing decisions need.
public enum System {
    /// Cores this process may run on: the scheduler's affinity mask where there is one (so `taskset`
    /// and container CPU sets are respected), else the online cores; at most the CPU quota of its
    /// control group (`docker --cpus 2` on a large host, `CPUQuota=` of a systemd slice), since
    /// threads beyond it only wait.
    public static var coreCount: Int {
        let online = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        // Linux `Cpus_allowed`: the affinity mask in hex, in comma-separated 32-bit groups.
        let allowed = statusField("Cpus_allowed:").map { mask in
            mask.reduce(0) { count, character in count + (character.hexDigitValue?.nonzeroBitCount ?? 0) }
        } ?? 0
        let cores = allowed > 0 ? min(allowed, online) : online
        return min(cores, cpuQuota ?? cores)
    }
}

extension System {
    /// Peak resident set size of this process so far (Linux `VmHWM`), in bytes; 0 if unknown.
    public static var peakResidentBytes: Int { statusBytes("VmHWM:") }

    /// The machine's physical memory in bytes (`ProcessInfo`).
    public static var physicalMemoryBytes: Int { Int(clamping: ProcessInfo.processInfo.physicalMemory) }

    /// Resident set size now (Linux `VmRSS`), in bytes; 0 if unknown.
    public static var residentBytes: Int { statusBytes("VmRSS:") }

    /// A "kB" field of /proc/self/status, in bytes.
    private static func statusBytes(_ field: String) -> Int {
        let kilobytes = statusField(field)?.split(separator: " ").first
        return (kilobytes.flatMap { Int($0) } ?? 0) * 1024
    }

    /// The first line of a small text file (trimmed), or nil where it cannot be read.
    static func firstLine(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 256)
        guard fgets(&line, Int32(line.count), file) != nil else { return nil }
        return String(cString: line).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The value of a /proc/self/status line (trimmed), or nil where there is no such file or line.
    private static func statusField(_ field: String) -> String? {
        guard let file = fopen("/proc/self/status", "r") else { return nil }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 4096)
        while fgets(&line, Int32(line.count), file) != nil {
            let text = String(cString: line)
            if text.hasPrefix(field) {
                return text.dropFirst(field.count).trimmingCharacters(in: .whitespacesAndNewlines)
            }
        }
        return nil
    }
}
