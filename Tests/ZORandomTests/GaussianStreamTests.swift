import Foundation
import XCTest
import ZORandom

/// The normal stream: distribution, purity (same numbers whatever the chunking), and agreement with
/// a double-precision Box–Muller on the same Philox words.
final class GaussianStreamTests: XCTestCase {
    func testMomentsAndKolmogorovSmirnovOverAMillionSamples() {
        let count = 1 << 20
        let z = GaussianStream(seed: 42, tensor: 3).normals(0..<count)
        var sum = 0.0, sum2 = 0.0, sum3 = 0.0, sum4 = 0.0, beyond3 = 0
        for value in z {
            let v = Double(value)
            sum += v; sum2 += v * v; sum3 += v * v * v; sum4 += v * v * v * v
            if abs(v) > 3 { beyond3 += 1 }
        }
        let n = Double(count)
        let mean = sum / n, variance = sum2 / n - mean * mean
        let skewness = sum3 / n / pow(variance, 1.5), kurtosis = sum4 / n / (variance * variance)
        let tail = Double(beyond3) / n
        let sorted = z.sorted()
        var ks = 0.0
        for (i, value) in sorted.enumerated() where i % 7 == 0 {
            let cdf = 0.5 * erfc(-Double(value) / 2.0.squareRoot())
            ks = max(ks, abs(cdf - Double(i) / n), abs(cdf - Double(i + 1) / n))
        }
        print("normal stream, n=\(count): mean \(mean) var \(variance) skew \(skewness) kurt \(kurtosis) P(|z|>3) \(tail) KS \(ks)")
        // 5σ bounds for n = 2^20: σ(mean) ≈ 1e-3, σ(var) ≈ 1.4e-3, σ(skew) ≈ 2.4e-3, σ(kurt) ≈ 4.8e-3.
        XCTAssertEqual(mean, 0, accuracy: 5e-3)
        XCTAssertEqual(variance, 1, accuracy: 7e-3)
        XCTAssertEqual(skewness, 0, accuracy: 1.2e-2)
        XCTAssertEqual(kurtosis, 3, accuracy: 2.5e-2)
        XCTAssertEqual(tail, 2.70e-3, accuracy: 3e-4)
        // KS critical value at α = 0.001 is 1.95/√n ≈ 1.9e-3.
        XCTAssertLessThan(ks, 1.9e-3)
    }

    func testValuesDoNotDependOnChunking() {
        let stream = GaussianStream(seed: 0xDEAD_BEEF, tensor: 17, kind: .dense)
        let whole = stream.normals(0..<5000)
        var pieces = [Float](repeating: .nan, count: 5000)
        var state: UInt64 = 99
        var start = 0
        pieces.withUnsafeMutableBufferPointer { out in
            while start < 5000 {
                state = state &* 6_364_136_223_846_793_005 &+ 1
                let length = min(5000 - start, Int(state >> 58) + 1)  // 1…64, odd offsets included
                stream.fill(out.baseAddress! + start, range: start..<(start + length))
                start += length
            }
        }
        XCTAssertEqual(whole.map(\.bitPattern), pieces.map(\.bitPattern))
        for index in [0, 1, 15, 16, 63, 64, 1000, 4999] {
            XCTAssertEqual(stream.normal(at: index).bitPattern, whole[index].bitPattern)
        }
        let tail = stream.normals(4321..<4999)
        XCTAssertEqual(tail.map(\.bitPattern), whole[4321..<4999].map(\.bitPattern))
    }

    func testStreamsDifferByTensorKindAndSeed() {
        let base = GaussianStream(seed: 1, tensor: 0).normals(0..<64)
        XCTAssertNotEqual(base, GaussianStream(seed: 1, tensor: 1).normals(0..<64))
        XCTAssertNotEqual(base, GaussianStream(seed: 2, tensor: 0).normals(0..<64))
        XCTAssertNotEqual(base, GaussianStream(seed: 1, tensor: 0, kind: .coefficients).normals(0..<64))
    }

    /// The Philox block behind stream element `element` (64g + 16j + l is word j of block 16g + l), and j.
    func philoxWords(seed: UInt64, tensor: UInt32, kind: UInt32, element: Int) -> (SIMD4<UInt32>, Int) {
        let group = element / 64, j = (element % 64) / 16, lane = element % 16
        let block = UInt64(group * 16 + lane)
        let words = Philox4x32.block(
            counter: SIMD4(UInt32(truncatingIfNeeded: block), UInt32(block >> 32), tensor, kind),
            key: SIMD2(UInt32(truncatingIfNeeded: seed), UInt32(seed >> 32)))
        return (words, j)
    }

