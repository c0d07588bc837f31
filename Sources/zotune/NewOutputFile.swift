import ArgumentParser
import Foundation

/// A file a command is asked to write (`--output`): refused when something already exists there, so
/// that a user's file is never overwritten, and checked before any work so that a typo costs nothing.
enum NewOutputFile {
    static func check(_ path: String, option: String = "--output") throws {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return }
        throw ValidationError(isFolder.boolValue
            ? "\(option) \(path) is a folder; name a file to write."
            : "\(option) \(path) already exists; zotune does not overwrite files: remove it or choose another name.")
    }
}
