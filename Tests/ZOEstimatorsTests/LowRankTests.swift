import XCTest
import ZOEstimators
import ZORandom
import ZOTensor

/// The low-rank kernels against naive twins: materialised update vs explicit loops, QR bases,
/// truncated SVD vs the exact one.
final class LowRankTests: XCTestCase {
    func randomMatrix(_ rows: Int, _ columns: Int, seed: UInt64) -> [Float] {
        GaussianStream(seed: seed, tensor: 0).normals(0..<(rows * columns))
    }

    /// max |QᵀQ − I| for a row-major rows×rank Q.
    func orthonormalityError(_ q: [Float], rows: Int, rank: Int) -> Double {
        var worst = 0.0
        for a in 0..<rank {
            for b in 0..<rank {
                var dot = 0.0
                for i in 0..<rows { dot += Double(q[i * rank + a]) * Double(q[i * rank + b]) }
                worst = max(worst, abs(dot - (a == b ? 1 : 0)))
            }
        }
        return worst
    }

    func testMaterialisedUpdateEqualsExplicitLoops() {
        for (m, n, r) in [(37, 53, 5), (64, 200, 8), (300, 129, 16), (5, 3, 3)] {
            let basis = LowRankBasis(
                rows: m, columns: n, rank: r, left: randomMatrix(m, r, seed: 1), right: randomMatrix(n, r, seed: 2))
            let z = randomMatrix(r, r, seed: 3)
            let w = randomMatrix(m, n, seed: 4)
            for (alpha, beta): (Float, Float) in [(0.37, 1), (-1.5, 0.9)] {
                var out = w
                out.withUnsafeMutableBufferPointer { LowRankUpdate.apply(to: $0.baseAddress!, basis: basis, coefficients: z, alpha: alpha, beta: beta) }
                // Relative to fp32's error bound for these sums (two products of inner size r, then the
                // update: about 2r + 2 roundings of the terms' magnitude, whatever order BLAS sums in);
                // a wrong index or coefficient errs by the magnitude itself.
                var worst = 0.0
                for i in 0..<m {
                    for j in 0..<n {
                        var p = 0.0, magnitude = 0.0  // (U Z Vᵀ)_ij = Σ_a Σ_b U_ia Z_ab V_jb
                        for a in 0..<r {
                            for b in 0..<r {
                                let term = Double(basis.left[i * r + a]) * Double(z[a * r + b]) * Double(basis.right[j * r + b])
                                p += term
                                magnitude += abs(term)
                            }
                        }
                        let expected = Double(beta) * Double(w[i * n + j]) + Double(alpha) * p
                        let bound = Double(2 * r + 2) * 0x1p-24 * (abs(Double(beta * w[i * n + j])) + abs(Double(alpha)) * magnitude)
                        worst = max(worst, abs(Double(out[i * n + j]) - expected) / bound)
                    }
                }
                XCTAssertLessThan(worst, 1, "\(m)×\(n) r \(r): error beyond fp32's bound")
            }
        }
    }

    func testRandomBasesAreOrthonormalAndReproducible() throws {
        let basis = try LowRankBasis.random(rows: 192, columns: 576, rank: 8, seed: 5, tensorIndex: 3)
        XCTAssertLessThan(orthonormalityError(basis.left, rows: 192, rank: 8), 1e-5)
        XCTAssertLessThan(orthonormalityError(basis.right, rows: 576, rank: 8), 1e-5)
        XCTAssertEqual(try LowRankBasis.random(rows: 192, columns: 576, rank: 8, seed: 5, tensorIndex: 3), basis)
        XCTAssertNotEqual(try LowRankBasis.random(rows: 192, columns: 576, rank: 8, seed: 5, tensorIndex: 4), basis)
    }

