import Foundation
import ZOEstimators
import ZOTraining

// usage: TuneTinyModel MODEL TASK_SPEC RUN_FOLDER
let arguments = CommandLine.arguments
guard arguments.count == 4 else {
    FileHandle.standardError.write(Data("usage: TuneTinyModel MODEL TASK_SPEC RUN_FOLDER\n".utf8))
    exit(2)
}
var training = TrainingSettings()
training.steps = 4
training.batchSize = 2
training.evalEvery = 2
let configuration = RunConfiguration(
    model: arguments[1], taskSpec: arguments[2], splitSizes: .init(train: 5, dev: 3, test: 3),
    method: .mezo(MeZO.Configuration(epsilon: 1e-3)), training: training)
do {
    let summary = try FineTune(configuration: configuration, folder: URL(fileURLWithPath: arguments[3])).run()
    print("\(summary.method) on \(summary.task): \(summary.steps) steps, test accuracy \(summary.test?.accuracy ?? .nan)")
} catch {
    FileHandle.standardError.write(Data("error: \(error)\n".utf8))
    exit(1)
}
