import Foundation

/// A control-group mount made of files in a temporary folder, for the readers of CPU quotas and
/// memory limits.
struct CgroupFolder {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("cgroup-\(UUID().uuidString)")

    var path: String { root.path }

    /// Writes `text` to `relative` under the mount, making its folders.
    func write(_ relative: String, _ text: String) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}
