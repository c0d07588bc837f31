/// Which adapter a run trains on its frozen base. In JSON (`config.json`) the scheme is named beside
/// its settings: `{"scheme": "lora", "rank": 8, "alpha": 16, "targets": ["q", "v"]}`.
public enum AdapterSettings: Codable, Equatable, Sendable {
    case lora(LoRASettings)

    /// The scheme's name, as `--tuning` spells it.
    public var scheme: String {
        switch self {
        case .lora: return "lora"
        }
    }

    private enum CodingKeys: String, CodingKey { case scheme }

    public init(from decoder: Decoder) throws {
        let scheme = try decoder.container(keyedBy: CodingKeys.self).decode(String.self, forKey: .scheme)
        switch scheme {
        case "lora": self = .lora(try LoRASettings(from: decoder))
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
        }
    }
}
