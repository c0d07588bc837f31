import Foundation

/// The CFS bandwidth limit of the process's control group, which caps the default thread count: a
/// container started with `--cpus 2` still sees every core of its host in its affinity mask.
extension System {
    /// Whole cores granted by the CFS quota (rounded up); nil when no group limits this process.
    package static var cpuQuota: Int? {
        let groups = (try? String(contentsOfFile: "/proc/self/cgroup", encoding: .utf8)) ?? ""
        return cpuQuota(mountedAt: "/sys/fs/cgroup", cgroups: groups)
    }

    /// The smallest quota over the process's group and its ancestors up to the mount's root — a
    /// limit on a parent (a systemd slice) binds its children; cgroup v2 `cpu.max`, then v1
    /// `cpu/…/cpu.cfs_quota_us` and `cpu.cfs_period_us`. `cgroups` is /proc/self/cgroup's text;
    /// inside a container with its own cgroup namespace the group is the mount's root.
    package static func cpuQuota(mountedAt root: String, cgroups: String) -> Int? {
        var quotas: [Int] = []
        for folder in folders(under: root, to: groupPath(in: cgroups) { $0.isEmpty }) {
            if let line = firstLine(folder + "/cpu.max"), let cores = cpuQuota(cpuMax: line) { quotas.append(cores) }
        }
        for folder in folders(under: root + "/cpu", to: groupPath(in: cgroups) { $0.split(separator: ",").contains("cpu") }) {
            if let quota = firstLine(folder + "/cpu.cfs_quota_us"), let period = firstLine(folder + "/cpu.cfs_period_us"),
               let cores = cpuQuota(cpuMax: "\(quota) \(period)") {
                quotas.append(cores)
            }
        }
        return quotas.min()
    }

    /// The group path of the first /proc/self/cgroup line ("ID:CONTROLLERS:PATH") whose controller
    /// list matches (v2: the empty list), else "/".
    package static func groupPath(in cgroups: String, controllers matches: (Substring) -> Bool) -> String {
        for line in cgroups.split(separator: "\n") {
            let fields = line.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            if fields.count == 3, matches(fields[1]) { return String(fields[2]) }
        }
        return "/"
    }

    /// A group's folder and each ancestor's up to `root`: "/a/b" → root/a/b, root/a, root.
    static func folders(under root: String, to path: String) -> [String] {
        let parts = path.split(separator: "/")
        return (0...parts.count).reversed().map { ([Substring(root)] + parts.prefix($0)).joined(separator: "/") }
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
