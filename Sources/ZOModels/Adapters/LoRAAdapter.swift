import Foundation
import ZORandom
import ZOTensor

/// LoRA on a frozen base: one pair (A, B) per targeted linear weight, held in an arena of its own
/// (`weights`), which is what an estimator perturbs; the base arena only learns where to apply them
/// (`attach`). Tensor names are the base weight's with `.lora_A.weight` / `.lora_B.weight` in place
/// of `.weight` — PEFT's keys without its `base_model.model.` prefix — in the base's order, A then B.
public final class LoRAAdapter: Adapter {
    public let settings: LoRASettings
    /// A and B of every target (role `.adapter`, with the base weight's kind and layer).
    public let weights: WeightArena
    /// The adapted weights, in base order.
    public let targets: [Target]

    /// One adapted weight: its entry in the base arena and its pair in `weights`.
    public struct Target {
        public let base: ParameterEntry
        public let baseIndex: Int
        /// A, r × inputs.
        public let down: ParameterEntry
        /// B, outputs × r.
        public let up: ParameterEntry
    }

    /// The pair layout for `settings` on `base`: every linear weight (role `.matrix`) whose kind is a
    /// target. Refuses a target kind the model lacks and a rank above a target's dimensions.
    public convenience init(for base: WeightArena, settings: LoRASettings) throws {
        try settings.validate()
        let linear = base.entries.indices.filter { Self.isLinear(base.entries[$0]) }
        let available = Set(linear.flatMap { base.entries[$0].kind.parts })
        var kinds: Set<ParameterKind> = []
        for target in settings.targets {
            if target == LoRASettings.mlp {
                kinds.formUnion(LoRASettings.mlpKinds.filter(available.contains))
            } else if let kind = ParameterKind(rawValue: target), available.contains(kind) {
                kinds.insert(kind)
            } else {
                throw AdapterError.missingTarget(
                    kind: target, available: ParameterKind.allCases.filter(available.contains).map(\.rawValue))
            }
        }
        let chosen = linear.filter { base.entries[$0].kind.parts.contains(where: kinds.contains) }
        guard !chosen.isEmpty else {
            throw AdapterError.missingTarget(
                kind: settings.targets.joined(separator: ","), available: ParameterKind.allCases.filter(available.contains).map(\.rawValue))
        }
        try self.init(base: base, targets: chosen, settings: settings)
    }

    /// Pairs of rank `settings.rank` on the base entries at `targets` (linear weights, in base order).
    init(base: WeightArena, targets indices: [Int], settings: LoRASettings) throws {
        self.settings = settings
        var specs: [ParameterSpec] = []
        for index in indices {
            let entry = base.entries[index]
            precondition(Self.isLinear(entry), "LoRA on \(entry.name), which is no linear weight")
            let (inputs, outputs) = entry.layout.features(of: entry.shape)
            guard settings.rank <= min(inputs, outputs) else {
                throw AdapterError.rankTooLarge(rank: settings.rank, weight: entry.name, inputs: inputs, outputs: outputs)
            }
            let module = Self.moduleName(of: entry.name)
            func spec(_ suffix: String, _ shape: [Int]) -> ParameterSpec {
                ParameterSpec(name: module + suffix, shape: shape, role: .adapter, layer: entry.layer, kind: entry.kind,
                              activationUse: .everyToken)
            }
            specs += [spec(Self.downSuffix, [settings.rank, inputs]), spec(Self.upSuffix, [outputs, settings.rank])]
        }
        let weights = WeightArena(specs)
        self.weights = weights
        targets = indices.enumerated().map { position, index in
            Target(base: base.entries[index], baseIndex: index, down: weights.entries[2 * position],
                   up: weights.entries[2 * position + 1])
        }
    }

    /// Name endings of A and B after the module name (PEFT's, without the adapter name).
    public static let downSuffix = ".lora_A.weight"
    public static let upSuffix = ".lora_B.weight"

    /// Whether LoRA can adapt `entry`: a 2-D weight the forward multiplies activations by (not an
    /// embedding, norm or bias, which PEFT adapts otherwise or not at all).
    static func isLinear(_ entry: ParameterEntry) -> Bool {
        entry.role == .matrix && entry.shape.count == 2
    }

    /// The module a weight belongs to: its name without `.weight`.
    static func moduleName(of weightName: String) -> String {
        weightName.hasSuffix(".weight") ? String(weightName.dropLast(".weight".count)) : weightName
    }

    /// α / r.
    public var scale: Float { settings.alpha / Float(settings.rank) }

    /// B starts at 0.
    public var startsAtBase: Bool { true }

    public var summary: String {
        "LoRA adapter: \(targets.count) weights, rank \(settings.rank), α \(settings.alpha)"
    }

    public func writePEFT(to folder: URL, baseModel: String, causalLanguageModel: Bool) throws {
        try PEFTAdapterFolder.write(self, baseModel: baseModel, causalLanguageModel: causalLanguageModel, to: folder)
    }

    /// PEFT's initialisation: A ~ U(−1/√inputs, 1/√inputs) (its `kaiming_uniform_(a=√5)`), B = 0, so
    /// the adapted model starts equal to the base. The draws are a function of `seed` alone.
    public func initialise(seed: UInt64) {
        for target in targets {
            let index = weights.index(of: target.down.name)!
            let stream = GaussianStream(seed: SeedDerivation.derive(seed, .adapterInitialisation, index), tensor: index)
            let bound = 1 / Float(target.down.shape[1]).squareRoot()
            let values = weights.values(target.down)
            for i in values.indices {
                // 24 uniform bits → [0, 1) → [−bound, bound).
                let unit = Float(stream.bits(at: i) >> 8) * 0x1p-24
                values[i] = (2 * unit - 1) * bound
            }
            weights.values(target.up).update(repeating: 0)
        }
    }

    /// Makes `base`'s forward apply every pair (the arena this adapter was laid out for).
    public func attach(to base: WeightArena) {
        for target in targets {
            base.setLoRA(LoRAFactors(owner: weights, down: target.down, up: target.up, scale: scale), for: target.baseIndex)
        }
    }

    /// Makes `base`'s forward plain again (the pairs stay in `weights`).
    public func detach(from base: WeightArena) {
        for target in targets { base.setLoRA(nil, for: target.baseIndex) }
    }

    /// The base's weights as the adapted forward uses them: W + (α/r)·B·A written into `base`
    /// (which then no longer needs the pairs: they are detached).
    public func merge(into base: WeightArena) {
        for target in targets {
            let factors = LoRAFactors(owner: weights, down: target.down, up: target.up, scale: scale)
            factors.fold(into: base.pointer(target.base), layout: target.base.layout)
            base.setLoRA(nil, for: target.baseIndex)
        }
    }

    /// What a checkpoint of `weights` records besides the tensors, so that it can be applied to the
    /// base on its own (`init(loading:)`): α (r is in the shapes).
    public var checkpointMetadata: [String: String] { [Self.alphaMetadataKey: String(settings.alpha)] }

    /// The safetensors metadata key holding α in ZOTune's adapter checkpoints.
    public static let alphaMetadataKey = "lora_alpha"
}
