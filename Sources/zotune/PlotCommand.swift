import ArgumentParser
import Foundation
import ZOTasks
import ZOTraining

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Redraw a run folder's training.svg (loss and dev accuracy against steps) from its metrics.jsonl.")

    @Argument(help: "The run folder.")
    var folder: String

    func run() throws {
        let run = RunDirectory(URL(fileURLWithPath: folder))
        let configuration = try RunDirectory.readJSON(RunConfiguration.self, from: run.configuration)
        let task = configuration.taskSpec.map { URL(fileURLWithPath: $0).deletingPathExtension().lastPathComponent }
            ?? configuration.task ?? TaskCatalog.defaultName
        try TrainingPlot.write(run, title: "\(configuration.method.name) on \(task)")
        print(run.plot.path)
    }
}
