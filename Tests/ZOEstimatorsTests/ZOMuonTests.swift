import XCTest
import ZOEstimators
import ZORandom
import ZOTensor

/// ZO-Muon against the authors' update rule computed here independently in double precision, and
/// its Newton–Schulz iteration against what it approximates (the orthogonal polar factor).
final class ZOMuonTests: XCTestCase {
    /// Eigenvalues of X·Xᵀ (X r×c, r ≤ c) by Jacobi rotations: the squared singular values of X.
    func squaredSingularValues(_ x: [Double], rows r: Int, columns c: Int) -> [Double] {
        var a = [Double](repeating: 0, count: r * r)
        for i in 0..<r { for j in 0..<r { a[i * r + j] = (0..<c).reduce(0.0) { $0 + x[i * c + $1] * x[j * c + $1] } } }
        for _ in 0..<60 {
            for p in 0..<r { for q in (p + 1)..<max(p + 1, r) where abs(a[p * r + q]) > 1e-15 {
                let theta = (a[q * r + q] - a[p * r + p]) / (2 * a[p * r + q])
                let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                let cs = 1 / (t * t + 1).squareRoot(), sn = t * cs
                for k in 0..<r {
                    let (akp, akq) = (a[k * r + p], a[k * r + q])
                    a[k * r + p] = cs * akp - sn * akq
                    a[k * r + q] = sn * akp + cs * akq
                }
                for k in 0..<r {
                    let (apk, aqk) = (a[p * r + k], a[q * r + k])
                    a[p * r + k] = cs * apk - sn * aqk
                    a[q * r + k] = sn * apk + cs * aqk
                }
            } }
        }
        return (0..<r).map { a[$0 * r + $0] }.sorted()
    }

    func testNewtonSchulzPushesEverySingularValueTowardOne() {
        for (rows, columns) in [(2, 50), (8, 30), (30, 8), (1, 7)] {
            // A badly conditioned matrix: rows scaled over three decades.
            var g = GaussianStream(seed: UInt64(rows * 100 + columns), tensor: 0).normals(0..<(rows * columns))
            for i in 0..<rows { for j in 0..<columns { g[i * columns + j] *= Float(pow(10.0, -3.0 * Double(i) / Double(max(1, rows)))) } }
            let x = ZOMuon.newtonSchulz(g, rows: rows, columns: columns)
            let wide = rows <= columns
            var oriented = [Double](repeating: 0, count: rows * columns)
            for i in 0..<rows { for j in 0..<columns {
                oriented[wide ? i * columns + j : j * rows + i] = Double(x[i * columns + j])
            } }
            let s2 = squaredSingularValues(oriented, rows: min(rows, columns), columns: max(rows, columns))
            let singular = s2.map { $0.squareRoot() }
            print("Newton–Schulz \(rows)×\(columns): singular values \(singular.first!)…\(singular.last!)")
            // Muon's coefficients trade exactness for speed: values land in ≈ [0.7, 1.2], except
            // directions far below the Frobenius norm (here the 1e-3 rows), which 5 steps lift only partly.
            XCTAssertLessThan(singular.last!, 1.25)
            XCTAssertGreaterThan(singular.filter { $0 > 0.5 }.count, min(rows, columns) / 2)
            let transposed = (0..<(columns * rows)).map { g[($0 % rows) * columns + $0 / rows] }
            let xt = ZOMuon.newtonSchulz(transposed, rows: columns, columns: rows)
            for i in 0..<rows { for j in 0..<columns { XCTAssertEqual(xt[j * rows + i], x[i * columns + j]) } }
        }
    }

