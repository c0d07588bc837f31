/// Every method by its command-line name. Adding a method = its file + one line here.
public enum MethodRegistry {
    public static let methods: [any ConfigurableEstimator.Type] = [
        MeZO.self,
        SubZero.self,
        DiZO.self,
        PGAP.self,
        FZOO.self,
        ZOMuon.self,
    ]

    /// Names in registration order (for help texts and errors).
    public static var names: [String] { methods.map { $0.name } }

    /// Names of the methods that have a setting with this flag.
    public static func methods(takingFlag flag: String) -> [String] {
        var names: [String] = []
        for method in methods where flags(of: method).contains(flag) { names.append(method.name) }
        return names
    }

    /// The flags a method takes, in its settings' order.
    public static func flags<Estimator: ConfigurableEstimator>(of _: Estimator.Type) -> [String] {
        Estimator.Configuration.settings.map(\.flag)
    }

    /// A method's settings as help lines: flag, whether it takes a list, and its help.
    public static func help<Estimator: ConfigurableEstimator>(of _: Estimator.Type) -> [(flag: String, takesList: Bool, help: String)] {
        Estimator.Configuration.settings.map { ($0.flag, $0.takesList, $0.help) }
    }

    /// The method called `name`.
    public static func method(named name: String) throws -> any ConfigurableEstimator.Type {
        guard let method = methods.first(where: { $0.name == name }) else {
            throw EstimatorError.unknownMethod(name, known: names)
        }
        return method
    }
}
