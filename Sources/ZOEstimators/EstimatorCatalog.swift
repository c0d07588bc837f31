/// An estimator that can be built with its default configuration (what the catalogue hands out).
public protocol DefaultConstructibleEstimator: ZerothOrderEstimator {
    init()
}

extension MeZO: DefaultConstructibleEstimator {
    public init() { self.init(configuration: Configuration()) }
}

extension SubZero: DefaultConstructibleEstimator {
    public init() { self.init(configuration: Configuration()) }
}

extension DiZO: DefaultConstructibleEstimator {
    public init() { self.init(configuration: Configuration()) }
}

extension PGAP: DefaultConstructibleEstimator {
    public init() { self.init(configuration: Configuration()) }
}

/// Every estimator by its command-line name. Adding a method = one file + one line here.
public enum EstimatorCatalog {
    public static let estimators: [String: any DefaultConstructibleEstimator.Type] = [
        MeZO.name: MeZO.self,
        SubZero.name: SubZero.self,
        DiZO.name: DiZO.self,
        PGAP.name: PGAP.self,
    ]

    /// Names in a stable order (for help texts).
    public static var names: [String] { estimators.keys.sorted() }

    /// The estimator called `name` with its default configuration, or nil for an unknown name.
    public static func makeDefault(named name: String) -> (any ZerothOrderEstimator)? {
        estimators[name].map { $0.init() }
    }
}
