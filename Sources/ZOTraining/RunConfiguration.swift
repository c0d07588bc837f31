import ZOEstimators
import ZOModels
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
    /// The adapter trained on the frozen base; nil: the base's own weights train (full tuning).
    public var adapter: AdapterSettings?
    /// How the frozen base is held (adapter runs only); nil: fp32.
    public var basePrecision: StoragePrecision?
    /// Whether `basePrecision` is the adapter runs' default rather than asked for
    /// (`ModelLoadOptions.basePrecisionIsDefault`); nil: asked for.
    public var basePrecisionIsDefault: Bool?
    /// How products on the narrow base are computed; nil: `automatic`.
    public var baseProducts: BaseProducts?

    public init(
        zotuneVersion: String = ZOTuneVersion.current, model: String, task: String? = nil, taskSpec: String? = nil,
        dataSeed: UInt64 = 0, splitSizes: SplitSizes = .mezo, method: MethodConfiguration,
        training: TrainingSettings = TrainingSettings(), trainableRoles: [ParameterRole] = ParameterRole.allCases,
        trainableLastLayers: Int? = nil, adapter: AdapterSettings? = nil, basePrecision: StoragePrecision? = nil
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
        self.adapter = adapter
        self.basePrecision = basePrecision
    }

    /// The precision the run's base loads with.
    public var modelLoadPrecision: StoragePrecision { basePrecision ?? .float32 }

    /// Loads the run's base (or `reference` in its place) as the run holds it.
    func loadModel(_ reference: String? = nil, status: (String) -> Void) throws -> LoadedModel {
        try taskSource.loadModel(reference ?? model, basePrecision: modelLoadPrecision,
                                 basePrecisionIsDefault: basePrecisionIsDefault ?? false,
                                 baseProducts: baseProducts ?? .automatic, status: status)
    }

    /// The examples the run trains and evaluates on.
    public var taskSource: TaskSource {
        TaskSource(task: task, taskSpec: taskSpec, dataSeed: dataSeed, sizes: splitSizes)
    }
}
