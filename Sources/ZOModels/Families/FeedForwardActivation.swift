import ZOTensor

/// The pointwise nonlinearity between the two matrices of a GPT-style MLP, by transformers'
/// `activation_function` name.
public enum FeedForwardActivation: String, Sendable, Equatable {
    /// OPT's "relu".
    case relu
    /// GPT-2's "gelu_new" (= "gelu_pytorch_tanh"): GELU with the tanh approximation.
    case geluTanh
    /// BERT's "gelu": the exact, erf-based GELU.
    case gelu

    /// nil for names ZOTune does not implement (e.g. "silu", "gelu_fast").
    public init?(huggingFaceName name: String) {
        switch name {
        case "relu": self = .relu
        case "gelu_new", "gelu_pytorch_tanh": self = .geluTanh
        case "gelu": self = .gelu
        default: return nil
        }
    }

    /// How `inspect` names it.
    var summary: String {
        switch self {
        case .relu: return "ReLU"
        case .geluTanh: return "GELU (tanh)"
        case .gelu: return "GELU (exact)"
        }
    }

    /// Applies the activation in place to `count` floats.
    func apply(_ x: UnsafeMutablePointer<Float>, count: Int) {
        switch self {
        case .relu: ZOTensor.relu(x, count: count)
        case .geluTanh: ZOTensor.geluTanh(x, count: count)
        case .gelu: ZOTensor.gelu(x, count: count)
        }
    }
}

/// transformers' name of a `FeedForwardActivation` in config.json (`activation_function`,
/// `hidden_act`); a name ZOTune does not implement fails decoding, naming the key.
struct FeedForwardActivationName: Decodable {
    let activation: FeedForwardActivation

    init(from decoder: Decoder) throws { activation = try decoder.supportedChoice(FeedForwardActivation.init(huggingFaceName:)) }
}
