import ZOFormats
import ZOTensor

/// Fills an arena from stored tensors, strictly: every arena entry must be present with the right
/// shape, and every stored tensor must be used unless the family declares it ignorable (buffers
/// such as `rotary_emb.inv_freq`, a head tied to the embedding). A checkpoint that does not match
/// the architecture is an error, never a silently half-loaded model. Entries in `initialisedByModel`
/// (a new classification head) are left for the model to fill.
public enum WeightLoading {
    public static func fill(
        _ arena: WeightArena, from tensors: [String: StoredTensor], source: String,
        ignoring isIgnorable: (String) -> Bool = { _ in false }, initialisedByModel: Set<String> = [],
        prepare: (String, UnsafeMutableBufferPointer<Float>) -> Void = { _, _ in }
    ) throws {
        for name in tensors.keys.sorted() where arena.entry(named: name) == nil && !isIgnorable(name) {
            throw ModelError.unusedWeight(name: name, source: source)
        }
        for entry in arena.entries where !initialisedByModel.contains(entry.name) {
            guard let tensor = tensors[entry.name] else { throw ModelError.missingWeight(name: entry.name, source: source) }
            guard tensor.shape == entry.shape else {
                throw ModelError.wrongShape(name: entry.name, expected: entry.shape, actual: tensor.shape)
            }
            let destination = arena.values(entry)
            try tensor.decodeAndRelease(into: destination)
            prepare(entry.name, destination)
        }
    }
}
