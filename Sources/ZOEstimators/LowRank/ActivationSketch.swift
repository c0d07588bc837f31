import Foundation
import ZORandom
import ZOTensor

/// Where a low-rank method's per-window subspace comes from (`--subspace-source`).
public enum SubspaceSource: String, Codable, Sendable, CaseIterable, SettingValue {
    /// Q factors of Gaussian matrices (SubZero's default).
    case random
    /// The top-r singular subspace of a gradient estimate from dense probes (P-GAP's default).
    case probes
    /// On the input side of every linear weight, the top-r right singular vectors of the activations
    /// it multiplies on the window's first training batch (AGZO, arXiv 2601.17261: a linear layer's
    /// weight gradient Σ δₜxₜᵀ lies in the span of its inputs xₜ). SubZero keeps the output side
    /// random; P-GAP factors its probe estimate inside that span (`ActivationProjection`).
    case activations
}

/// Orthonormal bases of the span of each linear weight's input activations, taken during one forward
/// pass of the training batch: for the T×n input X of a weight, Q ← orth(Ω) with Ω Gaussian n×r,
/// then `powerIterations` times Q ← orth(Xᵀ(X·Q)) (subspace iteration on XᵀX, whose top eigenvectors
/// are X's top right singular vectors). Each weight's X is used while the forward holds it, so nothing
/// of the activations is kept: only the n×r bases.
///
/// The bases depend on the weights at the window's start, which a replay does not recompute (it
/// runs no forward): they travel in the window's first seed-log record (`attachment`) and in the
/// checkpointed estimator state.
public enum ActivationSketch {
    /// Rank and input width of every tensor to sketch, by arena index.
    public struct Target: Sendable {
        public let index: Int
        public let inputs: Int
        public let rank: Int

        public init(index: Int, inputs: Int, rank: Int) {
            self.index = index
            self.inputs = inputs
            self.rank = rank
        }
    }

    /// Runs one forward of the oracle's current batch at the current weights with an observer on
    /// every linear weight, and returns each target's basis (row-major inputs × rank) with the
    /// forward's loss. A target the forward never multiplied is left out (it keeps a random basis).
    public static func collect(
        _ targets: [Target], arena: WeightArena, powerIterations: Int, seed: UInt64, oracle: LossOracle
    ) throws -> (bases: [Int: [Float]], loss: Float) {
        let byIndex = Dictionary(uniqueKeysWithValues: targets.map { ($0.index, $0) })
        var bases: [Int: [Float]] = [:]
        var failure: Error?
        arena.inputObserver = { index, input, rows in
            guard failure == nil, bases[index] == nil, let target = byIndex[index] else { return }
            do {
                bases[index] = try basis(
                    of: input, rows: rows, inputs: target.inputs, rank: target.rank, powerIterations: powerIterations,
                    start: GaussianStream(seed: seed, tensor: index, kind: .sketch))
            } catch {
                failure = error
            }
        }
        defer { arena.inputObserver = nil }
        let loss = try oracle.loss()
        if let failure { throw failure }
        return (bases, loss)
    }

    /// Row-major `inputs × rank` orthonormal basis of the dominant right singular subspace of the
    /// row-major `rows × inputs` matrix at `input`.
    public static func basis(
        of input: UnsafePointer<Float>, rows: Int, inputs: Int, rank: Int, powerIterations: Int, start: GaussianStream
    ) throws -> [Float] {
        precondition(rank > 0 && rank <= inputs && rows > 0)
        // Column-major n×r throughout; the row-major T×n input is the column-major n×T matrix Xc.
        var q = start.normals(0..<(inputs * rank))
        try DenseFactorizations.orthonormalizeColumns(&q, rows: inputs, columns: rank)
        var projected = [Float](repeating: 0, count: rows * rank)
        for _ in 0..<powerIterations {
            DenseFactorizations.singleThreaded {
                q.withUnsafeMutableBufferPointer { q in
                    projected.withUnsafeMutableBufferPointer { p in
                        // P = X·Q (T×r) = Xcᵀ·Q, then Q = Xᵀ·P = Xc·P.
                        BLAS.sgemm(transposeA: true, m: rows, n: rank, k: inputs, a: input, lda: inputs,
                                   b: q.baseAddress!, ldb: inputs, c: p.baseAddress!, ldc: rows)
                        BLAS.sgemm(m: inputs, n: rank, k: rows, a: input, lda: inputs,
                                   b: p.baseAddress!, ldb: rows, c: q.baseAddress!, ldc: inputs)
                    }
                }
            }
            guard q.allSatisfy(\.isFinite) else { throw EstimatorError.nonFiniteActivations }
            try DenseFactorizations.orthonormalizeColumns(&q, rows: inputs, columns: rank)
        }
        return LowRankBasis.transposed(q, rows: inputs, columns: rank)
    }

