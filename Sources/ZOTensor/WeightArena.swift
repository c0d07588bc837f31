/// One named tensor inside a `WeightArena`: its declaration (`ParameterSpec`) plus where it starts.
public struct ParameterEntry: Sendable, Hashable {
    /// Hugging Face parameter name, e.g. `model.layers.3.self_attn.q_proj.weight`.
    public let name: String
    /// Row-major shape, slowest dimension first (`[out, in]` for a linear weight).
    public let shape: [Int]
    public let role: ParameterRole
    /// Transformer block index, or `nil` for embeddings and final norms.
    public let layer: Int?
    public let kind: ParameterKind
    public let activationUse: ActivationUse
    /// How a 2-D weight that multiplies activations is stored (GPT-2's Conv1D is inputs × outputs).
    public let layout: WeightLayout
    /// Offset of the first element in the arena's storage of its precision, in elements.
    public let offset: Int
    /// How the values are held: fp32 (`WeightArena.storage`) or, for a frozen base, bfloat16
    /// (`WeightArena.narrowStorage`) or as the weight file encodes them (`WeightArena.encodedRows`).
    public let precision: StoragePrecision

    init(_ spec: ParameterSpec, offset: Int, precision: StoragePrecision = .float32) {
        (name, shape, role, layer, kind, activationUse, layout) =
            (spec.name, spec.shape, spec.role, spec.layer, spec.kind, spec.activationUse, spec.layout)
        self.offset = offset
        self.precision = precision
    }

    public var count: Int { shape.reduce(1, *) }
    public var range: Range<Int> { offset..<(offset + count) }

    /// The declaration this entry was laid out from.
    public var spec: ParameterSpec {
        ParameterSpec(name: name, shape: shape, role: role, layer: layer, kind: kind, activationUse: activationUse,
                      layout: layout)
    }
}

/// The parameter declaration a model hands to `WeightArena.init` (no offsets yet): everything an
/// optimiser, estimator or adapter may ask about a tensor without knowing the family.
public struct ParameterSpec: Sendable, Hashable {
    public let name: String
    public let shape: [Int]
    /// What the tensor is for, as optimisers treat it (weight decay, linear probing).
    public let role: ParameterRole
    public let layer: Int?
    /// Which module the tensor belongs to (attention key, MLP down, …).
    public let kind: ParameterKind
    /// Which activation rows a 2-D weight multiplies or gathers; empty for vectors.
    public let activationUse: ActivationUse
    /// How a 2-D weight that multiplies activations is stored; `.outputsByInputs` (`nn.Linear`) unless
    /// the family says otherwise.
    public let layout: WeightLayout

    public init(
        name: String, shape: [Int], role: ParameterRole, layer: Int?, kind: ParameterKind, activationUse: ActivationUse,
        layout: WeightLayout = .outputsByInputs
    ) {
        self.name = name
        self.shape = shape
        self.role = role
        self.layer = layer
        self.kind = kind
        self.activationUse = activationUse
        self.layout = layout
    }
}

/// All weights of a model in one contiguous fp32 buffer with named entries.
///
/// Zeroth-order optimisers perturb exactly these ranges in place, so one buffer with known offsets is
/// the whole interface between a model and an estimator. Entries keep the declaration order, which
/// models use to make related weights adjacent (q/k/v, gate/up) so they can run as one GEMM.
public final class WeightArena: @unchecked Sendable {
    public let entries: [ParameterEntry]
    /// The fp32 entries' values.
    public let storage: FloatBuffer
    /// The bfloat16 entries' values (a frozen base held narrow; empty otherwise).
    public let narrowStorage: BFloat16Buffer
    private let indexByName: [String: Int]
    /// Low-rank changes the forward adds on top of stored weights, by entry index (see
    /// `LowRankDelta`). Empty unless a subspace estimator runs factored.
    public private(set) var deltas: [Int: LowRankDelta] = [:]
    /// LoRA pairs the forward applies beside stored weights, by entry index (see `LoRAFactors`).
    /// Empty unless an adapter is attached.
    public private(set) var loRAFactors: [Int: LoRAFactors] = [:]
    /// Prompt tuning's trainable rows past the end of the token embedding (entry `index`), if attached.
    public private(set) var virtualTokens: (index: Int, tokens: VirtualTokens)?
    /// Prefix tuning's keys and values every query attends to first, if attached.
    public private(set) var attentionPrefix: AttentionPrefix?
    /// Called by the forward with every linear weight's input rows (entry index, `rows × inputs`
    /// row-major, row count), before the product's result is used. Set only while an estimator
    /// sketches the span of the activations a weight meets (`--subspace-source activations`).
    public var inputObserver: ((_ index: Int, _ input: UnsafePointer<Float>, _ rows: Int) -> Void)?

