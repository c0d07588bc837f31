import ArgumentParser
import Foundation
import ZOTraining

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Redraw a run folder's training.svg (loss and dev accuracy against steps) from its metrics.jsonl.")

    @Argument(help: "The run folder.")
    var folder: String

    func run() throws {
        let run = RunDirectory(URL(fileURLWithPath: folder))
        let configuration = try run.readConfiguration()
        try TrainingPlot.write(run, title: "\(configuration.method.name) on \(configuration.taskSource.name)")
        print(run.plot.path)
    }
}
