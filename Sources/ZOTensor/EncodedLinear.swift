import Dispatch

/// Products with a weight that is not held in fp32 (a frozen base in bfloat16, or stored as its file
/// encodes it): a tile of output rows is decoded into the caller's scratch (`tileElements` floats)
/// and multiplied there by the fp32 GEMM, so the weight exists in fp32 only a tile at a time. The
/// results equal the fp32 path on the decoded weight, tile boundaries aside (each tile is its own
/// GEMM, so the sums are split differently from one whole-matrix call).
public enum EncodedLinear {
    /// Scratch floats per tile: at most this many weight elements are decoded at once (4 MiB).
    public static let tileElements = 1 << 20

    /// c = a·Wᵀ (+ c when `beta` = 1) for W `[columns × inner]` (outputs × inputs), whose rows
    /// `decodeRows(range, into)` writes as fp32.
    public static func linear(
        _ a: UnsafePointer<Float>, rows: Int, inner: Int, columns: Int, into c: UnsafeMutablePointer<Float>,
        ldc: Int? = nil, beta: Float = 0, scratch: UnsafeMutablePointer<Float>,
        decodeRows: (Range<Int>, UnsafeMutablePointer<Float>) -> Void
    ) {
        guard rows > 0, columns > 0 else { return }
        let tile = max(1, min(columns, tileElements / max(inner, 1)))
        // Decoding is split over the cores like the GEMM (each worker its own rows of the tile).
        let workers = max(1, min(BLAS.workerCount, tile * inner / (1 << 16)))
        var start = 0
        while start < columns {
            let width = min(tile, columns - start)
            if workers == 1 || width < workers {
                decodeRows(start..<(start + width), scratch)
            } else {
                let share = (width + workers - 1) / workers
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let lower = worker * share, upper = min(width, lower + share)
                    if lower < upper { decodeRows((start + lower)..<(start + upper), scratch + lower * inner) }
                }
            }
            BLAS.linear(a, rows: rows, inner: inner, weight: scratch, columns: width, into: c + start,
                        ldc: ldc ?? columns, beta: beta)
            start += width
        }
    }

    /// The same for a stored weight (`EncodedRows`).
    public static func linear(
        _ a: UnsafePointer<Float>, rows: Int, weight: any EncodedRows, into c: UnsafeMutablePointer<Float>,
        ldc: Int? = nil, beta: Float = 0, scratch: UnsafeMutablePointer<Float>
    ) {
        linear(a, rows: rows, inner: weight.columns, columns: weight.rows, into: c, ldc: ldc, beta: beta, scratch: scratch) {
            weight.decode(rows: $0, into: $1)
        }
    }
}
