import CZOKernels
import Dispatch

/// Products on a frozen weight with AVX512-VNNI (`vpdpbusd`: 64 int8 multiply-adds per instruction,
/// four times an fp32 FMA's). A tile of output columns is decoded by the caller, quantized into int8
/// panels (one scale per 64 inputs of a column), the activations are quantized once the same way,
/// and each output sums exact per-block integer dot products in fp32, block by block in a fixed order:
/// the bits depend on neither the thread count nor the tiling. They differ from the fp32 product by
/// both quantizations (a value moves by at most half a step, 1/254 of its block's largest magnitude),
/// which `PackedInt8Tests` checks against a reference and bounds against the fp32 product.
public enum PackedInt8 {
    /// Whether the CPU has AVX512-VNNI and the AVX-512 kernels are in use.
    public static var isRunnable: Bool { cpuRunsIt && zo_kernels_active() == ZO_KERNELS_AVX512 }

    private static let cpuRunsIt = zo_int8_products_available()

    /// c = a·Wᵀ (+ c when `accumulate`) for W with `columns` outputs × `inner` inputs, whose output
    /// rows `decodeRows(range, into)` writes as fp32.
    public static func linear(
        _ a: UnsafePointer<Float>, rows: Int, inner: Int, columns: Int,
        into c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, scratch: ProductScratch,
        decodeRows: (Range<Int>, UnsafeMutablePointer<Float>) -> Void
    ) {
        guard rows > 0, columns > 0 else { return }
        precondition(inner > 0, "a product over no inputs")
        let blocks = zo_int8_blocks(inner)
        let activations = scratch.int8Activations(rows: rows, blocks: blocks)
        let tile = PackedBFloat16.tileColumns(inner: inner, columns: columns, workers: BLAS.workerCount)
        let panels = scratch.int8Panels(bytes: zo_int8_panel_bytes(tile, inner), scales: zo_int8_panel_scales(tile, inner))
        let widened = scratch.widened(count: tile * inner)
        let large = rows * inner * tile >= BLAS.splitThreshold || tile * inner >= PackedBFloat16.splitElements
        let workers = large ? max(1, min(BLAS.workerCount, (tile + 63) / 64)) : 1

        let quantizingWorkers = rows * inner >= PackedBFloat16.splitElements ? workers : 1
        let rowShare = (rows + quantizingWorkers - 1) / quantizingWorkers
        inParallel(quantizingWorkers) { worker in
            let lower = worker * rowShare, upper = min(rows, lower + rowShare)
            guard lower < upper else { return }
            zo_int8_quantize_activations(a + lower * inner, inner, upper - lower, inner,
                                         activations.values + lower * blocks * Int(ZO_INT8_BLOCK),
                                         activations.scales + lower * blocks, activations.offsets + lower * blocks)
        }
        var start = 0
        while start < columns {
            let count = min(tile, columns - start)
            // Each worker decodes, packs and multiplies its own 64-column-aligned share of the tile.
            let share = ((count + workers - 1) / workers + 63) / 64 * 64
            inParallel(workers) { worker in
                let lower = worker * share, upper = min(count, lower + share)
                guard lower < upper else { return }
                let bytes = panels.bytes + zo_int8_panel_bytes(lower, inner)
                let scales = panels.scales + zo_int8_panel_scales(lower, inner)
                decodeRows((start + lower)..<(start + upper), widened + lower * inner)
                zo_int8_pack_f32(widened + lower * inner, upper - lower, inner, bytes, scales)
                zo_int8_gemm(activations.values, activations.scales, activations.offsets, rows, inner,
                             bytes, scales, upper - lower, c + start + lower, ldc, accumulate)
            }
            start += count
        }
    }

    private static func inParallel(_ workers: Int, _ body: (Int) -> Void) {
        if workers == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: body) }
    }
}
