import Foundation
import XCTest
import ZOAssets

/// The asset-store extensions task data needs (source archives, several members per download, bzip2
/// post-processing), offline: a fake `python` serves a local archive to `pip download` and runs the
/// real python3 for everything else.
final class DataAssetTests: XCTestCase {
    private var folder: ScratchFolder!
    private var home: URL { folder.url.appendingPathComponent("home") }
    private var pipCalls: URL { folder.url.appendingPathComponent("pip-calls") }

    override func setUpWithError() throws { folder = try ScratchFolder() }
    override func tearDownWithError() throws { folder = nil }

    /// Builds `name` (tar.gz or zip, chosen by suffix) holding one.txt ("one\n") and two.txt.bz2 ("two\n").
    private func makeArchive(_ name: String) throws -> URL {
        let archive = folder.url.appendingPathComponent(name)
        let script = """
            import bz2, io, sys, tarfile, zipfile
            members = {"pkg-1.0/data/one.txt": b"one\\n", "pkg-1.0/data/two.txt.bz2": bz2.compress(b"two\\n")}
            if sys.argv[1].endswith(".zip") or sys.argv[1].endswith(".whl"):
                with zipfile.ZipFile(sys.argv[1], "w") as z:
                    for name, data in members.items(): z.writestr(name, data)
            else:
                with tarfile.open(sys.argv[1], "w:gz") as t:
                    for name, data in members.items():
                        info = tarfile.TarInfo(name); info.size = len(data); t.addfile(info, io.BytesIO(data))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, archive.path]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return archive
    }

    private func fakePython(serving archive: URL) throws -> String {
        let script = """
            #!/bin/sh
            if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
              echo call >> '\(pipCalls.path)'
              while [ "$1" != "--dest" ]; do shift; done
              cp '\(archive.path)' "$2/"
              exit 0
            fi
            exec python3 "$@"
            """
        let url = try folder.write("fake-python", script)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url.path
    }

    private func assets(packageSHA256: String) -> [Asset] {
        [
            Asset(name: "one", requirement: "pkg==1.0", packageSHA256: packageSHA256, member: "pkg-1.0/data/one.txt",
                  fileSHA256: "2c8b08da5ce60398e1f19af0e5dccc744df274b826abe585eaba68c525434806",  // "one\n"
                  cachePath: "t/one.txt", summary: ""),
            Asset(name: "two", requirement: "pkg==1.0", packageSHA256: packageSHA256, member: "pkg-1.0/data/two.txt.bz2",
                  fileSHA256: "27dd8ed44a83ff94d557f9fd0412ed5a8cbca69ea04922d88c01184a07300a5a",  // "two\n"
                  cachePath: "t/two.txt", summary: "", postProcess: .bunzip2),
        ]
    }

    func testSourceArchiveServesSeveralMembersWithOneDownload() throws {
        for name in ["pkg-1.0.tar.gz", "pkg-1.0-py3-none-any.whl"] {
            try? FileManager.default.removeItem(at: home)
            try? FileManager.default.removeItem(at: pipCalls)
            let archive = try makeArchive(name)
            let store = AssetStore(environment: ["ZOTUNE_HOME": home.path, "ZOTUNE_PYTHON": try fakePython(serving: archive)])
            let pinned = assets(packageSHA256: try AssetStore.sha256(of: archive))
            let paths = try store.ensure(pinned)
            XCTAssertEqual(try String(contentsOf: paths[0], encoding: .utf8), "one\n", name)
            XCTAssertEqual(try String(contentsOf: paths[1], encoding: .utf8), "two\n", "decompressed (\(name))")
            XCTAssertTrue(pinned.allSatisfy(store.isCached))
            XCTAssertEqual(try String(contentsOf: pipCalls, encoding: .utf8), "call\n", "one download for both members")
            XCTAssertEqual(try store.ensure(pinned[1]), paths[1])
            XCTAssertEqual(try String(contentsOf: pipCalls, encoding: .utf8), "call\n", "cached: no download")
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: home.path).filter { $0.hasPrefix("tmp-") }
            XCTAssertEqual(leftovers, [])
        }
    }

    func testMissingMemberAndBadDecompressedChecksum() throws {
        let archive = try makeArchive("pkg-1.0.tar.gz")
        let store = AssetStore(environment: ["ZOTUNE_HOME": home.path, "ZOTUNE_PYTHON": try fakePython(serving: archive)])
        let sha = try AssetStore.sha256(of: archive)
        let absent = Asset(name: "absent", requirement: "pkg==1.0", packageSHA256: sha, member: "pkg-1.0/nope.txt",
                           fileSHA256: "", cachePath: "t/nope.txt", summary: "")
        XCTAssertThrowsError(try store.ensure(absent)) { error in
            XCTAssertEqual(error as? AssetError, .extractionFailed(member: "pkg-1.0/nope.txt", detail: "not in the archive: pkg-1.0/nope.txt"))
        }
        var wrong = assets(packageSHA256: sha)[1]
        wrong = Asset(name: wrong.name, requirement: wrong.requirement, packageSHA256: sha, member: wrong.member,
                      fileSHA256: String(repeating: "0", count: 64), cachePath: wrong.cachePath, summary: "", postProcess: .bunzip2)
        XCTAssertThrowsError(try store.ensure(wrong)) { error in
            guard case .checksumMismatch(_, _, let actual)? = error as? AssetError else { return XCTFail("\(error)") }
            XCTAssertEqual(actual, "27dd8ed44a83ff94d557f9fd0412ed5a8cbca69ea04922d88c01184a07300a5a", "checked after decompression")
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.location(of: wrong).path))
    }
}
