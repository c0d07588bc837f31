import CZOKernels

/// The kernel behind every dense sweep: x ← κ·x + c₀·z₀ + c₁·z₁ + … over a range of one tensor,
/// with the normals generated in registers (no z buffer: a sweep reads and writes x once).
///
/// Floating-point contract (what makes replay byte-exact): per element, first `x · κ` (skipped when
/// κ = 1, which is exact anyway), then one fused multiply-add per term in the order given. Partial
/// groups at range ends go through the same vector code on a stack copy, so an element's result does
/// not depend on where a thread's chunk starts.
public enum FusedGaussianUpdate {
    /// Applies the update to `x[range]`; `x` points at element 0 of the tensor whose streams these are.
    public static func apply(
        to x: UnsafeMutablePointer<Float>, range: Range<Int>, scale: Float = 1,
        streams: UnsafeBufferPointer<GaussianStream>, coefficients: UnsafeBufferPointer<Float>
    ) {
        precondition(streams.count == coefficients.count)
        withUnsafeTemporaryAllocation(of: zo_gaussian_stream.self, capacity: streams.count) { kernelStreams in
            for (index, stream) in streams.enumerated() {
                kernelStreams.initializeElement(at: index, to: stream.kernelStream)
            }
            zo_fused_gaussian_update(
                x, range.lowerBound, range.upperBound, scale, kernelStreams.baseAddress, coefficients.baseAddress,
                streams.count)
        }
    }
}
