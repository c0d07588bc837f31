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
    /// control group (`docker --cpus 2` on a large host), since threads beyond it only wait.
    public static var coreCount: Int {
        let online = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        // Linux `Cpus_allowed`: the affinity mask in hex, in comma-separated 32-bit groups.
        let allowed = statusField("Cpus_allowed:").map { mask in
            mask.reduce(0) { count, character in count + (character.hexDigitValue?.nonzeroBitCount ?? 0) }
        } ?? 0
        let cores = allowed > 0 ? min(allowed, online) : online
        return min(cores, cpuQuota ?? cores)
    }

    /// Whole cores granted by the CFS quota of this process's control group (v2 `cpu.max`, else v1
    /// `cpu.cfs_quota_us` / `cpu.cfs_period_us`), rounded up; nil when there is no quota. The group's
    /// folder comes from /proc/self/cgroup; inside a container that folder is the mount's root.
    package static var cpuQuota: Int? {
        let groups = (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)) ?? ""
        func path(_ controllerList: (Substring) -> Bool) -> String {
            for line in groups.split(separator: "\n") {
                let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
                if fields.count == 3, controllerList(fields[1]) { return String(fields[2]) }
            }
            return "/"
        }
        let unified = path { $0.isEmpty }
        for folder in Set(["/sys/fs/cgroup" + unified, "/sys/fs/cgroup"]) {
            if let line = firstLine(folder + "/cpu.max") { return cpuQuota(cpuMax: line) }
        }
        let v1 = path { $0.split(separator: ",").contains("cpu") }
        for folder in ["/sys/fs/cgroup/cpu" + v1, "/sys/fs/cgroup/cpu"] {
            if let quota = firstLine(folder + "/cpu.cfs_quota_us"), let period = firstLine(folder + "/cpu.cfs_period_us") {
                return cpuQuota(cpuMax: "\(quota) \(period)")
            }
        }
        return nil
    }

    /// Cores in a `cpu.max` line, "QUOTA PERIOD" in microseconds ("max" or a negative quota: none).
    package static func cpuQuota(cpuMax line: String) -> Int? {
        let fields = line.split(separator: " ")
        guard fields.count == 2, let quota = Int(fields[0]), let period = Int(fields[1]), quota > 0, period > 0 else {
            return nil
        }
        return max(1, (quota + period - 1) / period)
    }
}

extension System {
    /// Peak resident set size of this process so far (Linux `VmHWM`), in bytes; 0 if unknown.
    public static var peakResidentBytes: Int { statusBytes("VmHWM:") }

    /// Resident set size now (Linux `VmRSS`), in bytes; 0 if unknown.
    public static var residentBytes: Int { statusBytes("VmRSS:") }

    /// A "kB" field of /proc/self/status, in bytes.
    private static func statusBytes(_ field: String) -> Int {
        let kilobytes = statusField(field)?.split(separator: " ").first
        return (kilobytes.flatMap { Int($0) } ?? 0) * 1024
    }

    /// The first line of a small text file (trimmed), or nil where it cannot be read.
    private static func firstLine(_ path: String) -> String? {
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