    /// The Rademacher kind: element 64g + 16j + l is the sign of word j of block 16g + l, ±1 exactly,
    /// balanced, and independent of chunking like the normals.
    func testRademacherStreamIsTheSignOfItsPhiloxWord() {
        let seed: UInt64 = 0x0BAD_5EED
        let stream = GaussianStream(seed: seed, tensor: 9, kind: .rademacher)
        let signs = stream.normals(0..<8192)
        var positives = 0
        for index in 0..<8192 {
            let (words, j) = philoxWords(seed: seed, tensor: 9, kind: 7, element: index)
            XCTAssertEqual(signs[index], words[j] >> 31 == 0 ? 1 : -1)
            if signs[index] > 0 { positives += 1 }
        }
        XCTAssertEqual(Double(positives) / 8192, 0.5, accuracy: 0.03)  // σ ≈ 0.0055
        XCTAssertEqual(stream.normals(37..<101), Array(signs[37..<101]))
        XCTAssertNotEqual(signs.prefix(64).map { $0 > 0 }, GaussianStream(seed: seed, tensor: 9).normals(0..<64).map { $0 > 0 })
    }

    /// The same Philox words through a double-precision Box–Muller with Foundation's log/cos/sin.
    func testFastTransformMatchesDoublePrecisionBoxMuller() {
        let seed: UInt64 = 0x1234_5678_9ABC_DEF0
        let stream = GaussianStream(seed: seed, tensor: 5, kind: .dense)
        let fast = stream.normals(0..<8192)
        var worst = 0.0
        for index in 0..<8192 {
            let (words, j) = philoxWords(seed: seed, tensor: 5, kind: 0, element: index)
            let radiusWord = j < 2 ? words[0] : words[2], angleWord = j < 2 ? words[1] : words[3]
            let u = Double(8_388_608 - Int(radiusWord >> 9)) / 8_388_608  // 2 − (1 + k/2²³)
            let r = (-2 * log(u)).squareRoot()
            let quadrant = Double(angleWord >> 30)
            let fraction = Double((angleWord << 2) >> 9) / 8_388_608 - 0.5
            let angle = (quadrant + fraction) * Double.pi / 2
            let expected = j % 2 == 0 ? r * cos(angle) : r * sin(angle)
            worst = max(worst, abs(Double(fast[index]) - expected))
        }
        print("fast Box–Muller vs double precision: max |Δ| = \(worst)")
        XCTAssertLessThan(worst, 3e-6)
    }
}

/// The polynomial log/sin/cos against Foundation.
final class VectorMathTests: XCTestCase {
    func testLogIsAccurateOverTheUnitIntervalAndBeyond() {
        var worst = 0.0
        var values: [Float] = (1...8_388_608).lazy.filter { $0 % 97 == 1 }.map { Float($0) / 8_388_608 }
        values += [1e-30, 1e-10, 0.5, 0.70710677, 0.7071068, 1, 2, 3.5, 1e10, 3e38]
        for chunk in stride(from: 0, to: values.count - 15, by: 16) {
            var v = SIMD16<Float>()
            for lane in 0..<16 { v[lane] = values[chunk + lane] }
            let ours = VectorMath.log(v)
            for lane in 0..<16 {
                let exact = log(Double(v[lane]))
                let ulp = Double(Float(exact).ulp)
                worst = max(worst, abs(Double(ours[lane]) - exact) / max(ulp, Double(Float.leastNormalMagnitude)))
            }
        }
        print("vector log: worst error \(worst) ulp")
        XCTAssertLessThan(worst, 3)
    }

    func testCosSinAreAccurateOnTheReducedRange() {
        var worstAbsolute = 0.0
        for step in 0..<(1 << 16) {
            let a = (Float(step) / Float(1 << 16) - 0.5) * Float.pi / 2
            let (c, s) = VectorMath.cosSinReduced(SIMD16(repeating: a))
            worstAbsolute = max(worstAbsolute, abs(Double(c[0]) - cos(Double(a))), abs(Double(s[0]) - sin(Double(a))))
        }
        print("vector cos/sin on [−π/4, π/4]: worst |Δ| \(worstAbsolute)")
        XCTAssertLessThan(worstAbsolute, 2e-7)
    }

    func testSquareRootIsExact() {
        let v = SIMD16<Float>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 1e-3)
        let r = VectorMath.squareRoot(v)
        for lane in 0..<16 { XCTAssertEqual(r[lane], v[lane].squareRoot()) }
    }
}
