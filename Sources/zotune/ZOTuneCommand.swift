import ArgumentParser
import ZOTensor
import ZOTraining

@main
struct ZOTuneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "zotune",
        abstract: "Fine-tune language models with forward passes only (zeroth-order optimisation).",
        discussion: """
            Models: a .gguf file (llama, qwen2, gpt2, bert), a Hugging Face folder (config.json, weights in \
            *.safetensors or pytorch_model*.bin, tokenizer.json or the slow tokenizer files; llama, qwen2, opt, \
            gpt2, bert, roberta), or a built-in name, smollm2-135m or all-minilm-l6-v2 (fetched into \
            $ZOTUNE_HOME, default ~/.cache/zotune, on first use).
            """,
        version: ZOTuneVersion.current,
        subcommands: [
            TrainCommand.self, EvalCommand.self, ReplayCommand.self, PlotCommand.self, FetchCommand.self, GenerateCommand.self, TokenizeCommand.self,
            ForwardCommand.self, InspectCommand.self, ExportCommand.self, ExamplesCommand.self,
        ])

    /// Gives OpenBLAS the kernels this CPU runs when it does not know the CPU, then runs the command.
    static func main() {
        OpenBLASCoreChoice.reexecuteWithFittingKernels()
        main(nil)
    }
}
