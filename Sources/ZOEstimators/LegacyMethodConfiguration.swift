import Foundation

/// The method configuration of `config.json` files written before settings had one name: an enum
/// case per method, `{"pgap": {"_0": {"perturbationScale": …, "windowLength": …}}}`. Read so that
/// old runs still resume and replay: the keys are renamed by the configuration's `formerNames`.
enum LegacyMethodConfiguration {
    static func decode(from decoder: Decoder) throws -> MethodConfiguration {
        let container = try decoder.container(keyedBy: AnyKey.self)
        guard let key = container.allKeys.first, container.allKeys.count == 1 else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "no method name"))
        }
        let method = try MethodRegistry.method(named: key.stringValue)
        let values = try container.nestedContainer(keyedBy: AnyKey.self, forKey: key)
            .decode([String: JSONScalarOrList].self, forKey: AnyKey(stringValue: "_0"))
        func decode<Estimator: ConfigurableEstimator>(_ method: Estimator.Type) throws -> MethodConfiguration {
            let renamed = Dictionary(uniqueKeysWithValues: values.map { (Estimator.Configuration.formerNames[$0.key] ?? $0.key, $0.value) })
            let settings = try JSONDecoder().decode(Estimator.Configuration.self, from: JSONEncoder().encode(renamed))
            return MethodConfiguration(method, settings)
        }
        return try decode(method)
    }

    struct AnyKey: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    /// The values a configuration holds: numbers, booleans, strings and lists of strings.
    enum JSONScalarOrList: Codable {
        case number(Double), bool(Bool), string(String), list([String]), null

        init(from decoder: Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null }
            else if let value = try? container.decode(Bool.self) { self = .bool(value) }
            else if let value = try? container.decode(Double.self) { self = .number(value) }
            else if let value = try? container.decode(String.self) { self = .string(value) }
            else { self = .list(try container.decode([String].self)) }
        }

        func encode(to encoder: Encoder) throws {
            var container = encoder.singleValueContainer()
            switch self {
            case let .number(value): try container.encode(value)
            case let .bool(value): try container.encode(value)
            case let .string(value): try container.encode(value)
            case let .list(value): try container.encode(value)
            case .null: try container.encodeNil()
            }
        }
    }
}
