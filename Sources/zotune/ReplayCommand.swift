import ArgumentParser
import Foundation
import ZOEstimators
import ZOModels
import ZOTensor
import ZOTraining

struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Rebuild a run's trained weights from the base model and its seed log, with no forward pass.",
        discussion: "The result is byte-identical to the weights the run trained (the options come from the run's config.json next to the log).")

    @Option(name: .long, help: "The base model the run started from (default: the run's --model).")
    var base: String?

    @Option(name: .long, help: "The run's seed-log.jsonl.")
    var log: String

    @Option(name: .long, help: "Where to write the rebuilt weights (.safetensors).")
    var output: String

    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws { try NewOutputFile.check(output) }

    func run() throws {
        threadOptions.apply()
        let logURL = URL(fileURLWithPath: log)
        let configurationURL = logURL.deletingLastPathComponent().appendingPathComponent("config.json")
        guard FileManager.default.fileExists(atPath: configurationURL.path) else {
            throw ValidationError("\(log) has no config.json beside it; replay reads the run's options from its run folder.")
        }
        let configuration = try RunDirectory.readJSON(RunConfiguration.self, from: configurationURL)
        let records = try SeedLogReplay.records(from: logURL)
        let start = Date()
        let written = try configuration.method.accept(
            ReplayVisitor(configuration: configuration, base: base ?? configuration.model, records: records,
                          output: URL(fileURLWithPath: output)))
        Console.status(String(format: "replayed %d steps in %.1f s; wrote %d tensors to %@", records.count,
                              Date().timeIntervalSince(start), written, output))
    }
}

struct ReplayVisitor: EstimatorVisitor {
    let configuration: RunConfiguration
    let base: String
    let records: [StepRecord]
    let output: URL

    func visit<Estimator: ZerothOrderEstimator>(_ estimator: Estimator) throws -> Int {
        let loaded = try TaskOptions(configuration).loadModel(base)
        let parameters = configuration.trainableSet(in: loaded.model.weights)
        try SeedLogReplay.replay(records, estimator: estimator, parameters: parameters,
                                 runSeed: configuration.training.seed, totalSteps: configuration.training.steps)
        let entries = parameters.tensors.map(\.entry)
        try WeightCheckpoint.save(loaded.model.weights, entries: entries, to: output, metadata: ["step": String(records.count)])
        return entries.count
    }
}
