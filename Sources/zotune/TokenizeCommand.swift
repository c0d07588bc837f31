import ArgumentParser
import ZOCommandLine
import Foundation
import ZOModels

struct TokenizeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tokenize",
        abstract: "Print the token ids of each input line as one JSON array per line.",
        discussion: """
            Input lines may use \\n, \\t and \\\\ escapes. Ids are those of HF's encode(line): with the special \
            tokens the tokenizer adds around a text (LLaMA's BOS, BERT's [CLS] and [SEP]; none for SmolLM2).
            """)

    @OptionGroup var modelOptions: ModelOptions

    @Option(name: .long, help: "A text file with one sequence per line.")
    var textFile: String

    func run() throws {
        let lines = try EscapedTextFile.lines(at: textFile)
        let tokenizer = try modelOptions.tokenizer()  // no weights: tokenizing a 1 GB model stays instant
        var output = ""
        for line in lines {
            output += "[" + tokenizer.encode(line).map(String.init).joined(separator: ", ") + "]\n"
        }
        FileHandle.standardOutput.write(Data(output.utf8))
    }
}
