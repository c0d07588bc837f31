import XCTest
import ZOTensor

final class NonFiniteScanTests: XCTestCase {
    /// Every position (vector body and tail) and every kind of non-finite value is found, first one first.
    func testFindsTheFirstNonFiniteValue() {
        for count in [0, 1, 15, 16, 17, 100] {
            var values = (0..<count).map { Float($0) * 1e30 }
            values.withUnsafeBufferPointer { XCTAssertNil(NonFiniteScan.firstIndex(in: $0), "count \(count)") }
            for position in [0, count / 2, count - 1] where position >= 0 && position < count {
                for bad in [Float.nan, .infinity, -.infinity] {
                    var damaged = values
                    damaged[position] = bad
                    if position + 1 < count { damaged[count - 1] = .nan }
                    damaged.withUnsafeBufferPointer { XCTAssertEqual(NonFiniteScan.firstIndex(in: $0), position) }
                }
            }
            values.removeAll()
        }
    }
}
