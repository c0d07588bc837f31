/// The number of elements of a tensor shape read from a file, or nil when the product overflows `Int`.
/// Parsers must not let it wrap: a wrapped product can look small and match the tensor's bytes while
/// the dimensions are absurd, and `StoredTensor.elementCount` would then trap.
func elementCount(ofShape shape: [Int]) -> Int? {
    var count = 1
    for dimension in shape {
        let (product, overflow) = count.multipliedReportingOverflow(by: dimension)
        if overflow { return nil }
        count = product
    }
    return count
}
