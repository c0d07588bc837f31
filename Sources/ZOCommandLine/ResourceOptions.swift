import ArgumentParser
import ZOTensor

/// `--threads` and `--packed-base-memory`, shared by every command that computes: how much of the
/// machine it takes. Lets several runs share a machine one core each, a run leave cores to other
/// work, or a frozen base keep to the memory of its file.
public struct ResourceOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for matrix products, attention and perturbations (default: the cores this process may use, at most 8).")
    public var threads: Int?

    @Option(name: .long, help: ArgumentHelp(
        "Memory (MiB) for a frozen base's packed weights (bf16 or int8 products) kept between forwards instead of re-packed in every product: faster, but more than a 4-bit file takes. Default: an eighth of the memory this process may use; 0 keeps none (the least memory).",
        valueName: "MiB"))
    public var packedBaseMemory: Int?

    public init() {}

    public func validate() throws {
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be between 1 and 256.") }
        if let packedBaseMemory, !(0...(1 << 30)).contains(packedBaseMemory) {
            throw ValidationError("--packed-base-memory must be between 0 and 1073741824 MiB.")
        }
    }

    /// Sets the thread count and the kept-panel memory for the rest of the process; call before any
    /// model is loaded.
    public func apply() {
        if let threads { BLAS.workerCount = threads }
        if let packedBaseMemory { ProductScratch.defaultKeptPanelLimit = packedBaseMemory << 20 }
    }
}
