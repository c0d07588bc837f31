import ArgumentParser
import ZOCommandLine
import Foundation
import ZOFormats
import ZOModels
import ZOTraining

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a run's trained weights as files other tools load.",
        discussion: """
            peft: the adapter of a LoRA, prefix- or prompt-tuning run as a PEFT folder (adapter_config.json + \
            adapter_model.safetensors), which PeftModel.from_pretrained applies to the transformers model of the \
            same base. An adapter run also leaves this folder, from its best weights, in RUN/adapter when it ends.

            gguf-lora: a LoRA adapter as one GGUF file that llama.cpp applies with --lora to the base's GGUF \
            (llama, qwen2 and gpt2 bases).

            gguf: the whole tuned model as a GGUF of the base's architecture, metadata and tokenizer (a GGUF \
            base, llama or qwen2), matrices in --gguf-type: GGUF in, GGUF out.

            merged: a Hugging Face folder of the tuned model (config, tokenizer files, model.safetensors) with \
            the adapter folded into the weights, or a full-tuning run's weights; the base must be a Hugging \
            Face folder.
            """)

    @Argument(help: ArgumentHelp("The run folder.", valueName: "run"))
    var runFolder: String

    @Option(name: .long, help: "What to write: \(RunExport.Format.allCases.map(\.rawValue).joined(separator: ", ")).")
    var format: RunExport.Format = .peft

    @Option(name: .long, help: "Matrix encoding of a gguf export: f32, f16, bf16 or q8_0.")
    var ggufType = "f16"

    @Option(name: .long, help: "Which weights: best (at the best dev accuracy) or latest.")
    var checkpoint: RunExport.Checkpoint = .best

    @Option(name: .long, help: "Where to write: a new or empty folder (peft, merged), a new file (gguf-lora, gguf).")
    var output: String

    @OptionGroup var resourceOptions: ResourceOptions

    func validate() throws {
        _ = try Self.ggmlType(ggufType)
        if format == .ggufLoRA || format == .gguf { return try NewOutputFile.check(output) }
        do {
            try NewOutputFolder.check(URL(fileURLWithPath: output))
        } catch let error as AdapterError {
            throw ValidationError("--output: \(error).")
        }
    }

    func run() throws {
        resourceOptions.apply()
        var export = RunExport(run: URL(fileURLWithPath: runFolder))
        export.checkpoint = checkpoint
        export.ggufType = try Self.ggmlType(ggufType)
        try export.write(format, to: URL(fileURLWithPath: output), status: Console.status)
        Console.status("wrote \(format.rawValue) to \(output)")
    }
}

extension ExportCommand {
    /// `--gguf-type`'s word as a GGML type.
    static func ggmlType(_ word: String) throws -> GGMLType {
        guard let type = GGUFWriter.Tensor.encodable.first(where: { $0.name.lowercased() == word.lowercased() }) else {
            throw ValidationError("--gguf-type must be one of \(GGUFWriter.Tensor.encodable.map { $0.name.lowercased() }.joined(separator: ", ")), got \(word).")
        }
        return type
    }
}

extension RunExport.Format: ExpressibleByArgument {}
extension RunExport.Checkpoint: ExpressibleByArgument {}
