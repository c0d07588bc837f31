import ArgumentParser
import Foundation
import ZOCommandLine
import ZOTraining

/// `zotune examples`: the sampled splits as text, so that other tools (a first-order reference in
/// PyTorch, a spreadsheet) see exactly the prompts and candidates a run trains and scores.
struct ExamplesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "examples",
        abstract: "Print a task's sampled examples as JSON lines: split, prompt, candidates and label.",
        discussion: "The same splits train and eval use for the same task options (--data-seed and sizes); "
            + "prompts are the task's template filled in, before tokenization.")

    enum Split: String, ExpressibleByArgument, CaseIterable { case train, dev, test, all }

    @OptionGroup var taskOptions: TaskOptions

    @Option(name: .long, help: "Which split to print: train, dev, test or all.")
    var split = Split.all

    /// One line of output.
    struct Line: Encodable {
        let split: String
        let prompt: String
        let candidates: [String]
        let label: Int
        /// A generation task's reference answers.
        let answers: [String]?
    }

    func run() throws {
        let (task, splits) = try taskOptions.source.load(status: Console.status)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for (name, examples) in [("train", splits.train), ("dev", splits.dev), ("test", splits.test)]
        where split == .all || split.rawValue == name {
            for example in examples {
                let line = Line(split: name, prompt: try task.prompt(for: example), candidates: try task.candidates(for: example),
                                label: example.label, answers: example.answers)
                print(String(decoding: try encoder.encode(line), as: UTF8.self))
            }
        }
    }
}
