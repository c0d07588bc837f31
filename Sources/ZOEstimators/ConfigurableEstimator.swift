/// An estimator built from a configuration whose settings it declares: what the method registry,
/// the command line and `config.json` need to know about a method.
public protocol ConfigurableEstimator: ZerothOrderEstimator, SendableMetatype {
    associatedtype Configuration: EstimatorConfiguration
    init(configuration: Configuration)
    var configuration: Configuration { get }
    /// One line for help texts.
    static var summary: String { get }
    /// The scale of learning rate the method's full-tuning steps need (the centre of `--lr auto`'s
    /// grid): rates of methods whose step is normalised differ from MeZO's by decades.
    static var typicalLearningRate: Float { get }
}

extension ConfigurableEstimator {
    public static var typicalLearningRate: Float { 1e-5 }
}

/// A method's options: `defaults`, every setting listed once in `settings`. Property
/// names are the settings' names, so the synthesized `Codable` writes them as `config.json` keys.
public protocol EstimatorConfiguration: Codable, Equatable, Sendable {
    /// The method's defaults.
    static var defaults: Self { get }
    static var settings: [MethodSetting<Self>] { get }
    /// Keys an older `config.json` used for settings renamed since (old key → setting name).
    static var formerNames: [String: String] { get }
}

extension EstimatorConfiguration {
    public static var formerNames: [String: String] { [:] }

    /// Refuses a value out of its setting's range, naming the flag.
    public func validate() throws {
        for setting in Self.settings {
            if let problem = setting.problem(self) { throw EstimatorError.invalidConfiguration("\(setting.flag) \(problem)") }
        }
    }

    /// Whether `other` is a configuration of the same method with the same values.
    func isEqual(to other: any EstimatorConfiguration) -> Bool { (other as? Self) == self }
}
