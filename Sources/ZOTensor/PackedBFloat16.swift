import CZOKernels
import Dispatch

/// Products on a frozen weight with AVX512-BF16 (`vdpbf16ps`: twice the fp32 multiply-add rate on
/// the CPUs that have it). A tile of output columns is packed into bf16 panels (widened, decoded or
/// copied by the caller's `pack`), the activations are rounded once to bf16, and fp32 accumulates.
/// Every output element is one fixed chain over the inputs, so the bits depend on neither the thread
/// count nor the tiling; they differ from the fp32 path by the activations' rounding (relative 2⁻⁹ per
/// value), which `BFloat16BaseTests` bounds against the fp32 product.
public enum PackedBFloat16 {
    /// When the path runs on a CPU that has it.
    public enum Choice: Sendable {
        /// Where `vdpbf16ps` outruns fp32 FMAs (Zen 4/5: about 2×; Sapphire and Emerald Rapids: half).
        case whenFaster
        /// Always, for tests of the kernel on every CPU that runs it.
        case always
        /// Never (the fp32 GEMM on widened tiles takes over), for tests of that path.
        case never
    }

    nonisolated(unsafe) public static var choice = Choice.whenFaster

    private static let cpuRunsIt = zo_bf16_products_available()

    /// Whether `vdpbf16ps` does more multiply-adds per second than fp32 FMAs on this CPU: one core's
    /// probes of both, back to back (about a millisecond each), once per process.
    public static let isFasterThanFloat32: Bool = {
        guard cpuRunsIt else { return false }
        let iterations = 200_000
        let float32 = (0..<3).map { _ in PeakThroughput.measureOnce(workers: 1, iterations: iterations) }.max() ?? 0
        let bfloat16 = (0..<3).map { _ in
            PeakThroughput.measureOnce(workers: 1, iterations: iterations, flopsPerChainStep: 64, probe: zo_bf16_dot_chains)
        }.max() ?? 0
        return bfloat16 > 1.25 * float32
    }()

    /// Whether the CPU has AVX512-BF16 and the AVX-512 kernels are in use.
    public static var isRunnable: Bool { cpuRunsIt && zo_kernels_active() == ZO_KERNELS_AVX512 }

    /// Whether products on bf16 and stored weights use it: the CPU has AVX512-BF16, the AVX-512
    /// kernels are in use (`ZOTUNE_KERNELS=avx2` or `generic` turns it off with the rest), and `choice`
    /// asks for it (by default only where it is the faster path).
    public static var isActive: Bool {
        guard isRunnable else { return false }
        switch choice {
        case .whenFaster: return isFasterThanFloat32
        case .always: return true
        case .never: return false
        }
    }

    /// c = a·Wᵀ (+ c when `accumulate`) for W with `columns` outputs × `inner` inputs, whose output
    /// rows `pack(range, panels, widened)` writes as panels (`zo_bf16_pack_*`), using `widened`
    /// (room for `range.count × inner` floats) if it needs to decode first. A `frozen` weight's
    /// panels are kept in the scratch when they fit (`ProductScratch.keptPanelLimit`), so later
    /// products skip packing it.
    public static func linear(
        _ a: UnsafePointer<Float>, rows: Int, inner: Int, columns: Int,
        into c: UnsafeMutablePointer<Float>, ldc: Int, accumulate: Bool, scratch: ProductScratch,
        frozen: FrozenWeight? = nil,
        pack: (Range<Int>, UnsafeMutablePointer<UInt16>, UnsafeMutablePointer<Float>) -> Void
    ) {
        guard rows > 0, columns > 0 else { return }
        precondition(inner > 0, "a product over no inputs")
        let width = (inner + 1) / 2 * 2
        let rounded = scratch.activations(count: rows * width)
        let schedule = PanelSchedule(rows: rows, inner: inner, columns: columns)
        // Kept panels span every column (a share's start at its first column), scratch panels one tile.
        let kept = frozen.flatMap { scratch.kept.panels(for: $0, columns: columns, inner: inner, encoding: .bfloat16) }
        let panels = kept.map { UnsafeMutableRawPointer($0.values.pointer).assumingMemoryBound(to: UInt16.self) }
            ?? scratch.panels(count: zo_bf16_panel_elements(schedule.tile, inner))
        let packed = kept?.isFilled ?? false
        // Kept and already filled panels need no widening room: the scratch is not even taken.
        let widened = packed ? nil : scratch.widened(count: schedule.tile * inner)
        schedule.run { share in
            zo_bf16_round_activations(a + share.lowerBound * inner, inner, share.count, inner, rounded + share.lowerBound * width)
        } multiply: { outputs, offset in
            let workerPanels = panels + zo_bf16_panel_elements(kept == nil ? offset : outputs.lowerBound, inner)
            if let widened { pack(outputs, workerPanels, widened + offset * inner) }
            zo_bf16_gemm(rounded, rows, inner, workerPanels, outputs.count, c + outputs.lowerBound, ldc, accumulate)
        }
        kept?.isFilled = true
    }
}
