import Foundation
import XCTest
import ZOTensor

/// The CFS quota of the process's control group caps the default thread count.
final class CPUQuotaTests: XCTestCase {
    func testCPUMaxRoundsUpToWholeCores() {
        XCTAssertEqual(System.cpuQuota(cpuMax: "200000 100000"), 2)
        XCTAssertEqual(System.cpuQuota(cpuMax: "150000 100000"), 2, "1.5 cores: two threads")
        XCTAssertEqual(System.cpuQuota(cpuMax: "50000 100000"), 1)
        XCTAssertNil(System.cpuQuota(cpuMax: "max 100000"), "cgroup v2 without a limit")
        XCTAssertNil(System.cpuQuota(cpuMax: "-1 100000"), "cgroup v1 without a limit")
        XCTAssertNil(System.cpuQuota(cpuMax: ""))
    }

    func testGroupPathIsTheMatchingControllersLine() {
        let hybrid = "12:cpuset:/\n4:cpu,cpuacct:/docker/abc\n1:name=systemd:/x\n0::/user.slice/session-1.scope\n"
        let isCPU: (Substring) -> Bool = { $0.split(separator: ",").contains("cpu") }
        XCTAssertEqual(System.groupPath(in: hybrid, controllers: isCPU), "/docker/abc", "cpuset is not cpu")
        XCTAssertEqual(System.groupPath(in: hybrid) { $0.isEmpty }, "/user.slice/session-1.scope")
        XCTAssertEqual(System.groupPath(in: "0::/\n", controllers: isCPU), "/", "no cpu line: the root")
    }

    /// The tightest limit on the way from the group to the mount's root wins, whatever order the
    /// files are found in; a group folder missing from the mount (a container without its own
    /// namespace) falls back to the root.
    func testQuotaIsTheSmallestOverTheGroupAndItsAncestors() throws {
        let cgroup = CgroupFolder()
        defer { cgroup.remove() }
        try cgroup.write("cpu.max", "max 100000\n")
        try cgroup.write("slice/cpu.max", "300000 100000\n")
        try cgroup.write("slice/job/cpu.max", "max 100000\n")
        XCTAssertEqual(System.cpuQuota(mountedAt: cgroup.path, cgroups: "0::/slice/job\n"), 3, "the parent's limit binds")
        try cgroup.write("slice/job/cpu.max", "100000 100000\n")
        XCTAssertEqual(System.cpuQuota(mountedAt: cgroup.path, cgroups: "0::/slice/job\n"), 1)
        XCTAssertNil(System.cpuQuota(mountedAt: cgroup.path, cgroups: "0::/\n"), "the root has no limit")

        try cgroup.write("cpu/cpu.cfs_quota_us", "200000\n")
        try cgroup.write("cpu/cpu.cfs_period_us", "100000\n")
        XCTAssertEqual(System.cpuQuota(mountedAt: cgroup.path, cgroups: "3:cpu,cpuacct:/docker/abc\n0::/\n"), 2,
                       "v1, group folder absent: the mount's root")
    }
}
