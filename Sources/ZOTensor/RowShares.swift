import Dispatch

/// Row-wise kernels (norms, gated activations, the packed products' activation rounding and
/// quantization) split over the cores in contiguous row shares. Each row is computed alone, so the
/// split changes no bit; below `splitElements` values the fork costs more than it saves and the rows
/// run on the calling thread.
enum RowShares {
    static let splitElements = 1 << 16

    /// `body` on contiguous shares of `rows` rows of `width` values, on at most `workers` threads.
    static func run(rows: Int, width: Int, workers limit: Int = BLAS.workerCount, _ body: (Range<Int>) -> Void) {
        let workers = rows * width >= splitElements ? min(limit, rows) : 1
        guard workers > 1 else { return body(0..<rows) }
        let share = (rows + workers - 1) / workers
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let lower = worker * share, upper = min(rows, lower + share)
            if lower < upper { body(lower..<upper) }
        }
    }
}
