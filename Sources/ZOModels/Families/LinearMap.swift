import ZOTensor

/// One weight as a forward uses it: its storage (fp32; bfloat16 or the file's encoding for a frozen base),
/// and its arena index, which keys the `LowRankDelta` the forward must add when a subspace estimator
/// runs factored.
struct ArenaWeight {
    let index: Int
    /// The fp32 values, or nil for a frozen weight held in bfloat16 (`narrow`).
    let float32: UnsafeMutablePointer<Float>?
    let narrow: UnsafeMutablePointer<UInt16>?
    /// A stored weight's rows, decoded a tile at a time.
    let encoded: (any EncodedRows)?

    init(_ arena: WeightArena, _ name: String) {
        guard let index = arena.index(of: name) else { preconditionFailure("no parameter \(name)") }
        self.index = index
        let entry = arena.entries[index]
        float32 = entry.precision == .float32 ? arena.pointer(entry) : nil
        narrow = entry.precision == .bfloat16 ? arena.narrowPointer(entry) : nil
        encoded = arena.encodedRows[index]
        precondition(entry.precision != .stored || encoded != nil, "\(name) is stored but was never loaded")
    }

    /// Whether `next`'s values start right after this weight's `elements` in the same storage (so
    /// both run as one GEMM).
    func follows(_ next: ArenaWeight, elements: Int) -> Bool {
        if let float32, let other = next.float32 { return float32 + elements == other }
        if let narrow, let other = next.narrow { return narrow + elements == other }
        return false
    }

    /// The fp32 values (norms, biases and trained weights are always fp32).
    var pointer: UnsafeMutablePointer<Float> {
        guard let float32 else { preconditionFailure("a weight held as bf16 or stored read as fp32") }
        return float32
    }
}

/// A linear layer of the forward pass: y = x·W (in the weight's layout) + bias, plus the weight's
/// low-rank delta and LoRA pair when they are installed.
struct LinearMap {
    let arena: WeightArena
    let weight: ArenaWeight
    let bias: ArenaWeight?
    let inputs: Int
    let outputs: Int
    let layout: WeightLayout

    init(_ arena: WeightArena, weight: String, bias: String? = nil, inputs: Int, outputs: Int,
         layout: WeightLayout = .outputsByInputs) {
        self.arena = arena
        self.weight = ArenaWeight(arena, weight)
        assert(arena.entries[self.weight.index].layout == layout || arena.entries[self.weight.index].role == .embedding,
               "\(weight) is declared in another layout")
        self.bias = bias.map { ArenaWeight(arena, $0) }
        self.inputs = inputs
        self.outputs = outputs
        self.layout = layout
    }

    /// output = input·W + bias (+ output when `accumulate`) for `rows` rows; output rows are
    /// `outputStride` floats apart (a slice of a wider buffer).
    func apply(
        _ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>,
        outputStride: Int? = nil, accumulate: Bool = false
    ) {
        let stride = outputStride ?? outputs
        if let encoded = weight.encoded {
            // Stored rows are output features whatever the arena's layout.
            EncodedLinear.linear(input, rows: rows, weight: encoded, into: output, ldc: stride, beta: accumulate ? 1 : 0,
                                 scratch: arena.productScratch)
            addDeltaAndBias(input, rows: rows, into: output, outputStride: stride)
            return
        }
        switch (layout, weight.narrow) {
        case (.outputsByInputs, nil):
            BLAS.linear(input, rows: rows, inner: inputs, weight: weight.pointer, columns: outputs, into: output,
                        ldc: stride, beta: accumulate ? 1 : 0)
        case (.inputsByOutputs, nil):
            BLAS.multiply(input, rows: rows, inner: inputs, weight.pointer, columns: outputs, into: output,
                          ldc: stride, beta: accumulate ? 1 : 0)
        case let (.outputsByInputs, narrow?):
            BFloat16Linear.linear(input, rows: rows, inner: inputs, weight: narrow, columns: outputs, into: output,
                                  ldc: stride, beta: accumulate ? 1 : 0, scratch: arena.productScratch)
        case let (.inputsByOutputs, narrow?):
            BFloat16Linear.multiply(input, rows: rows, inner: inputs, weight: narrow, columns: outputs, into: output,
                                    ldc: stride, beta: accumulate ? 1 : 0, scratch: arena.productScratch)
        }
        addDeltaAndBias(input, rows: rows, into: output, outputStride: stride)
    }

