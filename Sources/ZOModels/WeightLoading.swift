import ZOFormats
import ZOTensor

/// Fills an arena from stored tensors, strictly: every arena entry must be present with the right
/// shape, and every stored tensor must be used unless the family declares it ignorable (buffers
/// such as `rotary_emb.inv_freq`, a head tied to the embedding). A checkpoint that does not match
/// the architecture is an error, never a silently half-loaded model. Entries in `initialisedByModel`
/// (a new classification head) are left for the model to fill.
public enum WeightLoading {
    /// `storedTransposed`: 2-D arena entries whose stored tensor is their transpose (llama.cpp's GPT-2
    /// files hold the Conv1D weights as outputs × inputs while the arena keeps HF's inputs × outputs);
    /// such a tensor must have the reversed shape, and is decoded (dequantized) first, then transposed
    /// once into the arena.
    public static func fill(
        _ arena: WeightArena, from tensors: [String: StoredTensor], source: String,
        ignoring isIgnorable: (String) -> Bool = { _ in false }, initialisedByModel: Set<String> = [],
        storedTransposed: Set<String> = [],
        prepare: (String, UnsafeMutableBufferPointer<Float>) -> Void = { _, _ in }
    ) throws {
        for name in tensors.keys.sorted() where arena.entry(named: name) == nil && !isIgnorable(name) {
            throw ModelError.unusedWeight(name: name, source: source)
        }
        for entry in arena.entries where !initialisedByModel.contains(entry.name) {
            guard let tensor = tensors[entry.name] else { throw ModelError.missingWeight(name: entry.name, source: source) }
            let transposed = storedTransposed.contains(entry.name) && entry.shape.count == 2
            let storedShape = transposed ? entry.shape.reversed() : entry.shape
            guard tensor.shape == storedShape else {
                throw ModelError.wrongShape(name: entry.name, expected: storedShape, actual: tensor.shape)
            }
            let destination = arena.values(entry)
            if transposed {
                try decodeTransposed(tensor, into: destination, rows: storedShape[0], columns: storedShape[1])
            } else {
                try tensor.decodeAndRelease(into: destination)
            }
            prepare(entry.name, destination)
        }
    }

    /// destination[c][r] = stored[r][c] for a stored `[rows × columns]` tensor.
    private static func decodeTransposed(
        _ tensor: StoredTensor, into destination: UnsafeMutableBufferPointer<Float>, rows: Int, columns: Int
    ) throws {
        var stored = [Float](repeating: 0, count: rows * columns)
        try stored.withUnsafeMutableBufferPointer { try tensor.decodeAndRelease(into: $0) }
        for r in 0..<rows {
            for c in 0..<columns { destination[c * rows + r] = stored[r * columns + c] }
        }
    }
}