    /// One step (two-point and one-sided) against θ' = θ − η·P·NS((1/N)Σ gᵢUᵢ) on matrices and
    /// θ − η_v·(1/N)Σ gᵢzᵢ elsewhere, with P, U, z read from their streams and the losses from the oracle.
    func checkOneStep(directions: Int) throws {
        let arena = makeSmallArena()
        fillArena(arena, seed: 8)
        let parameters = TrainableSet(arena: arena)
        let oracle = QuadraticOracle(parameters: parameters, seed: 12)
        let epsilon: Float = 1e-2, learningRate: Float = 0.05, vectorRate: Float = 0.02
        let muon = ZOMuon(configuration: .init(
            epsilon: epsilon, rank: 3, window: 10, directions: directions, vectorLearningRate: vectorRate, weightDecay: 0.5))
        let runSeed: UInt64 = 99, step = 4
        let start = flatValues(parameters)
        var state = try muon.makeState(for: parameters, runSeed: runSeed)
        let context = StepContext(step: step, totalSteps: 10, learningRate: learningRate, runSeed: runSeed)
        let outcome = try muon.step(parameters, state: &state, context: context, oracle: oracle)
        let after = flatValues(parameters)
        setFlatValues(parameters, start)

        // Expected, from the streams. P is the estimator's (checked: orthonormal columns spanning
        // the Gaussian matrix z(basisSeed, tensor, .basisRows) read column-major).
        let basisSeed = SeedDerivation.derive(runSeed, .subspaceBasis, 0)
        let seeds = (0..<directions).map { SeedDerivation.derive(runSeed, .direction, step, $0) }
        var offsets: [Int] = [], position = 0
        for tensor in parameters.tensors { offsets.append(position); position += tensor.entry.count }
        func projection(_ tensor: TrainableTensor) -> Matrix? {
            guard let (m, _) = tensor.matrixShape, let own = state.projections[tensor.index] else { return nil }
            let r = own.count / m
            let p = Matrix(rows: m, columns: r, values: own.map(Double.init))
            let gram = p.transposed * p
            for i in 0..<r { for j in 0..<r { XCTAssertEqual(gram.values[i * r + j], i == j ? 1 : 0, accuracy: 1e-5) } }
            let gaussian = GaussianStream(seed: basisSeed, tensor: tensor.index, kind: .basisRows).normals(0..<(m * r))
            let g = Matrix(rows: m, columns: r, values: (0..<(m * r)).map { Double(gaussian[($0 % r) * m + $0 / r]) })
            let residual = g.values.indices.map { g.values[$0] - (p * (p.transposed * g)).values[$0] }
            XCTAssertLessThan(residual.map(abs).max()!, 1e-4)
            return p
        }
        func direction(_ seed: UInt64) -> [Double] {
            var out = [Double](repeating: 0, count: position)
            for tensor in parameters.tensors {
                if let p = projection(tensor) {
                    let n = tensor.matrixShape!.columns, r = p.columns
                    let u = Matrix(rows: r, columns: n, values: GaussianStream(seed: seed, tensor: tensor.index, kind: .coefficients).normals(0..<(r * n)).map(Double.init))
                    let pu = p * u
                    for k in 0..<pu.values.count { out[offsets[tensor.index] + k] = pu.values[k] }
                } else {
                    let z = GaussianStream(seed: seed, tensor: tensor.index).normals(0..<tensor.entry.count)
                    for k in z.indices { out[offsets[tensor.index] + k] = Double(z[k]) }
                }
            }
            return out
        }
        let lossAt = { (point: [Double]) -> Double in
            setFlatValues(parameters, point.map { Float($0) })
            defer { setFlatValues(parameters, start) }
            return Double(try! oracle.loss())
        }
        let theta = start.map(Double.init)
        let dirs = seeds.map(direction)
        let gradients: [Double] = directions == 1
            ? [(lossAt(zip(theta, dirs[0]).map { $0 + 0.01 * $1 }) - lossAt(zip(theta, dirs[0]).map { $0 - 0.01 * $1 })) / 0.02]
            : dirs.map { d in (lossAt(zip(theta, d).map { $0 + 0.01 * $1 }) - lossAt(theta)) / 0.01 }
        var expected = theta
        for tensor in parameters.tensors {
            let base = offsets[tensor.index], count = tensor.entry.count
            if let p = projection(tensor) {
                let n = tensor.matrixShape!.columns, r = p.columns
                var m = [Float](repeating: 0, count: r * n)
                for (seed, g) in zip(seeds, gradients) {
                    let u = GaussianStream(seed: seed, tensor: tensor.index, kind: .coefficients).normals(0..<(r * n))
                    for k in m.indices { m[k] += Float(g / Double(directions)) * u[k] }
                }
                let orthogonal = Matrix(rows: r, columns: n, values: ZOMuon.newtonSchulz(m, rows: r, columns: n).map(Double.init))
                let change = p * orthogonal
                for k in 0..<count {
                    expected[base + k] = theta[base + k] * (1 - Double(learningRate) * 0.5) - Double(learningRate) * change.values[k]
                }
            } else {
                for k in 0..<count {
                    let g = zip(dirs, gradients).reduce(0.0) { $0 + $1.1 * $1.0[base + k] } / Double(directions)
                    expected[base + k] = theta[base + k] - Double(vectorRate) * g
                }
            }
        }
        XCTAssertFalse(outcome.record.skipped)
        XCTAssertEqual(outcome.forwardPasses, directions == 1 ? 2 : directions + 1)
        for (a, b) in zip(outcome.record.gradients, gradients) { XCTAssertEqual(Double(a), b, accuracy: 2e-3 * max(1, abs(b))) }
        var worst = 0.0, moved = 0.0
        for i in after.indices {
            worst = max(worst, abs(Double(after[i]) - expected[i]))
            moved = max(moved, abs(expected[i] - theta[i]))
        }
        print("ZO-Muon one step (N = \(directions)): max |θ' − rule| = \(worst), largest move \(moved)")
        XCTAssertGreaterThan(moved, 1e-3)
        XCTAssertLessThan(worst, 2e-5)
    }

