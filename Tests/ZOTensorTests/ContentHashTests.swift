import XCTest
import ZOTensor

/// The fingerprint behind cache keys: equal bytes give equal digests; any one changed byte, any
/// length, and where the bytes are split between `combine` calls (counted in) give another.
final class ContentHashTests: XCTestCase {
    private func digest(_ bytes: [UInt8]) -> String {
        var hash = ContentHash()
        hash.combine(bytes)
        return hash.hexDigest
    }

    func testEveryByteAndLengthCounts() {
        let bytes = (0..<70).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) }
        var seen = Set<String>()
        for length in 0...bytes.count {
            let prefix = Array(bytes.prefix(length))
            XCTAssertEqual(digest(prefix), digest(prefix), "deterministic")
            XCTAssertTrue(seen.insert(digest(prefix)).inserted, "length \(length) collides with a shorter prefix")
        }
        for position in bytes.indices {
            var changed = bytes
            changed[position] ^= 1
            XCTAssertNotEqual(digest(changed), digest(bytes), "byte \(position) (word body and tail alike)")
        }
        XCTAssertEqual(digest(bytes).count, 32)
    }

    /// A plain multiply–rotate lane lets a flip of bit 63 in one word cancel a flip of bit 28 in the
    /// lane's next word (a float's sign against another's exponent); xxHash's round does not.
    func testFlipsInTheSameLaneDoNotCancel() {
        let zeros = [UInt64](repeating: 0, count: 16)
        var flipped = zeros
        flipped[0] ^= 1 << 63
        flipped[4] ^= 1 << 28
        func digest(_ words: [UInt64]) -> String {
            var hash = ContentHash()
            hash.combine(words)
            return hash.hexDigest
        }
        XCTAssertNotEqual(digest(flipped), digest(zeros))
    }

    func testSplitsBetweenCombinesCount() {
        var whole = ContentHash(), split = ContentHash()
        whole.combine("ab")
        split.combine("a")
        split.combine("b")
        XCTAssertNotEqual(whole.hexDigest, split.hexDigest)
    }
}
