import CZOKernels

/// log Σ exp(x_i) over `count` floats, stable (max-shifted). Used for log-softmax over the
/// vocabulary at the few positions a candidate-scoring objective needs.
public func logSumExp(_ x: UnsafePointer<Float>, count: Int) -> Float {
    zo_log_sum_exp(x, count)
}
