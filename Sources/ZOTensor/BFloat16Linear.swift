import CZOKernels

/// Products with a weight held in bfloat16: packed for `vdpbf16ps` where `PackedBFloat16` is active,
/// else widened a tile at a time for `EncodedLinear` (the fp32 GEMM, or int8 products when the arena
/// asks for them; GPT-2's Conv1D layout stays on the first two); fp32 accumulation.
public enum BFloat16Linear {
    /// c = a·Wᵀ (+ c when `beta` = 1) with W `[columns × inner]` row-major (`nn.Linear`), in bfloat16.
    public static func linear(
        _ a: UnsafePointer<Float>, rows: Int, inner: Int, weight: UnsafePointer<UInt16>, columns: Int,
        into c: UnsafeMutablePointer<Float>, ldc: Int? = nil, beta: Float = 0, scratch: ProductScratch
    ) {
        if scratch.path == .bfloat16 {
            PackedBFloat16.linear(a, rows: rows, inner: inner, columns: columns, into: c, ldc: ldc ?? columns,
                                  accumulate: beta != 0, scratch: scratch, frozen: FrozenWeight(weight)) { range, panels, _ in
                zo_bf16_pack_bf16(weight + range.lowerBound * inner, inner, 1, range.count, inner, panels)
            }
            return
        }
        EncodedLinear.linear(a, rows: rows, inner: inner, columns: columns, into: c, ldc: ldc, beta: beta, scratch: scratch,
                             frozen: FrozenWeight(weight)) {
            BFloat16.widen(weight + $0.lowerBound * inner, into: $1, count: $0.count * inner)
        }
    }

    /// c = a·W (+ c) with W `[inner × columns]` row-major (GPT-2's Conv1D), in bfloat16.
    public static func multiply(
        _ a: UnsafePointer<Float>, rows: Int, inner: Int, weight: UnsafePointer<UInt16>, columns: Int,
        into c: UnsafeMutablePointer<Float>, ldc: Int? = nil, beta: Float = 0, scratch: ProductScratch
    ) {
        guard rows > 0, columns > 0 else { return }
        if PackedBFloat16.isActive {
            PackedBFloat16.linear(a, rows: rows, inner: inner, columns: columns, into: c, ldc: ldc ?? columns,
                                  accumulate: beta != 0, scratch: scratch, frozen: FrozenWeight(weight)) { range, panels, _ in
                zo_bf16_pack_bf16(weight + range.lowerBound, 1, columns, range.count, inner, panels)
            }
            return
        }
        // Tiles of columns, each widened row by row.
        let tile = max(1, min(columns, EncodedLinear.tileElements / max(inner, 1)))
        let widened = scratch.widened(count: tile * inner)
        var start = 0
        while start < columns {
            let width = min(tile, columns - start)
            for row in 0..<inner {
                BFloat16.widen(weight + row * columns + start, into: widened + row * width, count: width)
            }
            BLAS.multiply(a, rows: rows, inner: inner, widened, columns: width, into: c + start,
                          ldc: ldc ?? columns, beta: beta)
            start += width
        }
    }
}
