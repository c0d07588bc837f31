/// Products with a stored weight (`EncodedRows`): a tile of output rows is decoded into the caller's
/// scratch (`BFloat16Linear.tileElements` floats) and multiplied there by the fp32 GEMM, so the
/// weight exists in fp32 only a tile at a time. The results equal the fp32 path on the decoded
/// weight, tile boundaries aside.
public enum EncodedLinear {
    /// c = a·Wᵀ (+ c when `beta` = 1), W being `weight`'s `[rows × columns]` (outputs × inputs).
    public static func linear(
        _ a: UnsafePointer<Float>, rows: Int, weight: any EncodedRows, into c: UnsafeMutablePointer<Float>,
        ldc: Int? = nil, beta: Float = 0, scratch: UnsafeMutablePointer<Float>
    ) {
        let inner = weight.columns, columns = weight.rows
        guard rows > 0, columns > 0 else { return }
        let tile = max(1, min(columns, BFloat16Linear.tileElements / max(inner, 1)))
        var start = 0
        while start < columns {
            let width = min(tile, columns - start)
            weight.decode(rows: start..<(start + width), into: scratch)
            BLAS.linear(a, rows: rows, inner: inner, weight: scratch, columns: width, into: c + start,
                        ldc: ldc ?? columns, beta: beta)
            start += width
        }
    }
}
