import ArgumentParser
import ZOCommandLine
import Foundation
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

    @OptionGroup var resourceOptions: ResourceOptions

    func validate() throws { try NewOutputFile.check(output) }

    func run() throws {
        resourceOptions.apply()
        let start = Date()
        let written = try SeedLogReplay.rebuild(
            log: URL(fileURLWithPath: log), base: base, output: URL(fileURLWithPath: output), status: Console.status)
        Console.status(String(format: "replayed %d steps in %.1f s; wrote %d tensors to %@", written.steps,
                              Date().timeIntervalSince(start), written.tensors, output))
    }
}
