import Foundation

/// A folder, one per fuzzing process, that parsers taking paths read the fuzz input from: each call
/// rewrites it to hold exactly the named files (a file whose part of the input is empty is absent).
public enum FuzzFolder {
    public static let url: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    /// Writes `input`'s NUL-separated parts to the files `names`, in order, and returns the folder.
    public static func write(_ input: FuzzInput, as names: [String]) -> URL {
        for (name, part) in zip(names, input.parts(names.count)) {
            let file = url.appendingPathComponent(name)
            if part.isEmpty {
                try? FileManager.default.removeItem(at: file)
            } else {
                try? Data(part).write(to: file)  // not atomic: an atomic write syncs the disk every call
            }
        }
        return url
    }
}
