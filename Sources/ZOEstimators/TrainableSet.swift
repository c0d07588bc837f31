import ZOTensor

/// One tensor an estimator may change: an arena entry plus a stable index. The index (position in
/// the model's parameter list, not in the trainable subset) keys the random stream, so z for a
/// tensor does not change when other tensors are frozen or added.
public struct TrainableTensor: Sendable, Hashable {
    public let entry: ParameterEntry
    public let index: Int

    public init(entry: ParameterEntry, index: Int) {
        self.entry = entry
        self.index = index
    }

    /// Row-major `[rows, columns]` when the tensor is a 2-D matrix or embedding (low-rank paths apply).
    /// An adapter tensor is seen as its near-square reshape, SubZero's rule for LoRA (a 16,384-element
    /// A is 128 × 128): its own shape (r × n, with r ≈ 8) leaves no room for a rank-r subspace.
    public var matrixShape: (rows: Int, columns: Int)? {
        guard entry.shape.count == 2 else { return nil }
        return entry.role == .adapter ? Self.nearSquare(entry.count) : (entry.shape[0], entry.shape[1])
    }

    /// (a, n / a) for the largest divisor a of n with a ≤ √n.
    static func nearSquare(_ count: Int) -> (rows: Int, columns: Int) {
        var rows = Int(Double(count).squareRoot())
        while rows > 1 && count % rows != 0 { rows -= 1 }
        return (rows, count / rows)
    }
}

/// The parameters a run trains: ranges of one `WeightArena`, selected by role (never by name
/// substring), plus frozen copies ("anchors") of tensors whose pretrained values an estimator needs
/// (DiZO's projection). The arena is changed in place.
public final class TrainableSet: @unchecked Sendable {
    public let arena: WeightArena
    public let tensors: [TrainableTensor]
    /// Pretrained values by HF name, for the tensors an estimator asked anchors for.
    public private(set) var anchors: [String: FloatBuffer] = [:]
    /// Per 2-D arena entry (by index): activation rows it multiplies in one training forward, counted
    /// so that a factored low-rank delta costs rows·r·(m+n) there (see `LowRankCostModel`). Set by
    /// `setForwardSize`; empty when unknown, and then `auto` stays materialised.
    public private(set) var activationRows: [Int: Double] = [:]

    /// All arena entries whose role is in `roles` (default: everything). With `lastLayers`, only
    /// those of the last `lastLayers` transformer layers and of what follows the layers in the arena
    /// (final norm, pooler, head); embeddings and earlier layers stay frozen. 0 trains the head alone.
    public init(arena: WeightArena, roles: Set<ParameterRole> = Set(ParameterRole.allCases), lastLayers: Int? = nil) {
        self.arena = arena
        let layerCount = (arena.entries.compactMap(\.layer).max() ?? -1) + 1
        let lastLayered = arena.entries.lastIndex { $0.layer != nil } ?? -1
        func inSelectedLayers(_ index: Int, _ entry: ParameterEntry) -> Bool {
            guard let lastLayers else { return true }
            return entry.layer.map { $0 >= layerCount - lastLayers } ?? (index > lastLayered)
        }
        self.tensors = arena.entries.enumerated().compactMap { index, entry in
            roles.contains(entry.role) && inSelectedLayers(index, entry) ? TrainableTensor(entry: entry, index: index) : nil
        }
    }

    /// An explicit subset (in arena order).
    public init(arena: WeightArena, tensors: [TrainableTensor]) {
        self.arena = arena
        self.tensors = tensors
    }

    public var parameterCount: Int { tensors.reduce(0) { $0 + $1.entry.count } }

    /// Sets `activationRows` for a training forward over `tokens` tokens with `scoredRows` scored rows
    /// (the trainer passes its mean batch), from how each weight meets activations
    /// (`ParameterEntry.activationUse`).
    public func setForwardSize(tokens: Double, scoredRows: Double) {
        activationRows = [:]
        for (index, entry) in arena.entries.enumerated() {
            activationRows[index] = entry.activationRows(tokens: tokens, scoredRows: scoredRows)
        }
    }

    public func pointer(_ tensor: TrainableTensor) -> UnsafeMutablePointer<Float> { arena.pointer(tensor.entry) }

    /// Records the current values of `tensor` as its anchor (call before training starts, or after
    /// reloading the base model on resume).
    public func setAnchor(_ tensor: TrainableTensor, values: UnsafePointer<Float>) {
        let copy = FloatBuffer(count: tensor.entry.count)
        copy.pointer.update(from: values, count: tensor.entry.count)
        anchors[tensor.entry.name] = copy
    }

    public func anchor(_ tensor: TrainableTensor) -> FloatBuffer? { anchors[tensor.entry.name] }
}
