/// What every ggml block decoder needs: blocks are fixed-size byte records that each decode to a fixed
/// number of weights (geometry from `GGMLType`), with their scales stored as IEEE halves.
extension UnsafeRawPointer {
    /// The IEEE half at `offset` (blocks are packed, so any alignment) widened to Float (a compiler
    /// runtime call on baseline x86-64, which has no F16C; load time only).
    @inline(__always)
    func loadHalf(at offset: Int) -> Float {
        Float(Float16(bitPattern: loadUnaligned(fromByteOffset: offset, as: UInt16.self)))
    }

    /// The bytes from `offset` on, as unsigned quants (the `uint8_t` array fields of ggml's block structs).
    @inline(__always)
    func bytes(at offset: Int) -> UnsafePointer<UInt8> {
        (self + offset).assumingMemoryBound(to: UInt8.self)
    }
}

/// Calls `body` with each block's bytes and the slice of `dst` it decodes into, in file order.
@inline(__always)
func forEachBlock(
    of type: GGMLType, _ src: UnsafeRawPointer, into dst: UnsafeMutablePointer<Float>, blocks: Int,
    _ body: (_ block: UnsafeRawPointer, _ out: UnsafeMutablePointer<Float>) -> Void
) {
    let (stride, size) = (type.blockBytes, type.blockSize)
    for b in 0..<blocks { body(src + b * stride, dst + b * size) }
}
