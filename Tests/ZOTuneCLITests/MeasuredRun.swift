import Foundation
import XCTest

/// Runs the built `zotune` under an address-space cap and reports its peak resident memory. A small
/// Python 3 parent (the project's fixture scripts need Python 3 already) forks it, caps it with
/// `setrlimit(RLIMIT_AS)` and reads its high-water mark with `getrusage(RUSAGE_CHILDREN)`. The test
/// process cannot read it itself: a child spawned from it (vfork-style, as `posix_spawn` and
/// `Process` do) inherits the test process's own peak at `exec`. The cap turns a runaway allocation
/// into a quick failure instead of swapping the machine; the peak is what tests bound. A child still
/// running after `timeout` is killed and reported as exit 124.
struct MeasuredRun {
    let status: Int32
    let stdout: String
    let stderr: String
    /// Peak resident set of the `zotune` process, in bytes.
    let peakResidentBytes: Int

    /// The address-space cap: room for the runtime and OpenBLAS's per-thread buffers (~128 MiB each,
    /// up to 8 threads; when one cannot be allocated, OpenBLAS 0.3 retries forever at exit), far
    /// below what an unchecked size would take (the probe's 14 GB).
    static let addressSpaceLimit = 4 << 30

    private static let parent = """
        import resource, subprocess, sys
        limit, timeout, report = int(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
        cap = lambda: resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        try:
            status = subprocess.run(sys.argv[4:], preexec_fn=cap, stdin=subprocess.DEVNULL, timeout=timeout).returncode
        except subprocess.TimeoutExpired:
            status = 124
        with open(report, "w") as f:
            f.write(str(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024))
        sys.exit(status if status >= 0 else 128 - status)
        """

    static func zotune(_ arguments: [String], timeout: TimeInterval = 60) throws -> MeasuredRun {
        let report = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-peak-\(UUID())")
        defer { try? FileManager.default.removeItem(at: report) }
        let result = try CLI.run(
            ["python3", "-c", parent, String(addressSpaceLimit), String(timeout), report.path, CLI.binary.path] + arguments,
            executable: URL(fileURLWithPath: "/usr/bin/env"))
        XCTAssertNotEqual(result.status, 124, "zotune \(arguments.joined(separator: " ")) still ran after \(Int(timeout)) s")
        let peak = try Int(String(contentsOf: report, encoding: .utf8)) ?? 0
        return MeasuredRun(status: result.status, stdout: result.stdout, stderr: result.stderr, peakResidentBytes: peak)
    }
}