    /// Lays out `specs` in declaration order; `precision` says how each is held (fp32 unless told:
    /// only tensors nothing trains may be narrower).
    public init(_ specs: [ParameterSpec], precision: (ParameterSpec) -> StoragePrecision = { _ in .float32 }) {
        var offsets: [StoragePrecision: Int] = [.float32: 0, .bfloat16: 0]
        var entries: [ParameterEntry] = []
        var index: [String: Int] = [:]
        for spec in specs {
            precondition(index[spec.name] == nil, "duplicate parameter \(spec.name)")
            index[spec.name] = entries.count
            precondition(spec.shape.count != 2 || !spec.activationUse.isEmpty, "\(spec.name): 2-D, but meets no activations")
            let held = precision(spec)
            precondition(held == .float32 || spec.shape.count == 2, "\(spec.name): only 2-D weights are held narrow or stored")
            entries.append(ParameterEntry(spec, offset: offsets[held] ?? 0, precision: held))
            guard held != .stored else { continue }
            // Keep every entry 64-byte aligned for SIMD loads.
            let alignment = 64 / held.bytesPerElement
            offsets[held]! += (spec.shape.reduce(1, *) + alignment - 1) / alignment * alignment
        }
        self.entries = entries
        self.indexByName = index
        self.storage = FloatBuffer(count: offsets[.float32]!)
        self.narrowStorage = BFloat16Buffer(count: offsets[.bfloat16]!)
    }

    /// Working memory of products on bfloat16 and stored weights, made on first use.
    public private(set) lazy var productScratch = ProductScratch()

    /// Stored weights (`StoragePrecision.stored`), by entry index, set as the model loads.
    public private(set) var encodedRows: [Int: any EncodedRows] = [:]

    /// Gives a stored entry its encoded rows (output features × inputs, as the forward multiplies them).
    public func setEncodedRows(_ rows: any EncodedRows, for index: Int) {
        precondition(entries[index].precision == .stored, "\(entries[index].name) is not a stored entry")
        let (inputs, outputs) = entries[index].layout.features(of: entries[index].shape)
        precondition(rows.rows == outputs && rows.columns == inputs, "stored rows do not fit \(entries[index].name)")
        encodedRows[index] = rows
    }

    /// Bytes the values take: both precisions of the arena, and the stored weights' encoded bytes.
    public var byteCount: Int {
        storage.count * 4 + narrowStorage.count * 2 + encodedRows.values.reduce(0) { $0 + $1.byteCount }
    }

    /// Total number of parameters (excluding alignment padding).
    public var parameterCount: Int { entries.reduce(0) { $0 + $1.count } }

    public func entry(named name: String) -> ParameterEntry? {
        indexByName[name].map { entries[$0] }
    }

    /// Position of `name` in `entries` (the key of `deltas`).
    public func index(of name: String) -> Int? { indexByName[name] }

    /// The delta the forward adds to entry `index`, if any.
    public func delta(_ index: Int) -> LowRankDelta? { deltas[index] }

    /// Installs (or, with nil, drops without folding) the delta of entry `index`.
    public func setDelta(_ delta: LowRankDelta?, for index: Int) {
        if let delta {
            precondition(entries[index].shape == [delta.rows, delta.columns], "delta shape differs from \(entries[index].name)")
            precondition(entries[index].role != .adapter, "the forward adds no delta to adapter tensors")
        }
        deltas[index] = delta
    }

