import ArgumentParser

@main
struct ZOTuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zotune",
        abstract: "Fine-tune language models with forward passes only (zeroth-order optimisation).",
        discussion: """
            Models: a .gguf file, a Hugging Face folder (config.json + *.safetensors + tokenizer.json), or \
            the built-in name smollm2-135m (fetched into $ZOTUNE_HOME, default ~/.cache/zotune, on first use).
            """,
        version: "0.1.0",
        subcommands: [
            TrainCommand.self, EvalCommand.self, ReplayCommand.self, PlotCommand.self, FetchCommand.self, GenerateCommand.self, TokenizeCommand.self,
            ForwardCommand.self, InspectCommand.self, BenchCommand.self,
        ])
}
