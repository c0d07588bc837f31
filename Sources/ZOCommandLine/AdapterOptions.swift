import ArgumentParser
import ZOModels

/// The `--adapter` option of the commands that run a model: an adapter file applied to the base.
public struct AdapterOptions: ParsableArguments {
    @Option(name: .long, help: "An adapter to apply to the model: a PEFT folder (LoRA or prompt tuning: adapter_config.json + adapter_model.safetensors) or a llama.cpp LoRA GGUF.")
    public var adapter: String?

    public init() {}

    /// Applies `--adapter`, if given, to `model`, reporting it on stderr.
    public func apply(to model: LanguageModel) throws {
        guard let adapter else { return }
        let applied = try AdapterFile.apply(adapter, to: model)
        Console.status("applied \(applied.summary) (\(adapter))")
    }
}
