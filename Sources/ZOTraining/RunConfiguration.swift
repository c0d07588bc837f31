import ZOEstimators
import ZOTasks
import ZOTensor

/// A method and its full configuration; recorded in `config.json` so a run can be resumed or replayed
/// with exactly the options it was trained with.
public enum MethodConfiguration: Codable, Equatable, Sendable {
    case mezo(MeZO.Configuration)
    case subzero(SubZero.Configuration)
    case dizo(DiZO.Configuration)
    case pgap(PGAP.Configuration)

    public static let names = [MeZO.name, SubZero.name, DiZO.name, PGAP.name]

    /// The method's defaults.
    public static func defaults(for name: String) throws -> MethodConfiguration {
        switch name {
        case MeZO.name: return .mezo(.init())
        case SubZero.name: return .subzero(.init())
        case DiZO.name: return .dizo(.init())
        case PGAP.name: return .pgap(.init())
        default: throw TrainingError.unknownMethod(name, known: names)
        }
    }

    public var name: String {
        switch self {
        case .mezo: return MeZO.name
        case .subzero: return SubZero.name
        case .dizo: return DiZO.name
        case .pgap: return PGAP.name
        }
    }

    /// Builds the estimator and hands it, with its concrete type, to `visitor`.
    public func accept<Visitor: EstimatorVisitor>(_ visitor: Visitor) throws -> Visitor.Result {
        switch self {
        case let .mezo(c): return try visitor.visit(MeZO(configuration: c))
        case let .subzero(c): return try visitor.visit(SubZero(configuration: c))
        case let .dizo(c): return try visitor.visit(DiZO(configuration: c))
        case let .pgap(c): return try visitor.visit(PGAP(configuration: c))
        }
    }
}

/// Something to do with an estimator whose type is only known at run time (train, replay).
public protocol EstimatorVisitor {
    associatedtype Result
    func visit<Estimator: ZerothOrderEstimator>(_ estimator: Estimator) throws -> Result
}

/// Everything about a run, written as `config.json` in its folder.
public struct RunConfiguration: Codable, Equatable, Sendable {
    public var zotuneVersion: String
    /// `--model` as given (a built-in name or a path).
    public var model: String
    public var task: String?
    public var taskSpec: String?
    public var dataSeed: UInt64
    public var splitSizes: SplitSizes
    public var method: MethodConfiguration
    public var training: TrainingSettings
    /// Roles of the parameters trained (others stay frozen).
    public var trainableRoles: [ParameterRole]
    /// Train only the last N transformer layers and the head (`TrainableSet`); nil: every layer.
    public var trainableLastLayers: Int?

    public init(
        zotuneVersion: String = ZOTuneVersion.current, model: String, task: String? = nil, taskSpec: String? = nil,
        dataSeed: UInt64 = 0, splitSizes: SplitSizes = .mezo, method: MethodConfiguration,
        training: TrainingSettings = TrainingSettings(), trainableRoles: [ParameterRole] = ParameterRole.allCases,
        trainableLastLayers: Int? = nil
    ) {
        self.zotuneVersion = zotuneVersion
        self.model = model
        self.task = task
        self.taskSpec = taskSpec
        self.dataSeed = dataSeed
        self.splitSizes = splitSizes
        self.method = method
        self.training = training
        self.trainableRoles = trainableRoles
        self.trainableLastLayers = trainableLastLayers
    }

    /// The examples the run trains and evaluates on.
    public var taskSource: TaskSource {
        TaskSource(task: task, taskSpec: taskSpec, dataSeed: dataSeed, sizes: splitSizes)
    }

    /// The parameters this run trains in `arena`.
    public func trainableSet(in arena: WeightArena) -> TrainableSet {
        TrainableSet(arena: arena, roles: Set(trainableRoles), lastLayers: trainableLastLayers)
    }

    /// The same, refusing an empty set (e.g. `--trainable head` on a masked LM).
    public func checkedTrainableSet(in arena: WeightArena) throws -> TrainableSet {
        let parameters = trainableSet(in: arena)
        guard !parameters.tensors.isEmpty else {
            throw TrainingError.invalidOption("--trainable \(trainableRoles.map(\.rawValue).joined(separator: " "))"
                + (trainableLastLayers.map { " --trainable-layers \($0)" } ?? "") + " selects no parameter of this model.")
        }
        return parameters
    }
}