    /// The LoRA pair the forward applies beside entry `index`, if any.
    public func loRA(_ index: Int) -> LoRAFactors? { loRAFactors[index] }

    /// Attaches (or, with nil, detaches) a LoRA pair to entry `index`, a linear weight.
    public func setLoRA(_ factors: LoRAFactors?, for index: Int) {
        if let factors {
            let entry = entries[index]
            precondition(entry.shape.count == 2 && entry.role != .adapter, "LoRA on \(entry.name), which is no linear weight")
            let (inputs, outputs) = entry.layout.features(of: entry.shape)
            precondition(factors.inputs == inputs && factors.outputs == outputs, "LoRA shape differs from \(entry.name)")
        }
        loRAFactors[index] = factors
    }

    /// Attaches (or, with nil, detaches) virtual tokens to the embedding table at entry `index`.
    public func setVirtualTokens(_ tokens: VirtualTokens?, for index: Int) {
        if let tokens {
            precondition(entries[index].role == .embedding && tokens.width == entries[index].shape[1]
                         && tokens.firstID >= entries[index].shape[0], "virtual tokens do not fit \(entries[index].name)")
            virtualTokens = (index, tokens)
        } else {
            virtualTokens = nil
        }
    }

    /// Attaches (or, with nil, detaches) prefix keys and values to the model's attention layers.
    public func setAttentionPrefix(_ prefix: AttentionPrefix?) { attentionPrefix = prefix }

    /// Writes entry `index`'s delta into its stored weights and drops it.
    public func foldDelta(_ index: Int) {
        guard let delta = deltas.removeValue(forKey: index) else { return }
        delta.fold(into: pointer(entries[index]))
    }

    /// Folds every delta, in entry order (deterministic, so a replay folds identically).
    public func foldAllDeltas() {
        for index in deltas.keys.sorted() { foldDelta(index) }
    }

    /// Pointer to the first element of `name`. Programmer error if the name does not exist.
    public func pointer(_ name: String) -> UnsafeMutablePointer<Float> {
        guard let entry = entry(named: name) else { preconditionFailure("no parameter \(name)") }
        return pointer(entry)
    }

    /// The fp32 values of `entry` (a programmer error for an entry held otherwise: see `narrowPointer`,
    /// `encodedRows`).
    public func pointer(_ entry: ParameterEntry) -> UnsafeMutablePointer<Float> {
        precondition(entry.precision == .float32, "\(entry.name) is held as \(entry.precision.rawValue), not f32")
        return storage.pointer + entry.offset
    }

    /// The elements of one fp32 entry as a buffer.
    public func values(_ entry: ParameterEntry) -> UnsafeMutableBufferPointer<Float> {
        .init(start: pointer(entry), count: entry.count)
    }

    /// The bfloat16 values of an entry held narrow.
    public func narrowPointer(_ entry: ParameterEntry) -> UnsafeMutablePointer<UInt16> {
        precondition(entry.precision == .bfloat16, "\(entry.name) is held as \(entry.precision.rawValue), not bf16")
        return narrowStorage.pointer + entry.offset
    }

    /// The bytes of one entry as held (4 per element in fp32, 2 in bfloat16): for hashing.
    public func bytes(_ entry: ParameterEntry) -> UnsafeRawBufferPointer {
        switch entry.precision {
        case .float32: return UnsafeRawBufferPointer(values(entry))
        case .bfloat16: return UnsafeRawBufferPointer(start: narrowPointer(entry), count: entry.count * 2)
        case .stored: return UnsafeRawBufferPointer(start: nil, count: 0)  // the file's identity stands for it
        }
    }

    /// Whether every entry is fp32 (nothing held narrow or stored): what training the whole arena needs.
    public var isAllFloat32: Bool { entries.allSatisfy { $0.precision == .float32 } }
}
