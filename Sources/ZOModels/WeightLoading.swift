import ZOFormats
import ZOTensor

/// Fills an arena from stored tensors, strictly: every arena entry must be present with the right
/// shape, and every stored tensor must be used unless the family declares it ignorable (buffers
/// such as `rotary_emb.inv_freq`, a head tied to the embedding). A checkpoint that does not match
/// the architecture is an error, never a silently half-loaded model. Entries in `initialisedByModel`
/// (a new classification head) are left for the model to fill. A weight holding NaN or ±∞ (a damaged
/// or diverged checkpoint) is refused: it would make every logit NaN.
///
/// The same matching runs twice: `check` on the layout a configuration declares, before the model
/// (and its arena) is built, so sizes a file claims are compared with the tensors it holds before
/// memory is taken for them; then `fill`, which decodes.
struct WeightLoading {
    let tensors: [String: StoredTensor]
    /// The folder or file the tensors come from, named in errors.
    let source: String
    /// The configuration key of the layer count (`num_hidden_layers`, `metadata llama.block_count`),
    /// named when the file lacks whole layers the configuration declares.
    let layerCountKey: String
    var isIgnorable: (String) -> Bool = { _ in false }
    var initialisedByModel: Set<String> = []
    /// 2-D arena entries whose stored tensor is their transpose (llama.cpp's GPT-2 files hold the
    /// Conv1D weights as outputs × inputs while the arena keeps HF's inputs × outputs); such a tensor
    /// must have the reversed shape, and is decoded (dequantized) first, then transposed once into
    /// the arena.
    var storedTransposed: Set<String> = []
    /// For `--base-precision stored`: the file row that holds a weight's row r, for weights whose rows
    /// the file orders otherwise (llama.cpp's permuted q/k); nil when they agree.
    var storedRowOrder: (String) -> ((Int) -> Int)? = { _ in nil }

    /// How the arena holds `spec` for a base loaded with `options`: vectors (norms, biases) in fp32;
    /// 2-D weights in fp32 or bfloat16 as asked, or, for `stored`, left in the file when its rows are
    /// the weight's output rows and decode alone (else bfloat16 when asked for, fp32 by default).
    func precision(for spec: ParameterSpec, options: ModelLoadOptions) -> StoragePrecision {
        let basePrecision = options.basePrecision
        guard spec.shape.count == 2, basePrecision != .float32, !initialisedByModel.contains(spec.name) else { return .float32 }
        guard basePrecision == .stored else { return basePrecision }
        let (inputs, _) = spec.layout.features(of: spec.shape)
        let fileRowsAreOutputs = (spec.layout == .outputsByInputs) != isTransposed(spec.name, shape: spec.shape)
        guard fileRowsAreOutputs, let tensor = tensors[spec.name], tensor.rowsDecodeAlone(columns: inputs) else {
            return options.basePrecisionIsDefault ? .float32 : .bfloat16
        }
        return .stored
    }

    /// Every check `fill` makes, on a layout: whole layers present, no unused tensor, every entry
    /// present with its shape. Takes no memory beyond the layout itself.
    func check(_ layout: [ParameterSpec]) throws {
        let declaredLayers = Set(layout.compactMap(\.layer))
        let presentLayers = Set(layout.lazy.filter { tensors[$0.name] != nil }.compactMap(\.layer))
        if presentLayers.count < declaredLayers.count {
            throw ModelError.missingLayers(
                key: layerCountKey, declared: declaredLayers.count, present: presentLayers.count, source: source)
        }
        let expected = Set(layout.map(\.name))
        for name in tensors.keys.sorted() where !expected.contains(name) && !isIgnorable(name) {
            throw ModelError.unusedWeight(name: name, source: source)
        }
        for spec in layout where !initialisedByModel.contains(spec.name) {
            _ = try storedTensor(spec.name, shape: spec.shape)
        }
    }

    /// Checks the arena's layout (`check`), then decodes every entry into it, refusing non-finite
    /// values (`NonFiniteScan`); `prepare` sees each entry once decoded.
    func fill(_ arena: WeightArena, prepare: (String, UnsafeMutableBufferPointer<Float>) -> Void = { _, _ in }) throws {
        try check(arena.entries.map(\.spec))
        for (index, entry) in arena.entries.enumerated() where !initialisedByModel.contains(entry.name) {
            let tensor = try storedTensor(entry.name, shape: entry.shape)
            if entry.precision == .stored {
                try tensor.requireDecodable()
                let (inputs, outputs) = entry.layout.features(of: entry.shape)
                guard let rows = StoredRows(tensor, rows: outputs, columns: inputs, rowOrder: storedRowOrder(entry.name)) else {
                    preconditionFailure("\(entry.name) was laid out as stored but its rows do not decode alone")
                }
                if let (at, value) = rows.firstNonFinite() {
                    throw ModelError.nonFiniteWeight(name: entry.name, index: at, value: value, source: source)
                }
                arena.setEncodedRows(rows, for: index)
                continue
            }
            // A narrow (bfloat16) entry is decoded into a scratch of its own size, then rounded: the
            // model never exists as a whole fp32 copy.
            let scratch = entry.precision == .float32 ? nil : FloatBuffer(count: entry.count)
            let destination = scratch?.buffer ?? arena.values(entry)
            if isTransposed(entry.name, shape: entry.shape) {
                try decodeTransposed(tensor, into: destination, rows: entry.shape[1], columns: entry.shape[0])
            } else {
                try tensor.decodeAndRelease(into: destination)
            }
            if let index = NonFiniteScan.firstIndex(in: UnsafeBufferPointer(destination)) {
                throw ModelError.nonFiniteWeight(name: entry.name, index: index, value: destination[index], source: source)
            }
            prepare(entry.name, destination)
            if let scratch { BFloat16.round(scratch.pointer, into: arena.narrowPointer(entry), count: entry.count) }
        }
    }

    private func isTransposed(_ name: String, shape: [Int]) -> Bool {
        storedTransposed.contains(name) && shape.count == 2
    }

    /// The stored tensor of arena entry `name`, which must have the entry's shape (reversed when stored
    /// transposed).
    private func storedTensor(_ name: String, shape: [Int]) throws -> StoredTensor {
        guard let tensor = tensors[name] else { throw ModelError.missingWeight(name: name, source: source) }
        let storedShape = isTransposed(name, shape: shape) ? shape.reversed() : shape
        guard tensor.shape == storedShape else {
            throw ModelError.wrongShape(name: name, expected: storedShape, actual: tensor.shape)
        }
        return tensor
    }

    /// destination[c][r] = stored[r][c] for a stored `[rows × columns]` tensor.
    private func decodeTransposed(
        _ tensor: StoredTensor, into destination: UnsafeMutableBufferPointer<Float>, rows: Int, columns: Int
    ) throws {
        var stored = [Float](repeating: 0, count: rows * columns)
        try stored.withUnsafeMutableBufferPointer { try tensor.decodeAndRelease(into: $0) }
        for r in 0..<rows {
            for c in 0..<columns { destination[c * rows + r] = stored[r * columns + c] }
        }
    }
}
