import Foundation
#if canImport(Glibc)
import Glibc
private let RLIMIT_AS_RESOURCE = __rlimit_resource_t(RLIMIT_AS.rawValue)
#elseif canImport(Darwin)
import Darwin
private let RLIMIT_AS_RESOURCE = RLIMIT_AS
#endif

extension System {
    /// Memory this process may use: the machine's physical memory, or less where its control group
    /// (or an ancestor, e.g. `systemd-run -p MemoryMax=`, `docker --memory`) or an address-space
    /// limit (`ulimit -v`) sets one.
    public static var memoryLimitBytes: Int {
        let groups = (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)) ?? ""
        var limit = rlimit()
        let addressSpace = getrlimit(RLIMIT_AS_RESOURCE, &limit) == 0 && limit.rlim_cur != rlim_t.max
            ? Int(clamping: limit.rlim_cur) : Int.max
        return min(physicalMemoryBytes, addressSpace, memoryLimit(mountedAt: "/sys/fs/cgroup", cgroups: groups) ?? .max)
    }

    /// The smallest limit over the process's group and its ancestors: cgroup v2 `memory.max`, then
    /// v1 `memory/…/memory.limit_in_bytes` (v1's "no limit" is a huge number, which `min` ignores).
    package static func memoryLimit(mountedAt root: String, cgroups: String) -> Int? {
        var limits: [Int] = []
        for folder in folders(under: root, to: groupPath(in: cgroups) { $0.isEmpty }) {
            if let line = firstLine(folder + "/memory.max"), let bytes = Int(line), bytes > 0 { limits.append(bytes) }
        }
        for folder in folders(under: root + "/memory", to: groupPath(in: cgroups) { $0.split(separator: ",").contains("memory") }) {
            if let line = firstLine(folder + "/memory.limit_in_bytes"), let bytes = Int(line), bytes > 0 { limits.append(bytes) }
        }
        return limits.min()
    }
}
