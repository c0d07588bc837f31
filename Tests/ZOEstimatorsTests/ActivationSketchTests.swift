import Foundation
import XCTest
import ZOEstimators
import ZORandom

/// The activation sketch (`--subspace-source activations`) against LAPACK's SVD of the same matrix,
/// and its seed-log encoding.
final class ActivationSketchTests: XCTestCase {
    /// Row-major rows×columns Gaussian matrix.
    func gaussian(_ rows: Int, _ columns: Int, seed: UInt64) -> [Float] {
        GaussianStream(seed: seed, tensor: 0).normals(0..<(rows * columns))
    }

    func sketch(_ x: [Float], rows: Int, inputs: Int, rank: Int, iterations: Int = 3) throws -> [Float] {
        try x.withUnsafeBufferPointer {
            try ActivationSketch.basis(of: $0.baseAddress!, rows: rows, inputs: inputs, rank: rank, powerIterations: iterations,
                                       start: GaussianStream(seed: 9, tensor: 1, kind: .sketch))
        }
    }

    /// Σᵢⱼ (aᵢ · qⱼ)² over the columns of row-major n×r `q` and the rows aᵢ of row-major k×n `a`.
    func capturedEnergy(_ a: [Float], rows k: Int, in q: [Float], inputs n: Int, rank r: Int) -> Double {
        var total = 0.0
        for i in 0..<k {
            for j in 0..<r {
                var dot = 0.0
                for l in 0..<n { dot += Double(a[i * n + l]) * Double(q[l * r + j]) }
                total += dot * dot
            }
        }
        return total
    }

    func testSketchFindsTheTopRightSingularSubspaceOfTheInputs() throws {
        // X = A·diag(s)·Bᵀ with the top-4 singular values 1, 1/2, 1/3, 1/4 and the rest below 1/500:
        // the top-4 right singular vectors are well separated, so three subspace iterations find them.
        let (rows, inputs, rank) = (48, 32, 4)
        var a = gaussian(rows, inputs, seed: 1), b = gaussian(inputs, inputs, seed: 2)
        try DenseFactorizations.orthonormalizeColumns(&a, rows: rows, columns: inputs)
        try DenseFactorizations.orthonormalizeColumns(&b, rows: inputs, columns: inputs)
        var x = [Float](repeating: 0, count: rows * inputs)  // row-major; a, b column-major
        for i in 0..<rows {
            for j in 0..<inputs {
                x[i * inputs + j] = (0..<inputs).reduce(Float(0)) { $0 + a[i + $1 * rows] * (($1 < 4 ? 1 : 0.01) / Float($1 + 1)) * b[j + $1 * inputs] }
            }
        }
        let q = try sketch(x, rows: rows, inputs: inputs, rank: rank)

        // The reference: LAPACK's thin SVD of the same X (column-major copy).
        var columnMajor = (0..<(rows * inputs)).map { x[($0 % rows) * inputs + $0 / rows] }
        let svd = try DenseFactorizations.thinSVD(&columnMajor, rows: rows, columns: inputs)
        let topRows = (0..<rank).flatMap { k in (0..<inputs).map { svd.vt[k + $0 * inputs] } }  // row-major r×n
        XCTAssertEqual(capturedEnergy(topRows, rows: rank, in: q, inputs: inputs, rank: rank), Double(rank), accuracy: 1e-4)
        // Orthonormal columns.
        let gram = capturedEnergy((0..<rank).flatMap { j in (0..<inputs).map { q[$0 * rank + j] } },
                                  rows: rank, in: q, inputs: inputs, rank: rank)
        XCTAssertEqual(gram, Double(rank), accuracy: 1e-4)
    }

    func testAFewRowsAreContainedInALargerBasis() throws {
        // Two activation rows and rank 4: the basis holds both rows (and two more orthonormal columns).
        let x = gaussian(2, 16, seed: 5)
        let q = try sketch(x, rows: 2, inputs: 16, rank: 4)
        let energy = x.reduce(0.0) { $0 + Double($1) * Double($1) }
        XCTAssertEqual(capturedEnergy(x, rows: 2, in: q, inputs: 16, rank: 4), energy, accuracy: 1e-4 * energy)
    }

