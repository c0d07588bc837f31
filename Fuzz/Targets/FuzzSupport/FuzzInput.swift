/// The bytes libFuzzer hands to a target for one run, copied into an array (its pointer is only valid
/// during the call, and nil for the empty input).
public struct FuzzInput {
    public let bytes: [UInt8]

    init(_ data: UnsafePointer<UInt8>?, _ size: Int) {
        bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    }

    /// The input cut at NUL bytes into at most `count` parts (the last keeps any further NULs), missing
    /// parts empty: how one input carries several text files, which never contain NUL themselves.
    public func parts(_ count: Int) -> [ArraySlice<UInt8>] {
        var parts = bytes.split(separator: 0, maxSplits: count - 1, omittingEmptySubsequences: false)
        while parts.count < count { parts.append([]) }
        return parts
    }
}