    /// The bases of `order` as one blob for the seed log and the checkpoint: per tensor its index and
    /// float count (Int32), then its floats (Float32), all little-endian.
    public static func encode(_ bases: [Int: [Float]], order: [Int]) -> Data {
        var data = Data()
        func append<T>(_ value: T) { withUnsafeBytes(of: value) { data.append(contentsOf: $0) } }
        for index in order {
            guard let basis = bases[index] else { continue }
            append(Int32(index).littleEndian)
            append(Int32(basis.count).littleEndian)
            for value in basis { append(value.bitPattern.littleEndian) }
        }
        return data
    }

    /// The bases a checkpoint or seed-log record holds for `targets`, refused in one sentence when
    /// they do not fit them (a blob cut short, or from another model).
    public static func decode(_ data: Data, for targets: [Target]) throws -> [Int: [Float]] {
        guard let bases = decode(data, expected: Dictionary(uniqueKeysWithValues: targets.map { ($0.index, $0.inputs * $0.rank) })) else {
            throw EstimatorError.recordMismatch("the activation bases held do not fit this model's tensors")
        }
        return bases
    }

    /// Inverse of `encode`; nil when the blob is cut short or, given `expected` (floats per tensor
    /// index), names a tensor or size it should not.
    public static func decode(_ data: Data, expected: [Int: Int]? = nil) -> [Int: [Float]]? {
        let bytes = [UInt8](data)
        var offset = 0
        func word() -> UInt32? {
            guard bytes.count - offset >= 4 else { return nil }
            defer { offset += 4 }
            return (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * UInt32($1)) }
        }
        var bases: [Int: [Float]] = [:]
        while offset < bytes.count {
            guard let index = word().map({ Int(Int32(bitPattern: $0)) }), let count = word().map({ Int(Int32(bitPattern: $0)) }),
                  count >= 0, expected.map({ $0[index] == count }) ?? true, bases[index] == nil,
                  bytes.count - offset >= count * 4 else { return nil }
            bases[index] = (0..<count).map { _ in Float(bitPattern: word()!) }
        }
        return bases
    }
}

extension ActivationSketch {
    /// The tensors whose input side a sketch spans: 2-D weights a linear map multiplies (not
    /// embeddings, whose gradient rows are the looked-up tokens', nor adapter tensors, which the
    /// low-rank methods see as their near-square reshape), with their input width and rank.
    static func targets(of parameters: TrainableSet, rank: Int) -> [Target] {
        parameters.tensors.compactMap { tensor in
            let entry = tensor.entry
            guard tensor.matrixShape != nil, entry.role != .embedding && entry.role != .adapter,
                  !entry.activationUse.contains(.lookup) else { return nil }
            let (inputs, _) = entry.layout.features(of: entry.shape)
            return Target(index: tensor.index, inputs: inputs, rank: min(rank, entry.shape[0], entry.shape[1]))
        }
    }

    /// Sketches every target of `parameters` during one forward of the oracle's current batch and
    /// returns the blob the window's first seed-log record and the checkpoint carry.
    static func take(
        _ parameters: TrainableSet, rank: Int, powerIterations: Int, seed: UInt64, oracle: LossOracle
    ) throws -> Data {
        let targets = targets(of: parameters, rank: rank)
        let (bases, _) = try collect(targets, arena: parameters.arena, powerIterations: powerIterations, seed: seed, oracle: oracle)
        return encode(bases, order: targets.map(\.index))
    }

    /// The bases a held blob gives `parameters`' targets (refused when they do not fit).
    static func decode(_ data: Data, parameters: TrainableSet, rank: Int) throws -> [Int: [Float]] {
        try decode(data, for: targets(of: parameters, rank: rank))
    }
}
