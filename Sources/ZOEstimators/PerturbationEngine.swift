import Dispatch
import ZORandom
import ZOTensor

/// One dense sweep over a set of tensors: θ_t ← κ_t·θ_t + Σ_j c_{t,j}·z(seed_j, t) for every tensor t.
///
/// MeZO's three sweeps are `DenseSweep(seed, +ε)`, `(seed, −2ε)` and the fused restore-and-update
/// `(seed, ε − ηg)`; n-SPSA and P-GAP's probe averaging use several seeds in one pass.
public struct DenseSweep: Sendable, Equatable {
    public var seeds: [UInt64]
    /// c_j for tensors without weight decay.
    public var coefficients: [Float]
    /// Weight decay for this sweep (only the update sweep has one), applied to `.matrix` and
    /// `.embedding` tensors only: never to norms or biases (MeZO's rule, selected by role).
    public var decay: WeightDecay?
    /// The directions' distribution: `.dense` (Gaussian) or `.rademacher` (signs).
    public var kind: GaussianStream.Kind

    public init(seeds: [UInt64], coefficients: [Float], decay: WeightDecay? = nil, kind: GaussianStream.Kind = .dense) {
        precondition(seeds.count == coefficients.count)
        precondition(decay.map { $0.coefficients.count == seeds.count } ?? true)
        precondition(kind == .dense || kind == .rademacher)
        self.seeds = seeds
        self.coefficients = coefficients
        self.decay = decay
        self.kind = kind
    }

    public init(seed: UInt64, coefficient: Float, kind: GaussianStream.Kind = .dense) {
        self.init(seeds: [seed], coefficients: [coefficient], kind: kind)
    }
}

/// θ ← factor·θ + Σ_j coefficients[j]·z_j on the tensors weight decay applies to.
///
/// MeZO's decayed update is θ ← θ − η(g·z + λθ) at the restored point θ. Fused into the sweep that
/// starts from θ − εz, that is (θ − εz)·(1 − ηλ) + (ε(1 − ηλ) − ηg)·z: `factor` = 1 − ηλ and the
/// restore part of the coefficient is scaled by it too (`MeZOUpdate` builds both).
public struct WeightDecay: Sendable, Equatable {
    public var factor: Float
    public var coefficients: [Float]

    public init(factor: Float, coefficients: [Float]) {
        self.factor = factor
        self.coefficients = coefficients
    }

    /// Decay applies to weight matrices, embeddings and adapter tensors, never to norm gains or biases.
    public static func applies(to role: ParameterRole) -> Bool { role == .matrix || role == .embedding || role == .adapter }
}

/// Runs dense sweeps over the arena, split across cores.
///
/// Work is cut into `workerCount` contiguous shares of the concatenated elements (equal sizes,
/// whatever the tensor boundaries), run by `DispatchQueue.concurrentPerform`: a sweep over a real
/// model is tens of milliseconds, far above the ≈ 0.1 ms below which concurrentPerform stays serial
/// (compute.md §6). Results do not depend on the split (counter-based z, per-element arithmetic).
public struct PerturbationEngine: Sendable {
    public var workerCount: Int
    /// Sweeps over fewer elements run on the calling thread only.
    public var minimumParallelCount: Int

    public init(workerCount: Int = BLAS.workerCount, minimumParallelCount: Int = 1 << 17) {
        self.workerCount = max(1, workerCount)
        self.minimumParallelCount = minimumParallelCount
    }

    /// Applies `sweep` to `tensors` (in place in the arena).
    public func apply(_ sweep: DenseSweep, to tensors: [TrainableTensor], in parameters: TrainableSet) {
        let jobs = tensors.map { tensor in
            Job(
                pointer: parameters.pointer(tensor), count: tensor.entry.count, tensor: tensor.index,
                decayed: sweep.decay != nil && WeightDecay.applies(to: tensor.entry.role))
        }
        run(jobs, sweep)
    }

    /// Applies `sweep` to a buffer that holds (or accumulates) tensor `tensorIndex`'s elements
    /// 0..<count, e.g. P-GAP's gradient estimate Σ c_j z_j/h built outside the arena.
    public func apply(_ sweep: DenseSweep, to buffer: UnsafeMutablePointer<Float>, count: Int, tensorIndex: Int) {
        run([Job(pointer: buffer, count: count, tensor: tensorIndex, decayed: false)], sweep)
    }

    /// The same for elements `elements` of the tensor only, held in `buffer[0..<elements.count]`: a
    /// block of an estimate too large to hold whole (P-GAP's embedding). Equal, element for element,
    /// to the whole tensor's sweep.
    public func apply(_ sweep: DenseSweep, to buffer: UnsafeMutablePointer<Float>, elements: Range<Int>, tensorIndex: Int) {
        run([Job(pointer: buffer - elements.lowerBound, count: elements.count, tensor: tensorIndex, decayed: false,
                 first: elements.lowerBound)], sweep)
    }

    struct Job {
        /// Element 0 of the tensor (only elements `first ..< first + count` are touched).
        let pointer: UnsafeMutablePointer<Float>
        let count: Int
        let tensor: Int
        let decayed: Bool
        var first = 0
    }

    private func run(_ jobs: [Job], _ sweep: DenseSweep) {
        let total = jobs.reduce(0) { $0 + $1.count }
        guard total > 0, !sweep.seeds.isEmpty else { return }
        let workers = total >= minimumParallelCount ? min(workerCount, max(1, total / 4096)) : 1
        let share = ((total + workers - 1) / workers + 63) / 64 * 64
        let work = { (worker: Int) in
            let lower = worker * share, upper = min(total, lower + share)
            guard lower < upper else { return }
            var position = 0
            for job in jobs {
                let jobLower = max(lower, position) - position
                let jobUpper = min(upper, position + job.count) - position
                position += job.count
                guard jobLower < jobUpper else {
                    if position >= upper { break }
                    continue
                }
                Self.sweep(job, range: (job.first + jobLower)..<(job.first + jobUpper), sweep)
            }
        }
        if workers == 1 {
            work(0)
        } else {
            DispatchQueue.concurrentPerform(iterations: workers, execute: work)
        }
    }

    private static func sweep(_ job: Job, range: Range<Int>, _ sweep: DenseSweep) {
        let streams = sweep.seeds.map { GaussianStream(seed: $0, tensor: job.tensor, kind: sweep.kind) }
        let scale: Float = job.decayed ? sweep.decay!.factor : 1
        let coefficients = job.decayed ? sweep.decay!.coefficients : sweep.coefficients
        streams.withUnsafeBufferPointer { streams in
            coefficients.withUnsafeBufferPointer { coefficients in
                FusedGaussianUpdate.apply(
                    to: job.pointer, range: range, scale: scale, streams: streams, coefficients: coefficients)
            }
        }
    }
}
