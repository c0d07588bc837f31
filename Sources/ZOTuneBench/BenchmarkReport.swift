import Foundation

/// The key figures of one `zotune-bench` run, written as one JSON object with `--report FILE` so that
/// scripts/bench can collect repeated runs into BENCHMARKS.md without parsing the printed text.
final class BenchmarkReport {
    private(set) var figures: [String: Double] = [:]

    func record(_ key: String, _ value: Double) { figures[key] = value }

    func write(to path: String) throws {
        let data = try JSONSerialization.data(withJSONObject: figures, options: [.sortedKeys, .prettyPrinted])
        try data.write(to: URL(fileURLWithPath: path))
    }
}