    func testTwoPointStepFollowsTheAuthorsUpdateRule() throws { try checkOneStep(directions: 1) }
    func testOneSidedStepFollowsTheAuthorsUpdateRule() throws { try checkOneStep(directions: 3) }

    /// Without orthogonalisation (and η_v = η) the mean step is E[g·P U] = P Pᵀ G on matrices, G elsewhere.
    func testPlainEstimateIsTheGradientProjectedOnTheColumnSpaces() throws {
        let arena = makeSmallArena()
        fillArena(arena, seed: 5)
        let parameters = TrainableSet(arena: arena)
        let oracle = QuadraticOracle(parameters: parameters, seed: 9)
        let muon = ZOMuon(configuration: .init(epsilon: 1e-2, rank: 3, window: 1_000_000, orthogonalization: .none, vectorLearningRate: 1))
        var state = try muon.makeState(for: parameters, runSeed: 77)
        let start = flatValues(parameters)
        let gradient = oracle.gradient()
        var sum = [Double](repeating: 0, count: start.count)
        let samples = 3000
        for step in 0..<samples {
            setFlatValues(parameters, start)
            let context = StepContext(step: step, totalSteps: 1_000_000, learningRate: 1, runSeed: 77)
            _ = try muon.step(parameters, state: &state, context: context, oracle: oracle)
            let after = flatValues(parameters)
            for i in sum.indices { sum[i] -= (Double(after[i]) - Double(start[i])) / Double(samples) }
        }
        setFlatValues(parameters, start)
        var expected = gradient, position = 0
        for tensor in parameters.tensors {
            defer { position += tensor.entry.count }
            guard let (m, n) = tensor.matrixShape, let p = state.projections[tensor.index] else { continue }
            let r = p.count / m
            let pm = Matrix(rows: m, columns: r, values: p.map(Double.init))
            let g = Matrix(rows: m, columns: n, values: Array(gradient[position..<(position + m * n)]))
            let projected = pm * (pm.transposed * g)
            for k in 0..<(m * n) { expected[position + k] = projected.values[k] }
        }
        let c = cosine(sum, expected)
        print("ZO-Muon (plain, r = 3): cos(mean estimate, P Pᵀ ∇L) = \(c); with ∇L = \(cosine(sum, gradient))")
        XCTAssertGreaterThan(c, 0.9)
    }
}