    private func addDeltaAndBias(
        _ input: UnsafePointer<Float>, rows: Int, into output: UnsafeMutablePointer<Float>, outputStride: Int
    ) {
        arena.inputObserver?(weight.index, input, rows)
        if let delta = arena.delta(weight.index) {
            switch layout {
            case .outputsByInputs: delta.addLinear(input, tokens: rows, into: output, outputStride: outputStride)
            case .inputsByOutputs: delta.addMultiply(input, tokens: rows, into: output, outputStride: outputStride)
            }
        }
        arena.loRA(weight.index)?.add(input, rows: rows, into: output, outputStride: outputStride)
        if let bias { addBias(bias.pointer, to: output, rows: rows, width: outputs, stride: outputStride) }
    }

    /// Several maps of the same input written side by side into `[rows × Σ outputs]` (q|k|v,
    /// gate|up): one GEMM when their `nn.Linear` weights are adjacent in the arena (the usual case,
    /// by declaration order) or all stored (one product over their joined rows), else one GEMM per
    /// map. Deltas and biases are added per map.
    static func applyFused(_ maps: [LinearMap], _ input: UnsafePointer<Float>, rows: Int,
                           into output: UnsafeMutablePointer<Float>) {
        let width = maps.reduce(0) { $0 + $1.outputs }
        let adjacent = maps.allSatisfy { $0.layout == .outputsByInputs && $0.inputs == maps[0].inputs }
            && zip(maps, maps.dropFirst()).allSatisfy { $0.weight.follows($1.weight, elements: $0.outputs * $0.inputs) }
        if adjacent, let narrow = maps[0].weight.narrow {
            BFloat16Linear.linear(input, rows: rows, inner: maps[0].inputs, weight: narrow, columns: width, into: output,
                                  scratch: maps[0].arena.productScratch)
        } else if adjacent {
            BLAS.linear(input, rows: rows, inner: maps[0].inputs, weight: maps[0].weight.pointer, columns: width,
                        into: output)
        }
        // Stored weights join whatever their storage: one product over their rows.
        let encoded = adjacent ? [] : maps.compactMap(\.weight.encoded)
        let joined = maps.count > 1 && encoded.count == maps.count
        if joined {
            EncodedLinear.linear(input, rows: rows, weights: encoded, into: output, scratch: maps[0].arena.productScratch)
        }
        var column = 0
        for map in maps {
            if adjacent || joined {
                map.addDeltaAndBias(input, rows: rows, into: output + column, outputStride: width)
            } else {
                map.apply(input, rows: rows, into: output + column, outputStride: width)
            }
            column += map.outputs
        }
    }
}

/// An embedding table read by lookup: rows gathered by id, plus the rows of the table's low-rank
/// delta when one is installed.
struct EmbeddingTable {
    let arena: WeightArena
    let weight: ArenaWeight
    let width: Int

    init(_ arena: WeightArena, _ name: String, width: Int) {
        self.arena = arena
        weight = ArenaWeight(arena, name)
        self.width = width
    }

    /// output[t] = row ids[t] (+= when `accumulate`, e.g. positions onto token embeddings); ids past
    /// the table are the attached virtual tokens' (prompt tuning).
    func lookUp(_ ids: [Int], into output: UnsafeMutablePointer<Float>, accumulate: Bool = false) {
        let virtual = arena.virtualTokens.flatMap { $0.index == weight.index ? $0.tokens : nil }
        // Narrow or stored rows are widened into the arena's scratch (made only for such weights).
        let row = weight.float32 == nil ? arena.productScratch.widened(count: width) : nil
        for (position, id) in ids.enumerated() {
            let source: UnsafePointer<Float>
            if let virtualRow = virtual?.row(id) {
                source = UnsafePointer(virtualRow)
            } else if let float32 = weight.float32 {
                source = UnsafePointer(float32 + id * width)
            } else if let narrow = weight.narrow, let row {
                BFloat16.widen(narrow + id * width, into: row, count: width)
                source = UnsafePointer(row)
            } else {
                weight.encoded!.decode(rows: id..<(id + 1), into: row!)
                source = UnsafePointer(row!)
            }
            let rowOutput = output + position * width
            if accumulate {
                addBias(source, to: rowOutput, rows: 1, width: width)
            } else {
                rowOutput.update(from: source, count: width)
            }
        }
        if let delta = arena.delta(weight.index) {
            precondition(virtual == nil, "a factored delta on an embedding with virtual tokens")
            delta.addRows(ids, into: output)
        }
    }
}
