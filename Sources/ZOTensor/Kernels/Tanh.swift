import CZOKernels

/// tanh in place over `count` floats (the BERT pooler's activation).
public func tanhInPlace(_ x: UnsafeMutablePointer<Float>, count: Int) {
    zo_tanh(x, count)
}
