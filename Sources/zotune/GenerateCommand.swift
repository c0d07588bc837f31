import ArgumentParser
import ZOCommandLine
import Foundation
import ZOModels

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Continue a prompt with greedy decoding and print the continuation.")

    @OptionGroup var modelOptions: ModelOptions
    @OptionGroup var adapterOptions: AdapterOptions
    @OptionGroup var threadOptions: ThreadOptions

    @Option(name: .long, help: "The text to continue.")
    var prompt: String

    @Option(name: .long, help: "Maximum number of tokens to generate.")
    var maxNewTokens: Int = 20

    func validate() throws {
        guard maxNewTokens >= 0 else { throw ValidationError("--max-new-tokens must be zero or more.") }
        guard !prompt.isEmpty else { throw ValidationError("--prompt must not be empty.") }
    }

    func run() throws {
        threadOptions.apply()
        let loaded = try modelOptions.load()
        try adapterOptions.apply(to: loaded.model)
        guard loaded.model.outputKind == .causalLanguageModel else {
            throw ValidationError("\(loaded.reference) is an encoder (\(loaded.model.family)); generate needs a decoder.")
        }
        let tokenizer = try loaded.tokenizer()
        let promptIDs = tokenizer.encode(prompt)
        let start = Date()
        let stop = loaded.endOfSequenceID.map { Set([$0]) } ?? []
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
}
