import XCTest
import ZOTensor

/// Sizing facts read from the kernel: the CFS quota caps the default thread count.
final class SystemTests: XCTestCase {
    func testCPUQuotaRoundsUpToWholeCores() {
        XCTAssertEqual(System.cpuQuota(cpuMax: "200000 100000"), 2)
        XCTAssertEqual(System.cpuQuota(cpuMax: "150000 100000"), 2, "1.5 cores: two threads")
        XCTAssertEqual(System.cpuQuota(cpuMax: "50000 100000"), 1)
    }

    func testNoQuotaIsNil() {
        XCTAssertNil(System.cpuQuota(cpuMax: "max 100000"), "cgroup v2 without a limit")
        XCTAssertNil(System.cpuQuota(cpuMax: "-1 100000"), "cgroup v1 without a limit")
        XCTAssertNil(System.cpuQuota(cpuMax: ""))
    }

    func testCoreCountIsWithinTheOnlineCores() {
        let online = Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))
        XCTAssertGreaterThanOrEqual(System.coreCount, 1)
        XCTAssertLessThanOrEqual(System.coreCount, online)
        if let quota = System.cpuQuota { XCTAssertLessThanOrEqual(System.coreCount, quota) }
    }
}
