import Foundation

/// A folder ZOTune writes exported files into: it must not exist yet or be empty, so that a user's
/// files are never overwritten or mixed with ours.
public enum NewOutputFolder {
    /// Refuses a folder that holds files, and a path that is a file.
    public static func check(_ folder: URL) throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: folder.path, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw AdapterError.invalidSetting("\(folder.path) is a file; choose a new folder") }
        if let contents = try? fm.contentsOfDirectory(atPath: folder.path), !contents.isEmpty {
            throw AdapterError.invalidSetting("\(folder.path) already holds files; choose a new folder (nothing is overwritten)")
        }
    }

    /// Checks `folder`, then creates it (with its parents).
    public static func create(_ folder: URL) throws {
        try check(folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    }
}
