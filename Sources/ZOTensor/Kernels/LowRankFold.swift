import CZOKernels
import Dispatch

/// W[i, j] += Σₖ U[i, k]·Rᵀ[k, j] for `rows` rows of W (row-major, width n): a rank-r product added
/// into a weight, with each element's sum taken in one fixed order — k = 0, 1, …, r−1 as fused
/// multiply-adds from 0, then added to W.
///
/// Why not a GEMM: a BLAS may give other bits for the same element when the product is split
/// differently (OpenBLAS's Haswell kernels do for another row count), and a checkpoint folds a copy
/// of W block by block while `replay` and the trainer fold it whole. With the order fixed here, every
/// split — blocks of rows, threads, SIMD lanes or the scalar tail — gives the same bytes, on any
/// machine with IEEE fused multiply-add. The inner dimension is a rank (tens), so this costs little
/// next to the forward passes between two folds.
///
/// - Parameters:
///   - left: U, `rows.count`×r row-major (its row 0 belongs to W's first row here).
///   - transposedRight: Rᵀ, r×n row-major.
///   - weight: W's first row of the block.
public func addLowRankProduct(
    left: UnsafePointer<Float>, transposedRight: UnsafePointer<Float>, rank r: Int, rows: Int, columns n: Int,
    into weight: UnsafeMutablePointer<Float>, workers: Int = 1
) {
    guard rows > 0, n > 0 else { return }
    let workers = max(1, min(workers, rows / 64))
    if workers == 1 {
        for row in 0..<rows { zo_add_low_rank_row(left + row * r, transposedRight, r, n, weight + row * n) }
        return
    }
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
        for row in stride(from: worker, to: rows, by: workers) {
            zo_add_low_rank_row(left + row * r, transposedRight, r, n, weight + row * n)
        }
    }
}
