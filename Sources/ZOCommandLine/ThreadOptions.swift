import ArgumentParser
import ZOTensor

/// `--threads`, shared by every command that computes: how many cores the matrix products,
/// attention and perturbation sweeps use. Lets several runs share a machine one core each, or a
/// run leave cores to other work.
public struct ThreadOptions: ParsableArguments {
    @Option(name: .long, help: "Threads for matrix products, attention and perturbations (default: the cores this process may use, at most 8).")
    public var threads: Int?

    public init() {}

    public func validate() throws {
        if let threads, !(1...256).contains(threads) { throw ValidationError("--threads must be between 1 and 256.") }
    }

    /// Sets the thread count for the rest of the process; call before any model is loaded.
    public func apply() {
        if let threads { BLAS.workerCount = threads }
    }
}