    /// S = A·diag(d)·Bᵀ with a decaying spectrum (e^(−k/4)) plus noise: the randomized path
    /// (r + p < min(m, n)) finds the top singular values of the full `sgesdd` to within 1 %, the
    /// exact path to float precision; both give orthonormal U, V with Uᵀ S V = diag(σ).
    func testTruncatedSVDRecoversTheTopSubspace() throws {
        let m = 150, n = 90, rank = 12
        let left = LowRankBasis.transposedForTests(try orthonormalColumns(m, 40, seed: 1), rows: m, columns: 40)
        let right = LowRankBasis.transposedForTests(try orthonormalColumns(n, 40, seed: 2), rows: n, columns: 40)
        let spectrum = (0..<40).map { Float(exp(-Double($0) / 4)) }
        var s = [Float](repeating: 0, count: m * n)
        let noise = randomMatrix(m, n, seed: 9)
        for i in 0..<m {
            for j in 0..<n {
                var v: Float = 0
                for k in 0..<40 { v += left[i * 40 + k] * spectrum[k] * right[j * 40 + k] }
                s[i * n + j] = v + 1e-4 * noise[i * n + j]
            }
        }
        var copy = s  // row-major S = column-major Sᵀ: same singular values
        let exact = try DenseFactorizations.thinSVD(&copy, rows: n, columns: m).singularValues
        let sketch = GaussianStream(seed: 3, tensor: 0, kind: .sketch)
        for (oversampling, power, tolerance) in [(10, 1, 1e-2), (100, 0, 1e-5)] {  // randomized, then exact sgesdd
            let basis = try s.withUnsafeBufferPointer {
                try TruncatedSVD.compute($0.baseAddress!, rows: m, columns: n, rank: rank, oversampling: oversampling, powerIterations: power, sketch: sketch)
            }
            XCTAssertEqual(basis.rank, rank)
            XCTAssertLessThan(orthonormalityError(basis.left, rows: m, rank: rank), 1e-4)
            XCTAssertLessThan(orthonormalityError(basis.right, rows: n, rank: rank), 1e-4)
            var worst = 0.0
            for k in 0..<rank { worst = max(worst, abs(Double(basis.singularValues[k] - exact[k])) / Double(exact[k])) }
            // Uᵀ S V = diag(σ).
            var offDiagonal = 0.0, diagonal = 0.0
            for a in 0..<rank {
                for b in 0..<rank {
                    var value = 0.0
                    for i in 0..<m { for j in 0..<n { value += Double(basis.left[i * rank + a]) * Double(s[i * n + j]) * Double(basis.right[j * rank + b]) } }
                    if a == b { diagonal = max(diagonal, abs(value - Double(basis.singularValues[a]))) } else { offDiagonal = max(offDiagonal, abs(value)) }
                }
            }
            print("truncated SVD (p = \(oversampling), q = \(power)): worst σ error relative to sgesdd \(worst), |UᵀSV − diag σ| diag \(diagonal), off \(offDiagonal)")
            XCTAssertLessThan(worst, tolerance)
            XCTAssertLessThan(max(diagonal, offDiagonal), 1e-3)
        }
    }

    /// Built block by block (uneven blocks of 7 rows) for every product, the randomized SVD gives the
    /// held matrix's result to rounding; on the exact path (S built whole) bit for bit.
    func testStreamedTruncatedSVDMatchesTheHeldMatrix() throws {
        let m = 150, n = 90, rank = 12
        let s = randomMatrix(m, n, seed: 4).enumerated().map { $1 * Float(1 + ($0 / n) % 5) }  // row scales: a spectrum
        let sketch = GaussianStream(seed: 3, tensor: 0, kind: .sketch)
        for (oversampling, exact) in [(10, false), (100, true)] {
            let held = try s.withUnsafeBufferPointer {
                try TruncatedSVD.compute($0.baseAddress!, rows: m, columns: n, rank: rank, oversampling: oversampling, sketch: sketch)
            }
            let streamed = try TruncatedSVD.compute(
                rows: m, columns: n, rank: rank, oversampling: oversampling, sketch: sketch, blockRows: 7
            ) { rows, block in
                for (k, i) in rows.enumerated() { for j in 0..<n { block[k * n + j] = s[i * n + j] } }
            }
            if exact {
                XCTAssertEqual(streamed, held)
                continue
            }
            for k in 0..<rank {
                XCTAssertEqual(streamed.singularValues[k], held.singularValues[k], accuracy: 1e-5 * held.singularValues[k])
                XCTAssertGreaterThan(abs(columnDot(streamed.left, held.left, rows: m, rank: rank, column: k)), 1 - 1e-4)
                XCTAssertGreaterThan(abs(columnDot(streamed.right, held.right, rows: n, rank: rank, column: k)), 1 - 1e-4)
            }
        }
    }

    /// Column `column` of two row-major rows×rank matrices, dotted.
    func columnDot(_ a: [Float], _ b: [Float], rows: Int, rank: Int, column: Int) -> Double {
        (0..<rows).reduce(0.0) { $0 + Double(a[$1 * rank + column]) * Double(b[$1 * rank + column]) }
    }

    func orthonormalColumns(_ rows: Int, _ columns: Int, seed: UInt64) throws -> [Float] {
        var a = randomMatrix(rows, columns, seed: seed)
        try DenseFactorizations.orthonormalizeColumns(&a, rows: rows, columns: columns)
        return a
    }
}

extension LowRankBasis {
    /// Row-major copy of a column-major matrix (test helper).
    static func transposedForTests(_ columnMajor: [Float], rows: Int, columns: Int) -> [Float] {
        var out = [Float](repeating: 0, count: rows * columns)
        for j in 0..<columns { for i in 0..<rows { out[i * columns + j] = columnMajor[i + j * rows] } }
        return out
    }
}

/// P-GAP builds the bases of small tensors one tensor per core: the same bases (bit for bit) as
/// building them one after another on one core.
final class PGAPBasisParallelismTests: XCTestCase {
    /// At or below the streaming threshold (the default keeps this 4.3 M-element tensor whole) the
    /// estimate is held: exactly the truncated SVD of the estimate built whole from the probes.
    func testHeldBasisIsTheWholeEstimatesExactly() throws {
        let held = try largeTensorBasis()
        XCTAssertEqual(held.basis, held.reference)
    }

