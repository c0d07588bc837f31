import ZOFormats
import ZOTensor

extension LoRAAdapter {
    /// Whether a stored tensor name is one of a LoRA pair (`….lora_A.weight` or `….lora_B.weight`).
    public static func isPairTensor(_ name: String) -> Bool {
        name.hasSuffix(downSuffix) || name.hasSuffix(upSuffix)
    }

    /// An adapter read from stored pairs (`<module>.lora_A.weight`, `<module>.lora_B.weight`, names as
    /// in `base`), decoded and checked: every pair complete, on a linear weight of `base`, with the
    /// shapes that weight needs and one rank; no tensor left unused. Not attached.
    public convenience init(loading tensors: [String: StoredTensor], alpha: Float, onto base: WeightArena, source: String) throws {
        var modules: [String: Int] = [:]
        for name in tensors.keys.sorted() {
            guard Self.isPairTensor(name) else {
                throw AdapterError.mismatch(path: source, reason: "it holds \(name), which is not a LoRA A or B weight")
            }
            let module = String(name.dropLast(Self.downSuffix.count))
            guard let index = base.index(of: module + ".weight"), Self.isLinear(base.entries[index]) else {
                throw AdapterError.mismatch(path: source, reason: "\(name) adapts \(module), which this model has no linear weight of")
            }
            for suffix in [Self.downSuffix, Self.upSuffix] where tensors[module + suffix] == nil {
                throw AdapterError.mismatch(path: source, reason: "\(module + suffix) is missing (LoRA needs both A and B)")
            }
            modules[module] = index
        }
        guard let first = modules.keys.sorted().first, let firstA = tensors[first + Self.downSuffix], firstA.shape.count == 2 else {
            throw AdapterError.mismatch(path: source, reason: "it holds no LoRA weights")
        }
        let rank = firstA.shape[0]
        guard rank >= 1 else { throw AdapterError.mismatch(path: source, reason: "\(first + Self.downSuffix) has rank 0") }
        let kinds = Set(modules.values.flatMap { base.entries[$0].kind.parts }).map(\.rawValue).sorted()
        do {
            try self.init(base: base, targets: modules.values.sorted(), settings: LoRASettings(rank: rank, alpha: alpha, targets: kinds))
        } catch AdapterError.rankTooLarge(let rank, let weight, let inputs, let outputs) {
            throw AdapterError.mismatch(path: source, reason: "its rank \(rank) exceeds \(weight) (\(inputs) × \(outputs))")
        }
        for entry in weights.entries {
            let tensor = tensors[entry.name]!
            guard tensor.shape == entry.shape else {
                throw AdapterError.mismatch(
                    path: source, reason: "\(entry.name) has shape \(tensor.shape) where this model needs \(entry.shape)"
                        + (tensor.shape.count == 2 && tensor.shape[entry.name.hasSuffix(Self.downSuffix) ? 0 : 1] != rank
                            ? " (pairs of different ranks are not supported)" : ""))
            }
            let values = weights.values(entry)
            try tensor.decodeAndRelease(into: values)
            if let index = NonFiniteScan.firstIndex(in: UnsafeBufferPointer(values)) {
                throw AdapterError.mismatch(path: source, reason: "\(entry.name) holds \(values[index]) at element \(index)")
            }
        }
    }
}
