import Foundation
import XCTest
import ZOEstimators
import ZOTensor

/// L(θ) = ½ Σ a_i (θ_i − b_i − s·sin(0.7·batch + i))² over all trainable elements, in double
/// precision; gradient a ⊙ (θ − b) at batch shift s = 0. `advanceBatch` moves the batch (only
/// matters when `batchShift` ≠ 0), `nonFiniteAtCall` injects a NaN loss.
final class QuadraticOracle: LossOracle {
    let parameters: TrainableSet
    var curvature: [Double]
    var target: [Double]
    var batch = 0
    var batchShift = 0.0
    var calls = 0
    var nonFiniteAtCalls: Set<Int> = []

    init(parameters: TrainableSet, seed: UInt64, curvatureRange: ClosedRange<Double> = 0.5...2, targetScale: Double = 1) {
        self.parameters = parameters
        var rng = SplitMix(seed)
        let count = parameters.parameterCount
        curvature = (0..<count).map { _ in curvatureRange.lowerBound + rng.unit() * (curvatureRange.upperBound - curvatureRange.lowerBound) }
        target = (0..<count).map { _ in (rng.unit() * 2 - 1) * targetScale }
    }

    func loss() throws -> Float {
        defer { calls += 1 }
        if nonFiniteAtCalls.contains(calls) { return .nan }
        var sum = 0.0, i = 0
        for tensor in parameters.tensors {
            let p = parameters.pointer(tensor)
            for k in 0..<tensor.entry.count {
                let shift = batchShift == 0 ? 0 : batchShift * sin(0.7 * Double(batch) + Double(i))
                let d = Double(p[k]) - target[i] - shift
                sum += 0.5 * curvature[i] * d * d
                i += 1
            }
        }
        return Float(sum)
    }

    func advanceBatch() throws { batch += 1 }

    /// ∇L at the current weights (batch shift 0), flattened in trainable order.
    func gradient() -> [Double] {
        let values = flatValues(parameters)
        return values.indices.map { curvature[$0] * (Double(values[$0]) - target[$0]) }
    }
}

