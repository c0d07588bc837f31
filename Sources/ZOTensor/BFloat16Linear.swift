/// Products with a weight held in bfloat16: the weight is widened to fp32 a tile of output features
/// at a time into a scratch buffer (`tileElements` floats, the caller's, reused) and multiplied there
/// by the fp32 GEMM,
/// so a frozen base never exists as a whole fp32 copy. fp32 activations and accumulation; the
/// results equal the fp32 path on the widened weights, tile boundaries aside (each tile is its own
/// GEMM, so the sums are split differently from one whole-matrix call).
public enum BFloat16Linear {
    /// Scratch floats per tile: at most this many weight elements are widened at once (4 MiB).
    public static let tileElements = 1 << 20

    /// c = a·Wᵀ (+ c when `beta` = 1) with W `[columns × inner]` row-major (`nn.Linear`), in bfloat16.
    public static func linear(
        _ a: UnsafePointer<Float>, rows: Int, inner: Int, weight: UnsafePointer<UInt16>, columns: Int,
        into c: UnsafeMutablePointer<Float>, ldc: Int? = nil, beta: Float = 0, scratch: UnsafeMutablePointer<Float>
    ) {
        guard rows > 0, columns > 0 else { return }
        let tile = max(1, min(columns, tileElements / max(inner, 1)))
        var start = 0
        while start < columns {
            let width = min(tile, columns - start)
            BFloat16.widen(weight + start * inner, into: scratch, count: width * inner)
            BLAS.linear(a, rows: rows, inner: inner, weight: scratch, columns: width, into: c + start,
                        ldc: ldc ?? columns, beta: beta)
            start += width
        }
    }

    /// c = a·W (+ c) with W `[inner × columns]` row-major (GPT-2's Conv1D), in bfloat16.
    public static func multiply(
        _ a: UnsafePointer<Float>, rows: Int, inner: Int, weight: UnsafePointer<UInt16>, columns: Int,
        into c: UnsafeMutablePointer<Float>, ldc: Int? = nil, beta: Float = 0, scratch: UnsafeMutablePointer<Float>
    ) {
        guard rows > 0, columns > 0 else { return }
        let tile = max(1, min(columns, tileElements / max(inner, 1)))
        var start = 0
        while start < columns {
            let width = min(tile, columns - start)
            for row in 0..<inner {
                BFloat16.widen(weight + row * columns + start, into: scratch + row * width, count: width)
            }
            BLAS.multiply(a, rows: rows, inner: inner, scratch, columns: width, into: c + start,
                          ldc: ldc ?? columns, beta: beta)
            start += width
        }
    }
}