    /// Above it the estimate is streamed, never held: the same basis to rounding (the sums over
    /// blocks run in another order, which is also how the test sees that the streamed path ran).
    func testStreamedBasisIsTheWholeEstimatesToRounding() throws {
        let streamed = try largeTensorBasis(streamingThreshold: 1 << 22)
        XCTAssertNotEqual(streamed.basis, streamed.reference, "the streamed path ran")
        let m = streamed.basis.rows
        for k in 0..<4 {
            XCTAssertEqual(streamed.basis.singularValues[k], streamed.reference.singularValues[k],
                           accuracy: 1e-4 * streamed.reference.singularValues[k])
            let dot = (0..<m).reduce(0.0) { $0 + Double(streamed.basis.left[$1 * 4 + k]) * Double(streamed.reference.left[$1 * 4 + k]) }
            XCTAssertGreaterThan(abs(dot), 1 - 1e-3, "left singular vector \(k)")
        }
    }

    /// The basis P-GAP builds for one 2100×2048 tensor (above `parallelThreshold`), and the
    /// truncated SVD of its estimate built whole from the window's probes.
    private func largeTensorBasis(
        streamingThreshold: Int = PGAP.defaultStreamingThreshold
    ) throws -> (basis: LowRankBasis, reference: LowRankBasis) {
        let (m, n) = (2100, 2048)
        let arena = WeightArena([ParameterSpec(name: "model.layers.0.mlp.up_proj.weight", shape: [m, n], role: .matrix, layer: 0, kind: .up, activationUse: .everyToken)])
        fillArena(arena, seed: 3)
        let parameters = TrainableSet(arena: arena)
        let pgap = PGAP(configuration: .init(rank: 4, window: 4, probes: 3), streamingThreshold: streamingThreshold)
        var state = try pgap.makeState(for: parameters, runSeed: 9)
        _ = try pgap.step(parameters, state: &state, context: StepContext(step: 0, totalSteps: 8, learningRate: 1e-3, runSeed: 9),
                          oracle: QuadraticOracle(parameters: parameters, seed: 2))
        let tensor = parameters.tensors[0]
        let built = try XCTUnwrap(state.bases[tensor.index])

        let h = Float(state.probeSeeds.count)
        let sweep = DenseSweep(seeds: state.probeSeeds, coefficients: state.probeGradients.map { $0 / h })
        let estimate = FloatBuffer(count: m * n)
        estimate.pointer.update(repeating: 0, count: m * n)
        PerturbationEngine().apply(sweep, to: estimate.pointer, count: m * n, tensorIndex: tensor.index)
        let held = try TruncatedSVD.compute(
            estimate.pointer, rows: m, columns: n, rank: 4,
            sketch: GaussianStream(seed: SeedDerivation.derive(9, .sketch, try XCTUnwrap(state.window)), tensor: tensor.index, kind: .sketch))
        return (built, held)
    }

    /// A ranged sweep writes exactly the whole tensor's sweep over that range.
    func testRangedSweepEqualsTheWholeSweepsSlice() {
        let sweep = DenseSweep(seeds: [5, 6, 7], coefficients: [0.5, -0.25, 2])
        let count = 300_000
        let whole = FloatBuffer(count: count)
        whole.pointer.update(repeating: 0, count: count)
        let engine = PerturbationEngine(workerCount: 2, minimumParallelCount: 1)
        engine.apply(sweep, to: whole.pointer, count: count, tensorIndex: 4)
        for range in [0..<1000, 12_345..<200_001, 299_999..<300_000] {
            let part = FloatBuffer(count: range.count)
            part.pointer.update(repeating: 0, count: range.count)
            engine.apply(sweep, to: part.pointer, elements: range, tensorIndex: 4)
            XCTAssertEqual(Array(UnsafeBufferPointer(start: part.pointer, count: range.count)),
                           Array(UnsafeBufferPointer(start: whole.pointer + range.lowerBound, count: range.count)), "\(range)")
        }
    }

    func testBasesDoNotDependOnTheWorkerCount() throws {
        var bases: [[Int: LowRankBasis]] = []
        for workers in [1, 2, 3] {
            let arena = makeSmallArena()
            fillArena(arena, seed: 5)
            let parameters = TrainableSet(arena: arena)
            let pgap = PGAP(configuration: .init(rank: 3, window: 4, probes: 4),
                            engine: PerturbationEngine(workerCount: workers, minimumParallelCount: 1))
            var state = try pgap.makeState(for: parameters, runSeed: 9)
            let oracle = QuadraticOracle(parameters: parameters, seed: 2)
            _ = try pgap.step(parameters, state: &state, context: StepContext(step: 0, totalSteps: 8, learningRate: 1e-3, runSeed: 9),
                              oracle: oracle)
            XCTAssertEqual(state.bases.count, 3, "embedding and two projections")
            bases.append(state.bases)
        }
        XCTAssertEqual(bases[0], bases[1])
        XCTAssertEqual(bases[0], bases[2])
    }
}
