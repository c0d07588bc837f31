import ZOEstimators
import ZOTasks
import ZOTensor

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

