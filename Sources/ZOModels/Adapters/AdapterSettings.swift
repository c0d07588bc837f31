/// Which adapter a run trains on its frozen base. In JSON (`config.json`) the scheme is named beside
/// its settings: `{"scheme": "lora", "rank": 8, "alpha": 16, "targets": ["q", "v"]}`.
public enum AdapterSettings: Codable, Equatable, Sendable {
    case lora(LoRASettings)
    case prompt(PromptSettings)
    case prefix(PrefixSettings)

    /// The scheme's name, as `--tuning` spells it.
    public var scheme: String {
        switch self {
        case .lora: return "lora"
        case .prompt: return "prompt"
        case .prefix: return "prefix"
        }
    }

    /// The adapter these settings describe for `model`, initialised from `seed` (not attached).
    public func makeAdapter(for model: LanguageModel, seed: UInt64) throws -> any Adapter {
        switch self {
        case let .lora(settings):
            let adapter = try LoRAAdapter(for: model.weights, settings: settings)
            adapter.initialise(seed: seed)
            return adapter
        case let .prompt(settings):
            let adapter = try PromptAdapter(for: model, tokens: settings.tokens)
            adapter.initialise(from: model.weights, seed: seed)
            return adapter
        case let .prefix(settings):
            let adapter = try PrefixAdapter(for: model, tokens: settings.tokens)
            try adapter.initialise(from: model, seed: seed)
            return adapter
        }
    }

    private enum CodingKeys: String, CodingKey { case scheme }

    public init(from decoder: Decoder) throws {
        let scheme = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .scheme)
        switch scheme {
        case "lora": self = .lora(try LoRASettings(from: decoder))
        case "prompt": self = .prompt(try PromptSettings(from: decoder))
        case "prefix": self = .prefix(try PrefixSettings(from: decoder))
        default:
            throw DecodingError.dataCorrupted(.init(
                codingPath: decoder.codingPath + [CodingKeys.scheme], debugDescription: "unknown adapter scheme \"\(scheme)\""))
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(scheme, forKey: .scheme)
        switch self {
        case let .lora(settings): try settings.encode(to: encoder)
        case let .prompt(settings): try settings.encode(to: encoder)
        case let .prefix(settings): try settings.encode(to: encoder)
        }
    }
}
