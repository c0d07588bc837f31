import CZOKernels

/// Row-wise softmax of a square `n × n` score matrix under a causal mask: row `i` keeps columns
/// `0...i`, everything to the right becomes exactly 0. In place.
public func causalSoftmax(_ scores: UnsafeMutablePointer<Float>, size n: Int) {
    for i in 0..<n {
        let row = scores + i * n
        let count = i + 1
        softmaxInPlace(row, count: count)
        (row + count).update(repeating: 0, count: n - count)
    }
}

/// Numerically stable (max-shifted) softmax of `count` floats in place.
public func softmaxInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
    zo_softmax(x, count)
}
