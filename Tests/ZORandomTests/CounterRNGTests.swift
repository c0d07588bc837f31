import XCTest
import ZORandom

/// Philox4x32-10 against the Random123 known-answer vectors, and the 16-lane kernel against the
/// scalar one.
final class CounterRNGTests: XCTestCase {
    func testPhiloxMatchesRandom123KnownAnswers() {
        XCTAssertEqual(
            Philox4x32.block(counter: SIMD4(0, 0, 0, 0), key: SIMD2(0, 0)),
            SIMD4(0x6627_e8d5, 0xe169_c58d, 0xbc57_ac4c, 0x9b00_dbd8))
        XCTAssertEqual(
            Philox4x32.block(counter: SIMD4(repeating: 0xFFFF_FFFF), key: SIMD2(repeating: 0xFFFF_FFFF)),
            SIMD4(0x408f_276d, 0x41c8_3b0e, 0xa20b_c7c6, 0x6d54_51fd))
        XCTAssertEqual(
            Philox4x32.block(
                counter: SIMD4(0x243f_6a88, 0x85a3_08d3, 0x1319_8a2e, 0x0370_7344),
                key: SIMD2(0xa409_3822, 0x299f_31d0)),
            SIMD4(0xd16c_fe09, 0x94fd_cceb, 0x5001_e420, 0x2412_6ea1))
    }

    func testSixteenLaneKernelEqualsScalarBlocks() {
        var c0 = SIMD16<UInt32>(), c1 = SIMD16<UInt32>(), c2 = SIMD16<UInt32>(), c3 = SIMD16<UInt32>()
        var state: UInt32 = 12345
        func next() -> UInt32 { state = state &* 1_664_525 &+ 1_013_904_223; return state }
        for lane in 0..<16 { c0[lane] = next(); c1[lane] = next(); c2[lane] = next(); c3[lane] = next() }
        let key = SIMD2<UInt32>(next(), next())
        let (w0, w1, w2, w3) = Philox4x32.lanes(c0, c1, c2, c3, key: key)
        for lane in 0..<16 {
            let expected = Philox4x32.block(counter: SIMD4(c0[lane], c1[lane], c2[lane], c3[lane]), key: key)
            XCTAssertEqual(SIMD4(w0[lane], w1[lane], w2[lane], w3[lane]), expected)
        }
    }

    func testSeedDerivationSeparatesPurposesAndValues() {
        let a = SeedDerivation.derive(7, .direction, 3, 0)
        XCTAssertEqual(a, SeedDerivation.derive(7, .direction, 3, 0))
        XCTAssertNotEqual(a, SeedDerivation.derive(7, .direction, 3, 1))
        XCTAssertNotEqual(a, SeedDerivation.derive(7, .direction, 4, 0))
        XCTAssertNotEqual(a, SeedDerivation.derive(8, .direction, 3, 0))
        XCTAssertNotEqual(a, SeedDerivation.derive(7, .probe, 3, 0))
    }
}
