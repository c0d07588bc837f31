import Dispatch

/// How the packed-panel products (`PackedBFloat16`, `PackedInt8`) share a product c = a·Wᵀ over the
/// cores: the activation rows are prepared (rounded or quantized) in row shares, then the output
/// columns go in tiles of whole 64-column register tiles, each tile split into one share per worker
/// (aligned to the kernel's column tile, `shareAlignment`), which decodes, packs and multiplies it. The shares change no output's bits:
/// every kernel sums each output in an order fixed by the inputs alone.
struct PanelSchedule {
    /// Output columns packed at once: as many as `EncodedLinear.tileElements` weight values allow, in
    /// whole 64-column register tiles, and at least one register tile per worker (wide inputs, e.g.
    /// an 8B model's 14,336, would otherwise leave one worker a tile of 64).
    static func tileColumns(inner: Int, columns: Int, workers: Int) -> Int {
        min(columns, max(64 * workers, EncodedLinear.tileElements / max(inner, 1) / 64 * 64))
    }

    /// Weight values below which packing (and decoding) a tile runs on one thread: forking costs more.
    static let splitElements = 1 << 16

    let rows: Int, inner: Int, columns: Int
    /// Columns a worker's share is a multiple of: the kernel's register tile (64 for bf16, 32 for
    /// int8, whose 576-column products then split 288 | 288 instead of 320 | 256).
    let shareAlignment: Int
    /// Columns per tile (`tileColumns`).
    let tile: Int
    /// Workers per tile: several when the tile's products or its packing are worth a fork.
    let workers: Int

    init(rows: Int, inner: Int, columns: Int, shareAlignment: Int = 64) {
        self.rows = rows
        self.inner = inner
        self.columns = columns
        self.shareAlignment = shareAlignment
        tile = Self.tileColumns(inner: inner, columns: columns, workers: BLAS.workerCount)
        let large = rows * inner * tile >= BLAS.splitThreshold || tile * inner >= Self.splitElements
        workers = large ? max(1, min(BLAS.workerCount, (tile + 63) / 64)) : 1
    }

    /// Runs `prepare(rows)` on row shares, then `multiply(columns, offsetInTile)` on every worker's
    /// share of every tile, in tile order.
    func run(prepare: (Range<Int>) -> Void, multiply: (Range<Int>, Int) -> Void) {
        RowShares.run(rows: rows, width: inner, workers: workers, prepare)
        var start = 0
        while start < columns {
            let count = min(tile, columns - start)
            let share = ((count + workers - 1) / workers + shareAlignment - 1) / shareAlignment * shareAlignment
            Self.inParallel(workers) { worker in
                let lower = worker * share, upper = min(count, lower + share)
                if lower < upper { multiply((start + lower)..<(start + upper), lower) }
            }
            start += count
        }
    }

    private static func inParallel(_ workers: Int, _ body: (Int) -> Void) {
        if workers == 1 { body(0) } else { DispatchQueue.concurrentPerform(iterations: workers, execute: body) }
    }
}
