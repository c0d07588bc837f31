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
        for row in 0..<rows { addLowRankRow(left + row * r, transposedRight, rank: r, columns: n, into: weight + row * n) }
        return
    }
    DispatchQueue.concurrentPerform(iterations: workers) { worker in
        for row in stride(from: worker, to: rows, by: workers) {
            addLowRankRow(left + row * r, transposedRight, rank: r, columns: n, into: weight + row * n)
        }
    }
}

/// One row: w[j] += Σₖ u[k]·Rᵀ[k, j], 64 columns at a time in four accumulators, then 16, then scalar;
/// every column's sum is the same chain of fused multiply-adds whichever of the three computes it.
@inline(__always)
private func addLowRankRow(
    _ u: UnsafePointer<Float>, _ rt: UnsafePointer<Float>, rank r: Int, columns n: Int, into w: UnsafeMutablePointer<Float>
) {
    func load(_ p: UnsafePointer<Float>) -> SIMD16<Float> { UnsafeRawPointer(p).loadUnaligned(as: SIMD16<Float>.self) }
    func add(_ v: SIMD16<Float>, to p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: load(p) + v, as: SIMD16<Float>.self)
    }
    var j = 0
    while j + 64 <= n {
        var a0 = SIMD16<Float>(), a1 = SIMD16<Float>(), a2 = SIMD16<Float>(), a3 = SIMD16<Float>()
        for k in 0..<r {
            let c = SIMD16<Float>(repeating: u[k])
            let column = rt + k * n + j
            a0 = a0.addingProduct(c, load(column))
            a1 = a1.addingProduct(c, load(column + 16))
            a2 = a2.addingProduct(c, load(column + 32))
            a3 = a3.addingProduct(c, load(column + 48))
        }
        add(a0, to: w + j)
        add(a1, to: w + j + 16)
        add(a2, to: w + j + 32)
        add(a3, to: w + j + 48)
        j += 64
    }
    while j + 16 <= n {
        var a = SIMD16<Float>()
        for k in 0..<r { a = a.addingProduct(SIMD16<Float>(repeating: u[k]), load(rt + k * n + j)) }
        add(a, to: w + j)
        j += 16
    }
    while j < n {
        var s: Float = 0
        for k in 0..<r { s = s.addingProduct(u[k], rt[k * n + j]) }
        w[j] += s
        j += 1
    }
}
