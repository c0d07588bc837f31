import Foundation
import ZOAssets

/// Runs a PyTorch reference script from `scripts/reference/` with the reference environment's
/// interpreter ($ZOTUNE_HOME/reference-venv, made by scripts/reference/setup) and returns the JSON
/// objects it prints on stdout, one per line. Returns nil, after saying why, when the environment or
/// the script is missing or the script fails; its stderr passes through.
enum PyTorchBenchmark {
    static func run(script: String, arguments: [String]) throws -> [[String: Any]]? {
        let python = AssetStore().root.appendingPathComponent("reference-venv/bin/python").path
        guard FileManager.default.isExecutableFile(atPath: python) else {
            print("PyTorch reference: skipped (no reference environment; run scripts/reference/setup)")
            return nil
        }
        guard FileManager.default.fileExists(atPath: script) else {
            print("PyTorch reference: skipped (\(script) not found; run from the repository root)")
            return nil
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + arguments
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            print("PyTorch reference: failed (exit \(process.terminationStatus))")
            return nil
        }
        return String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    /// A number field of a script's JSON line.
    static func number(_ object: [String: Any], _ key: String) -> Double? {
        (object[key] as? NSNumber)?.doubleValue
    }
}
