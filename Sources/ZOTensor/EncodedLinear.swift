import CZOKernels
import Dispatch

/// Products with a weight that is not held in fp32 (a frozen base in bfloat16, or stored as its file
/// encodes it), so the weight exists in fp32 only a tile at a time. Where `PackedBFloat16` is active
/// a decoded tile is packed into bf16 panels for `vdpbf16ps`; elsewhere a tile of output rows is
/// decoded into scratch and multiplied by the fp32 GEMM, which equals the fp32 path on the decoded
/// weight, tile boundaries aside (each tile is its own GEMM, so the sums are split differently).
public enum EncodedLinear {
    /// Weight elements decoded at once (4 MiB of fp32).
    public static let tileElements = 1 << 20

    /// c = a·Wᵀ (+ c when `beta` = 1) for W `[columns × inner]` (outputs × inputs), whose rows
    /// `decodeRows(range, into)` writes as fp32; `frozen` names a weight that never changes, whose
    /// packed panels may then be kept between products (`ProductScratch.keptPanelLimit`).
    public static func linear(
        _ a: UnsafePointer<Float>, rows: Int, inner: Int, columns: Int, into c: UnsafeMutablePointer<Float>,
        ldc: Int? = nil, beta: Float = 0, scratch: ProductScratch, frozen: FrozenWeight? = nil,
        decodeRows: (Range<Int>, UnsafeMutablePointer<Float>) -> Void
    ) {
        guard rows > 0, columns > 0 else { return }
        switch scratch.path {
        case .int8:
            PackedInt8.linear(a, rows: rows, inner: inner, columns: columns, into: c, ldc: ldc ?? columns,
                              accumulate: beta != 0, scratch: scratch, frozen: frozen, decodeRows: decodeRows)
            return
        case .bfloat16:
            PackedBFloat16.linear(a, rows: rows, inner: inner, columns: columns, into: c, ldc: ldc ?? columns,
                                  accumulate: beta != 0, scratch: scratch, frozen: frozen) { range, panels, widened in
                decodeRows(range, widened)
                zo_bf16_pack_f32(widened, range.count, inner, panels)
            }
            return
        case .float32:
            break
        }
        let tile = max(1, min(columns, tileElements / max(inner, 1)))
        let widened = scratch.widened(count: tile * inner)
        // Decoding is split over the cores like the GEMM (each worker its own rows of the tile).
        let workers = max(1, min(BLAS.workerCount, tile * inner / (1 << 16)))
        var start = 0
        while start < columns {
            let width = min(tile, columns - start)
            if workers == 1 || width < workers {
                decodeRows(start..<(start + width), widened)
            } else {
                let share = (width + workers - 1) / workers
                DispatchQueue.concurrentPerform(iterations: workers) { worker in
                    let lower = worker * share, upper = min(width, lower + share)
                    if lower < upper { decodeRows((start + lower)..<(start + upper), widened + lower * inner) }
                }
            }
            BLAS.linear(a, rows: rows, inner: inner, weight: widened, columns: width, into: c + start,
                        ldc: ldc ?? columns, beta: beta)
            start += width
        }
    }

    /// The same for stored weights of one input whose outputs go side by side (q|k|v, gate|up): one
    /// product over their joined rows, so the activations are rounded or quantized once and the
    /// joined panels are kept as one weight. A decoding step's few rows go weight by weight (each
    /// has its own row kernel).
    public static func linear(
        _ a: UnsafePointer<Float>, rows: Int, weights: [any EncodedRows], into c: UnsafeMutablePointer<Float>,
        ldc: Int? = nil, scratch: ProductScratch
    ) {
        guard let first = weights.first else { return }
        let inner = first.columns
        precondition(weights.allSatisfy { $0.columns == inner }, "joined weights of different input widths")
        let width = weights.reduce(0) { $0 + $1.rows }
        if weights.count == 1 || (rows <= BLAS.skinnyRows && scratch.path == .float32) {
            var column = 0
            for weight in weights {
                linear(a, rows: rows, weight: weight, into: c + column, ldc: ldc ?? width, scratch: scratch)
                column += weight.rows
            }
            return
        }
        linear(a, rows: rows, inner: inner, columns: width, into: c, ldc: ldc, scratch: scratch,
               frozen: FrozenWeight(joining: weights)) { range, into in
            var start = 0
            for weight in weights {
                let lower = max(range.lowerBound, start), upper = min(range.upperBound, start + weight.rows)
                if lower < upper {
                    weight.decode(rows: (lower - start)..<(upper - start), into: into + (lower - range.lowerBound) * inner)
                }
                start += weight.rows
            }
        }
    }

    /// The same for a stored weight (`EncodedRows`).
    public static func linear(
        _ a: UnsafePointer<Float>, rows: Int, weight: any EncodedRows, into c: UnsafeMutablePointer<Float>,
        ldc: Int? = nil, beta: Float = 0, scratch: ProductScratch
    ) {
        // A decoding step's few rows: decode a weight row at a time in cache instead of a tile in
        // memory (the same bits; where bf16 or int8 products run, they keep the many-row path's rounding).
        if rows <= BLAS.skinnyRows && weight.hasSkinnyProduct && scratch.path == .float32 && rows > 0 {
            let inner = weight.columns
            let share = BlockDecoding.decodedRows * inner
            let decodedRows = scratch.widened(count: BLAS.skinnyWorkers(columns: weight.rows, inner: inner) * share)
            BLAS.shareSkinnyColumns(columns: weight.rows, inner: inner) { worker, start, count in
                weight.skinnyLinear(a, rows: rows, lda: inner, outputs: start..<(start + count), into: c + start,
                                    ldc: ldc ?? weight.rows, beta: beta, row: decodedRows + worker * share)
            }
            return
        }
        linear(a, rows: rows, inner: weight.columns, columns: weight.rows, into: c, ldc: ldc, beta: beta, scratch: scratch,
               frozen: FrozenWeight(weight)) {
            weight.decode(rows: $0, into: $1)
        }
    }
}