struct SplitMix {
    var state: UInt64
    init(_ seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
}

/// A small model-shaped arena: an embedding, two attention projections (k, v), a norm gain, a bias.
func makeSmallArena() -> WeightArena {
    WeightArena([
        ParameterSpec(name: "model.embed_tokens.weight", shape: [16, 6], role: .embedding, layer: nil, kind: .tokenEmbedding, activationUse: .lookup),
        ParameterSpec(name: "model.layers.0.self_attn.k_proj.weight", shape: [12, 10], role: .matrix, layer: 0, kind: .key, activationUse: .everyToken),
        ParameterSpec(name: "model.layers.0.self_attn.v_proj.weight", shape: [8, 10], role: .matrix, layer: 0, kind: .value, activationUse: .everyToken),
        ParameterSpec(name: "model.layers.0.input_layernorm.weight", shape: [10], role: .norm, layer: 0, kind: .norm, activationUse: []),
        ParameterSpec(name: "model.layers.0.mlp.down_proj.bias", shape: [12], role: .bias, layer: 0, kind: .down, activationUse: []),
    ])
}

/// A SmolLM2-135M-shaped arena (30 layers, d 576, FFN 1536, GQA k/v 192, embedding 49152×576):
/// 134.5 M parameters.
func smolLM2ShapedArena() -> WeightArena {
    var specs = [ParameterSpec(name: "model.embed_tokens.weight", shape: [49152, 576], role: .embedding, layer: nil, kind: .tokenEmbedding, activationUse: .lookup)]
    for layer in 0..<30 {
        let p = "model.layers.\(layer)."
        specs += [
            ParameterSpec(name: p + "input_layernorm.weight", shape: [576], role: .norm, layer: layer, kind: .norm, activationUse: []),
            ParameterSpec(name: p + "self_attn.q_proj.weight", shape: [576, 576], role: .matrix, layer: layer, kind: .query, activationUse: .everyToken),
            ParameterSpec(name: p + "self_attn.k_proj.weight", shape: [192, 576], role: .matrix, layer: layer, kind: .key, activationUse: .everyToken),
            ParameterSpec(name: p + "self_attn.v_proj.weight", shape: [192, 576], role: .matrix, layer: layer, kind: .value, activationUse: .everyToken),
            ParameterSpec(name: p + "self_attn.o_proj.weight", shape: [576, 576], role: .matrix, layer: layer, kind: .attentionOutput, activationUse: .everyToken),
            ParameterSpec(name: p + "post_attention_layernorm.weight", shape: [576], role: .norm, layer: layer, kind: .norm, activationUse: []),
            ParameterSpec(name: p + "mlp.gate_proj.weight", shape: [1536, 576], role: .matrix, layer: layer, kind: .gate, activationUse: .everyToken),
            ParameterSpec(name: p + "mlp.up_proj.weight", shape: [1536, 576], role: .matrix, layer: layer, kind: .up, activationUse: .everyToken),
            ParameterSpec(name: p + "mlp.down_proj.weight", shape: [576, 1536], role: .matrix, layer: layer, kind: .down, activationUse: .everyToken),
        ]
    }
    specs.append(ParameterSpec(name: "model.norm.weight", shape: [576], role: .norm, layer: nil, kind: .norm, activationUse: []))
    return WeightArena(specs)
}


func fillArena(_ arena: WeightArena, seed: UInt64, scale: Float = 0.5) {
    var rng = SplitMix(seed)
    for entry in arena.entries {
        let values = arena.values(entry)
        for k in values.indices { values[k] = Float(rng.unit() * 2 - 1) * scale }
    }
}

func flatValues(_ parameters: TrainableSet) -> [Float] {
    parameters.tensors.flatMap { Array(parameters.arena.values($0.entry)) }
}

func setFlatValues(_ parameters: TrainableSet, _ values: [Float]) {
    var i = 0
    for tensor in parameters.tensors {
        let p = parameters.pointer(tensor)
        for k in 0..<tensor.entry.count {
            p[k] = values[i]
            i += 1
        }
    }
}

/// Every byte of the arena's storage (padding included).
func arenaBytes(_ arena: WeightArena) -> [UInt32] {
    Array(UnsafeBufferPointer(start: arena.storage.pointer, count: arena.storage.count)).map(\.bitPattern)
}

func copyArena(_ source: WeightArena, into destination: WeightArena) {
    destination.storage.pointer.update(from: source.storage.pointer, count: source.storage.count)
}

func cosine(_ a: [Double], _ b: [Double]) -> Double {
    var dot = 0.0, na = 0.0, nb = 0.0
    for i in a.indices {
        dot += a[i] * b[i]
        na += a[i] * a[i]
        nb += b[i] * b[i]
    }
    return dot / (na.squareRoot() * nb.squareRoot())
}

/// Anchors (θ₀) for DiZO's projected tensors from the arena's current values.
func setAnchors<E: ZerothOrderEstimator>(_ estimator: E, _ parameters: TrainableSet) {
    for tensor in estimator.anchorTensors(in: parameters) {
        parameters.setAnchor(tensor, values: parameters.pointer(tensor))
    }
}

/// Test configurations of the four methods, small enough for the 318-parameter arena and with
/// windows/intervals short enough that a few steps cross them.
enum TestEstimators {
    static func mezo(directions: Int = 1, weightDecay: Float = 0) -> MeZO {
        MeZO(configuration: .init(epsilon: 1e-3, directions: directions, weightDecay: weightDecay))
    }

    static func subZero(refresh: Int = 4, weightDecay: Float = 0) -> SubZero {
        SubZero(configuration: .init(epsilon: 1e-3, rank: 3, window: refresh, weightDecay: weightDecay))
    }

    static func diZO(interval: Int = 3, iterations: Int = 4) -> DiZO {
        DiZO(configuration: .init(epsilon: 1e-3, directions: 1, projectionInterval: interval, projectionIterations: iterations))
    }

    static func pgap(
        window: Int = 4, schedule: PGAP.AlignmentSchedule = .linearDecay, weightDecay: Float = 0, cosine: Float? = nil
    ) -> PGAP {
        PGAP(configuration: .init(
            epsilon: 1e-3, rank: 3, window: window, probes: 6, alignment: cosine ?? 2,
            alignmentSchedule: schedule, alignmentMode: cosine.map { _ in .cosine }, weightDecay: weightDecay))
    }

    static func zoMuon(directions: Int = 1) -> ZOMuon {
        ZOMuon(configuration: .init(epsilon: 1e-3, rank: 3, window: 4, directions: directions, vectorLearningRate: 1e-3, weightDecay: 0.1))
    }

    static func fzoo(directions: Int = 4) -> FZOO {
        FZOO(configuration: .init(epsilon: 1e-3, directions: directions))
    }
}
