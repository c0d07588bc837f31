import Foundation

/// A method and its full configuration; recorded in `config.json` as `{"name": "pgap", "rank": 64, …}`
/// (the method's name beside its settings) so a run can be resumed or replayed with exactly the
/// options it was trained with. Older runs' `{"pgap": {"_0": {…}}}` still decode
/// (`LegacyMethodConfiguration`).
public struct MethodConfiguration: Codable, Equatable, Sendable {
    public let method: any ConfigurableEstimator.Type
    public private(set) var settings: any EstimatorConfiguration

    public init<Estimator: ConfigurableEstimator>(_ method: Estimator.Type, _ settings: Estimator.Configuration) {
        self.method = method
        self.settings = settings
    }

    /// The method's defaults.
    public static func defaults(for name: String) throws -> MethodConfiguration {
        func make<Estimator: ConfigurableEstimator>(_ method: Estimator.Type) -> MethodConfiguration {
            MethodConfiguration(method, Estimator.Configuration.defaults)
        }
        return make(try MethodRegistry.method(named: name))
    }

    public static func mezo(_ settings: MeZO.Configuration = .init()) -> Self { Self(MeZO.self, settings) }
    public static func subzero(_ settings: SubZero.Configuration = .init()) -> Self { Self(SubZero.self, settings) }
    public static func dizo(_ settings: DiZO.Configuration = .init()) -> Self { Self(DiZO.self, settings) }
    public static func pgap(_ settings: PGAP.Configuration = .init()) -> Self { Self(PGAP.self, settings) }
    public static func fzoo(_ settings: FZOO.Configuration = .init()) -> Self { Self(FZOO.self, settings) }
    public static func zoMuon(_ settings: ZOMuon.Configuration = .init()) -> Self { Self(ZOMuon.self, settings) }

    public var name: String { method.name }

    /// The method's settings, as `MethodSetting`s of its configuration type erased to their names.
    public var settingNames: [String] { Self.names(of: settings) }

    /// Sets the setting whose flag is `flag` (`--probe-epsilon`) from command-line `values`, then
    /// checks its range. A flag of another method, or an unknown flag, is refused in one sentence.
    public mutating func set(flag: String, values: [String]) throws {
        func assign<Configuration: EstimatorConfiguration>(_ settings: Configuration) throws -> any EstimatorConfiguration {
            guard let setting = Configuration.settings.first(where: { $0.flag == flag }) else {
                let owners = MethodRegistry.methods(takingFlag: flag)
                let own = Configuration.settings.map(\.flag).joined(separator: ", ")
                throw EstimatorError.invalidSetting(owners.isEmpty
                    ? "unknown option \(flag)"
                    : "\(flag) does not apply to --method \(name) (it is an option of \(owners.joined(separator: ", "))); \(name) takes \(own)")
            }
            var updated = settings
            guard setting.assign(&updated, values) else {
                let given = values.isEmpty ? "no value" : "\"\(values.joined(separator: " "))\""
                throw EstimatorError.invalidSetting("\(flag) needs \(setting.expected), got \(given)")
            }
            if let problem = setting.problem(updated) { throw EstimatorError.invalidSetting("\(flag) \(problem)") }
            return updated
        }
        let current = settings
        settings = try assign(current)
    }

    /// Builds the estimator and hands it, with its concrete type, to `visitor`.
    public func accept<Visitor: EstimatorVisitor>(_ visitor: Visitor) throws -> Visitor.Result {
        func open<Estimator: ConfigurableEstimator>(_ method: Estimator.Type) throws -> Visitor.Result {
            try visitor.visit(Estimator(configuration: settings as! Estimator.Configuration))
        }
        return try open(method)
    }

    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.settings.isEqual(to: rhs.settings) }

    private static func names<Configuration: EstimatorConfiguration>(of _: Configuration) -> [String] {
        Configuration.settings.map(\.name)
    }

    private enum NameKey: String, CodingKey { case name }

    public func encode(to encoder: Encoder) throws {
        try settings.encode(to: encoder)
        var container = encoder.container(keyedBy: NameKey.self)
        try container.encode(name, forKey: .name)
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: NameKey.self)
        guard let name = try container.decodeIfPresent(String.self, forKey: .name) else {
            self = try LegacyMethodConfiguration.decode(from: decoder)
            return
        }
        func decode<Estimator: ConfigurableEstimator>(_ method: Estimator.Type) throws -> MethodConfiguration {
            MethodConfiguration(method, try Estimator.Configuration(from: decoder))
        }
        self = try decode(try MethodRegistry.method(named: name))
    }
}

/// Something to do with an estimator whose type is only known at run time (train, replay).
public protocol EstimatorVisitor {
    associatedtype Result
    func visit<Estimator: ZerothOrderEstimator>(_ estimator: Estimator) throws -> Result
}
