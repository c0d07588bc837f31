import Foundation
import XCTest
import ZOTensor

/// The memory limit of the process's control group caps what the kept int8 panels may take.
final class MemoryLimitTests: XCTestCase {
    func testLimitIsTheSmallestOverTheGroupAndItsAncestors() throws {
        let cgroup = CgroupFolder()
        defer { cgroup.remove() }
        XCTAssertNil(System.memoryLimit(mountedAt: cgroup.path, cgroups: "0::/slice/job\n"), "no files: no limit")
        try cgroup.write("memory.max", "max\n")
        try cgroup.write("slice/memory.max", "12884901888\n")
        try cgroup.write("slice/job/memory.max", "max\n")
        XCTAssertEqual(System.memoryLimit(mountedAt: cgroup.path, cgroups: "0::/slice/job\n"), 12_884_901_888, "the parent's limit binds")
        try cgroup.write("slice/job/memory.max", "1073741824\n")
        XCTAssertEqual(System.memoryLimit(mountedAt: cgroup.path, cgroups: "0::/slice/job\n"), 1_073_741_824)
        XCTAssertNil(System.memoryLimit(mountedAt: cgroup.path, cgroups: "0::/\n"), "the root has no limit")

        try cgroup.write("memory/memory.limit_in_bytes", "2147483648\n")
        XCTAssertEqual(System.memoryLimit(mountedAt: cgroup.path, cgroups: "5:memory:/docker/abc\n0::/\n"), 2_147_483_648,
                       "v1, group folder absent: the mount's root")
        XCTAssertLessThanOrEqual(System.memoryLimitBytes, System.physicalMemoryBytes)
        XCTAssertGreaterThan(System.memoryLimitBytes, 0)
    }
}
