import ZOFormats

extension MappedFile {
    /// The fuzz input as a "file" held in memory: an exact-size heap buffer, so AddressSanitizer reports
    /// a parser reading one byte past the end (a real mapping is padded to a page and would hide it),
    /// and no file-system work per input.
    public static func holding(_ input: FuzzInput) -> MappedFile {
        MappedFile(path: "<fuzz input>", count: input.bytes.count) { buffer in
            buffer.copyBytes(from: input.bytes)
        }
    }
}
