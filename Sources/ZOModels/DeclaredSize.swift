/// What a size read from `config.json` or GGUF metadata counts, and the largest value ZOTune takes
/// on trust for it. The limits sit far above every released model (their largest, noted per case)
/// yet keep the layout built from a configuration small and its products inside `Int`, so the
/// layout can be compared with the file's tensors (`WeightLoading.check`) before any weight memory
/// is taken: a file that lies about a size fails in one sentence instead of exhausting memory.
enum DeclaredSize {
    /// Transformer blocks (Llama 3.1 405B: 126).
    case layers
    /// Token ids (Gemma 3: 262,144).
    case vocabulary
    /// Hidden, intermediate and head widths (Llama 3.1 405B: FFN 53,248).
    case width
    /// Attention heads (Llama 3.1 405B: 128).
    case heads
    /// Positions of the context (Llama 4 Scout: 10M).
    case positions
    /// Rows of a small table: token types, the labels of a new classifier.
    case labels

    var limit: Int {
        switch self {
        case .layers: return 1 << 10
        case .vocabulary: return 1 << 22
        case .width: return 1 << 18
        case .heads: return 1 << 10
        case .positions: return 1 << 24
        case .labels: return 1 << 14
        }
    }

    /// `value` if it is positive and within the limit; otherwise the one-sentence reason, naming `key`.
    func checked(_ value: Int, key: String, fail: (String) -> Error) throws -> Int {
        guard value > 0 else { throw fail("\(key) must be positive, got \(value)") }
        guard value <= limit else {
            throw fail("\(key) is \(value), more than the \(limit) ZOTune accepts for it")
        }
        return value
    }
}

/// A `DeclaredSize` as a type, so that a config field's type says what it counts (`ConfigSize<Layers>`).
protocol DeclaredSizeKind {
    static var size: DeclaredSize { get }
}

enum Layers: DeclaredSizeKind { static let size = DeclaredSize.layers }
enum Vocabulary: DeclaredSizeKind { static let size = DeclaredSize.vocabulary }
enum Width: DeclaredSizeKind { static let size = DeclaredSize.width }
enum Heads: DeclaredSizeKind { static let size = DeclaredSize.heads }
enum Positions: DeclaredSizeKind { static let size = DeclaredSize.positions }
enum Labels: DeclaredSizeKind { static let size = DeclaredSize.labels }
