import ArgumentParser
import ZOCommandLine
import Foundation
import ZOFormats
import ZOModels
import ZOTensor

struct ForwardCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "forward",
        abstract: "Write the last-position logits of each input line to a safetensors file.",
        discussion: """
            The output holds one F32 tensor `logits` of shape [lines, vocab]: row i is the logits at the last \
            token of line i, each line run as its own sequence (lines are batched internally). This is the \
            interface for checking ZOTune against transformers.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var adapterOptions: AdapterOptions
    @OptionGroup var resourceOptions: ResourceOptions

    @Option(name: .long, help: "A text file with one sequence per line (\\n, \\t, \\\\ escapes).")
    var textFile: String

    @Option(name: .long, help: "Where to write the safetensors file.")
    var output: String

    @Option(name: .long, help: "Sequences per forward pass.")
    var batchSize: Int = 16

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive.") }
        try NewOutputFile.check(output)
    }

    func run() throws {
        resourceOptions.apply()
        let lines = try EscapedTextFile.lines(at: textFile)
        guard !lines.isEmpty else { throw ValidationError("\(textFile) has no lines.") }
        let loaded = try modelOptions.load()
        try adapterOptions.apply(to: loaded.model)
        let tokenizer = try loaded.tokenizer()
        let encoded = lines.map { tokenizer.encode($0) }
        if let empty = encoded.firstIndex(where: \.isEmpty) {
            throw ValidationError("\(textFile) line \(empty + 1) is empty; every line needs at least one token.")
        }
        let sequences = encoded.map { loaded.model.virtualPrefix + $0 }
        let vocabulary = loaded.model.outputSize
        var logits: [Float] = []
        logits.reserveCapacity(sequences.count * vocabulary)
        let progress = ProgressReporter(total: sequences.count, unit: "sequences")
        for start in stride(from: 0, to: sequences.count, by: batchSize) {
            let batch = Array(sequences[start..<min(start + batchSize, sequences.count)])
            logits += try loaded.model.lastPositionLogits(batch)
            progress.advance(by: batch.count)
        }
        progress.finish()
        // Finite weights can still overflow fp32 on the way (e.g. a run's ruined checkpoint): say so
        // rather than write logits no tool can use.
        if let bad = logits.withUnsafeBufferPointer(NonFiniteScan.firstIndex) {
            throw ValidationError("the logits of line \(bad / vocabulary + 1) are not finite: the model's activations overflow fp32.")
        }
        let tensor = SafetensorsWriter.Tensor(name: "logits", shape: [sequences.count, vocabulary], floats: logits)
        try SafetensorsWriter().write(
            [tensor], metadata: ["model": loaded.reference, "producer": "zotune forward"],
            to: URL(fileURLWithPath: output))
        Console.status("wrote logits [\(sequences.count), \(vocabulary)] to \(output)")
    }
}
