import ArgumentParser
import ZOCommandLine
import Foundation
import ZOModels
import ZOTokenizers

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Continue a prompt with greedy decoding and print the continuation.",
        discussion: """
            Decoding keeps every token's keys and values (a KV cache), so each new token costs one row. \
            With --text-file, every line is a prompt (\\n, \\t, \\\\ escapes), decoded --batch-size at a \
            time, and each continuation is printed as one JSON line: {"line", "prompt", "continuation", "tokens"}.
            """)

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var adapterOptions: AdapterOptions
    @OptionGroup var resourceOptions: ResourceOptions

    @Option(name: .long, help: "The text to continue.")
    var prompt: String?

    @Option(name: .long, help: "A text file with one prompt per line (\\n, \\t, \\\\ escapes); prints JSON lines.")
    var textFile: String?

    @Option(name: .long, help: "Prompts decoded together with --text-file.")
    var batchSize: Int = 8

    @Option(name: .long, help: "Maximum number of tokens to generate.")
    var maxNewTokens: Int = 20

    func validate() throws {
        guard maxNewTokens >= 0 else { throw ValidationError("--max-new-tokens must be zero or more.") }
        guard (prompt == nil) != (textFile == nil) else { throw ValidationError("give one of --prompt and --text-file.") }
        guard prompt?.isEmpty != true else { throw ValidationError("--prompt must not be empty.") }
        guard batchSize > 0 else { throw ValidationError("--batch-size must be positive.") }
    }

    func run() throws {
        resourceOptions.apply()
        let loaded = try modelOptions.load()
        try adapterOptions.apply(to: loaded.model)
        guard loaded.model.outputKind == .causalLanguageModel else {
            throw ValidationError("\(loaded.reference) is an encoder (\(loaded.model.family)); generate needs a decoder.")
        }
        let tokenizer = try loaded.tokenizer()
        let stop = loaded.endOfSequenceID.map { Set([$0]) } ?? []
        guard let prompt else { return try generateLines(loaded: loaded, tokenizer: tokenizer, stop: stop) }
        let promptIDs = tokenizer.encode(prompt)
        let start = Date()
        var emitted: [Int] = []
        var printedText = ""
        _ = try GreedyDecoding.continuation(
            of: promptIDs, model: loaded.model, maxNewTokens: maxNewTokens, stopAt: stop
        ) { token in
            // Print the new text as it becomes decodable (a token may end mid-character).
            emitted.append(token)
            let text = tokenizer.decode(emitted, after: promptIDs)
            if !text.hasSuffix("\u{FFFD}") {
                FileHandle.standardOutput.write(Data(text.dropFirst(printedText.count).utf8))
                printedText = text
            }
        }
        let text = tokenizer.decode(emitted, after: promptIDs)
        if text.count > printedText.count { FileHandle.standardOutput.write(Data(text.dropFirst(printedText.count).utf8)) }
        print()
        let seconds = Date().timeIntervalSince(start)
        Console.status(String(format: "%d prompt + %d new tokens in %.2f s", promptIDs.count, emitted.count, seconds))
    }

    /// One JSON line per line of `textFile`, decoding `batchSize` prompts at a time.
    private func generateLines(loaded: LoadedModel, tokenizer: any TextTokenizer, stop: Set<Int>) throws {
        let lines = try EscapedTextFile.lines(at: textFile!)
        guard !lines.isEmpty else { throw ValidationError("\(textFile!) has no lines.") }
        let encoded = lines.map { tokenizer.encode($0) }
        if let empty = encoded.firstIndex(where: \.isEmpty) {
            throw ValidationError("\(textFile!) line \(empty + 1) is empty; every line needs at least one token.")
        }
        let progress = ProgressReporter(total: lines.count, unit: "prompts")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for start in stride(from: 0, to: lines.count, by: batchSize) {
            let range = start..<min(start + batchSize, lines.count)
            let continuations = try GreedyDecoding.continuations(
                of: Array(encoded[range]), model: loaded.model, maxNewTokens: maxNewTokens, stopAt: stop)
            for (offset, tokens) in continuations.enumerated() {
                let index = range.lowerBound + offset
                let line = GeneratedLine(line: index + 1, prompt: lines[index],
                                         continuation: tokenizer.decode(tokens, after: encoded[index]), tokens: tokens)
                FileHandle.standardOutput.write(try encoder.encode(line) + Data("\n".utf8))
            }
            progress.advance(by: range.count)
        }
        progress.finish()
    }
}

/// One `generate --text-file` result.
private struct GeneratedLine: Encodable {
    let line: Int
    let prompt: String
    let continuation: String
    let tokens: [Int]
}