    func testNonFiniteActivationsAreRefused() {
        var x = gaussian(8, 8, seed: 6)
        x[3] = .nan
        XCTAssertThrowsError(try sketch(x, rows: 8, inputs: 8, rank: 2)) {
            XCTAssertEqual($0 as? EstimatorError, .nonFiniteActivations)
        }
    }

    func testEncodingRoundTripsAndRefusesABlobThatDoesNotFit() {
        let bases: [Int: [Float]] = [3: gaussian(6, 2, seed: 7), 11: gaussian(4, 2, seed: 8)]
        let data = ActivationSketch.encode(bases, order: [11, 3, 5])
        XCTAssertEqual(ActivationSketch.decode(data, expected: [3: 12, 11: 8, 5: 10]), bases)
        XCTAssertNil(ActivationSketch.decode(data, expected: [3: 12, 11: 6]), "a size that differs")
        XCTAssertNil(ActivationSketch.decode(data, expected: [3: 12]), "a tensor not expected")
        XCTAssertNil(ActivationSketch.decode(data.dropLast(1), expected: [3: 12, 11: 8]), "cut short")
    }

    /// P-GAP's bases inside the activation span: U and V orthonormal, V (or U, when the inputs are
    /// the weight's rows) inside span(A), and U·diag(σ)·Vᵀ equal to the estimate projected on the
    /// span, S·A·Aᵀ (or A·Aᵀ·S), whatever the row blocks the projection streams S in.
    func testProjectedBasisIsTheEstimateInsideTheActivationSpan() throws {
        let (m, n, r) = (12, 9, 4)
        let s = gaussian(m, n, seed: 3)
        for inputsAreRows in [false, true] {
            let inputs = inputsAreRows ? m : n
            var columnMajor = gaussian(inputs, r, seed: 4)
            try DenseFactorizations.orthonormalizeColumns(&columnMajor, rows: inputs, columns: r)
            let a = (0..<(inputs * r)).map { columnMajor[($0 % r) * inputs + $0 / r] }  // row-major inputs × r
            for blockRows in [m, 5, 1] {
                let projected = ActivationProjection.project(
                    rows: m, columns: n, inputsAreRows: inputsAreRows, activations: a, rank: r, blockRows: blockRows
                ) { rows, block in
                    for (i, row) in rows.enumerated() { for j in 0..<n { block[i * n + j] = s[row * n + j] } }
                }
                let basis = try ActivationProjection.basis(
                    projected: projected, rows: m, columns: n, inputsAreRows: inputsAreRows, activations: a, rank: r)
                XCTAssertEqual(basis.rank, r)
                // The expected matrix: the projection of S on the span, on its input side.
                var expected = [Double](repeating: 0, count: m * n)
                for i in 0..<m {
                    for j in 0..<n {
                        var sum = 0.0
                        for k in 0..<inputs {
                            var p = 0.0  // (A·Aᵀ)[input, k]
                            let input = inputsAreRows ? i : j
                            for c in 0..<r { p += Double(a[input * r + c]) * Double(a[k * r + c]) }
                            sum += p * Double(inputsAreRows ? s[k * n + j] : s[i * n + k])
                        }
                        expected[i * n + j] = sum
                    }
                }
                var worst = 0.0, largest = 0.0
                for i in 0..<m {
                    for j in 0..<n {
                        var value = 0.0
                        for c in 0..<r { value += Double(basis.left[i * r + c]) * Double(basis.singularValues[c]) * Double(basis.right[j * r + c]) }
                        worst = max(worst, abs(value - expected[i * n + j]))
                        largest = max(largest, abs(expected[i * n + j]))
                    }
                }
                let label = "inputs are \(inputsAreRows ? "rows" : "columns"), blocks of \(blockRows)"
                XCTAssertLessThan(worst, 1e-5 * largest, label)
                for (side, count) in [(basis.left, m), (basis.right, n)] {
                    for c in 0..<r {
                        for d in 0..<r {
                            let dot = (0..<count).reduce(0.0) { $0 + Double(side[$1 * r + c]) * Double(side[$1 * r + d]) }
                            XCTAssertEqual(dot, c == d ? 1 : 0, accuracy: 1e-5, "orthonormal bases: \(label)")
                        }
                    }
                }
            }
        }
    }
}
