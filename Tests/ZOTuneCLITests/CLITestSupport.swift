import Foundation
import XCTest

/// Runs the built `zotune` binary like a user would and captures its output and exit status.
struct CommandResult {
    let status: Int32
    let stdout: String
    let stderr: String
}

enum CLI {
    static var binary: URL {
        // XCTest bundles live next to the products on Linux (.build/<configuration>/).
        Bundle.main.bundleURL.appendingPathComponent("zotune")
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    @discardableResult
    static func run(_ arguments: [String], environment: [String: String] = [:], executable: URL? = nil) throws -> CommandResult {
        let process = Process()
        process.executableURL = executable ?? binary
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes concurrently so a chatty process cannot block on a full pipe.
        nonisolated(unsafe) var errData = Data()
        let group = DispatchGroup()
        group.enter()
        DispatchQueue.global().async {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            group.leave()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        group.wait()
        process.waitUntilExit()
        return CommandResult(
            status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
            stderr: String(decoding: errData, as: UTF8.self))
    }

    static func temporaryFile(_ contents: String, suffix: String = ".txt") throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-cli-\(UUID())\(suffix)")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url
    }
}
