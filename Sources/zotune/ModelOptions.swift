import ArgumentParser
import Foundation
import ZOModels
import ZOTokenizers

/// The `--model` option shared by every command that runs a model.
struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "A .gguf file, a Hugging Face folder, or a built-in name (\(ModelCatalog.names.joined(separator: ", "))).")
    var model: String = ModelCatalog.defaultName

    /// Resolves (fetching if needed) and loads the model, reporting progress on stderr.
    func load() throws -> LoadedModel {
        try ModelReference.load(model) { Console.status($0) }
    }

    /// Resolves (fetching if needed) the model and builds only its tokenizer.
    func tokenizer() throws -> any TextTokenizer {
        try ModelReference.tokenizer(model) { Console.status($0) }
    }
}

/// Status lines go to stderr so stdout stays machine-readable.
enum Console {
    static func status(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    static var standardErrorIsTerminal: Bool { isatty(fileno(stderr)) != 0 }
}
