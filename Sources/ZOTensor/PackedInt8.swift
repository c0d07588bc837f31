import CZOKernels

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
    /// rows `decodeRows(range, into)` writes as fp32. A `frozen` weight's panels are kept in the
    /// scratch when they fit (`ProductScratch.keptPanelLimit`), so later products skip decoding and
    /// quantizing it.
    public static func linear(
        _ a: UnsafePointer<Float>, rows: Int, inner: Int, columns: Int,
        into c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, scratch: ProductScratch,
        frozen: FrozenWeight? = nil, decodeRows: (Range<Int>, UnsafeMutablePointer<Float>) -> Void
    ) {
        guard rows > 0, columns > 0 else { return }
        precondition(inner > 0, "a product over no inputs")
        let blocks = zo_int8_blocks(inner), block = Int(ZO_INT8_BLOCK)
        let activations = scratch.int8Activations(rows: rows, blocks: blocks)
        let schedule = PanelSchedule(rows: rows, inner: inner, columns: columns, shareAlignment: 32)
        // Kept panels span every column (a share's panels start at its first column); scratch
        // panels span one tile (they start at the share's offset in the tile).
        let kept = frozen.flatMap { scratch.kept.panels(for: $0, columns: columns, inner: inner, encoding: .int8) }
        let panels = kept.map { (bytes: $0.values.pointer, scales: $0.scales.pointer) }
            ?? scratch.int8Panels(bytes: zo_int8_panel_bytes(schedule.tile, inner),
                                  scales: zo_int8_panel_scales(schedule.tile, inner))
        let packed = kept?.isFilled ?? false
        let widened = packed ? nil : scratch.widened(count: schedule.tile * inner)
        schedule.run { share in
            let first = share.lowerBound
            zo_int8_quantize_activations(a + first * inner, inner, share.count, inner, activations.values + first * blocks * block,
                                         activations.scales + first * blocks, activations.offsets + first * blocks)
        } multiply: { outputs, offset in
            let start = kept == nil ? offset : outputs.lowerBound
            let bytes = panels.bytes + zo_int8_panel_bytes(start, inner)
            let scales = panels.scales + zo_int8_panel_scales(start, inner)
            if let widened {
                decodeRows(outputs, widened + offset * inner)
                zo_int8_pack_f32(widened + offset * inner, outputs.count, inner, bytes, scales)
            }
            zo_int8_gemm(activations.values, activations.scales, activations.offsets, rows, inner,
                         bytes, scales, outputs.count, c + outputs.lowerBound, ldc, accumulate)
        }
        kept?.isFilled = true
    }
}
