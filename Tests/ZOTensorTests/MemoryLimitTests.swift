import Foundation
import XCTest
import ZOTensor

/// The memory limit of the process's control group caps what the kept int8 panels may take.
final class MemoryLimitTests: XCTestCase {
    func testLimitIsTheSmallestOverTheGroupAndItsAncestors() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("cgroup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        func write(_ relative: String, _ text: String) throws {
            let url = root.appendingPathComponent(relative)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        XCTAssertNil(System.memoryLimit(mountedAt: root.path, cgroups: "0::/slice/job\n"), "no files: no limit")
        try write("memory.max", "max\n")
        try write("slice/memory.max", "12884901888\n")
        try write("slice/job/memory.max", "max\n")
        XCTAssertEqual(System.memoryLimit(mountedAt: root.path, cgroups: "0::/slice/job\n"), 12_884_901_888, "the parent's limit binds")
        try write("slice/job/memory.max", "1073741824\n")
        XCTAssertEqual(System.memoryLimit(mountedAt: root.path, cgroups: "0::/slice/job\n"), 1_073_741_824)
        XCTAssertNil(System.memoryLimit(mountedAt: root.path, cgroups: "0::/\n"), "the root has no limit")

        try write("memory/memory.limit_in_bytes", "2147483648\n")
        XCTAssertEqual(System.memoryLimit(mountedAt: root.path, cgroups: "5:memory:/docker/abc\n0::/\n"), 2_147_483_648,
                       "v1, group folder absent: the mount's root")
        XCTAssertLessThanOrEqual(System.memoryLimitBytes, System.physicalMemoryBytes)
        XCTAssertGreaterThan(System.memoryLimitBytes, 0)
    }
}
