import XCTest
import ZORandom
import ZOTensor

/// The encoder kernels (BERT, RoBERTa): exact GELU and the pooler's tanh, against their naive twins.
final class EncoderKernelTests: XCTestCase {
    private func randomValues(_ count: Int, scale: Float, seed: UInt64) -> [Float] {
        var generator = SplitMix64(seed: seed)
        return (0..<count).map { _ in (Float(generator.next() >> 40) / Float(1 << 24) * 2 - 1) * scale }
    }

    func testGELUMatchesExactErfForm() {
        let x = randomValues(1000 + 7, scale: 8, seed: 4) + [0, -0.0, 1e-20, 30, -30]
        var y = x
        gelu(&y, count: y.count)
        for (a, b) in zip(y, ReferenceKernels.gelu(x)) { XCTAssertEqual(a, b, accuracy: 1e-6 * max(1, abs(b))) }
    }

    func testTanhMatchesReference() {
        let x = randomValues(100 + 3, scale: 6, seed: 5) + [0, 1e-6, -1e-6, 50, -50]
        var y = x
        tanhInPlace(&y, count: y.count)
        for (a, b) in zip(y, ReferenceKernels.hyperbolicTangent(x)) { XCTAssertEqual(a, b, accuracy: 2e-7) }
    }
}
