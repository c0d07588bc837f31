import ArgumentParser
import Foundation
import ZOModels
import ZOTensor
import ZOTokenizers

extension StoragePrecision: ExpressibleByArgument {}
extension BaseProducts: ExpressibleByArgument {}

/// The `--model` option shared by every command that runs a model.
public struct ModelOptions: ParsableArguments {
    @Option(name: .long, help: "A .gguf file, a Hugging Face folder, or a built-in name (\(ModelCatalog.names.joined(separator: ", "))).")
    public var model: String = ModelCatalog.defaultName

    @Option(name: .long, help: ArgumentHelp(
        "How the model's weight matrices are held: f32, bf16 (half the memory) or stored (as the file encodes them, e.g. a GGUF's quantized blocks); decoders. On CPUs where AVX512-BF16 outruns fp32 (Zen 4/5; not Sapphire or Emerald Rapids, where it is half as fast), products on bf16 and stored weights run in bf16 (activations rounded, fp32 sums). Default f32; in train, stored for adapter runs (encoders stay f32) and f32 for full tuning, the only one it allows.",
        valueName: "precision"))
    public var basePrecision: StoragePrecision?

    @Option(name: .long, help: ArgumentHelp(
        "How products on a bf16 or stored base are computed: auto (fp32, or bf16 where faster) or int8 (AVX512-VNNI: weights and activations quantized per 64 inputs, as llama.cpp does; about 3× the fp32 rate; logits move by a few percent of the largest; see --packed-base-memory). Default auto; eval --checkpoint uses the run's.",
        valueName: "products"))
    public var baseProducts: BaseProducts?

    /// The precision asked for, else f32.
    public var precision: StoragePrecision { basePrecision ?? .float32 }

    public init() {}

    /// Resolves (fetching if needed) and loads the model, reporting progress on stderr.
    public func load() throws -> LoadedModel {
        try ModelReference.load(model, options: ModelLoadOptions(basePrecision: precision, baseProducts: baseProducts ?? .automatic)) { Console.status($0) }
    }

    /// Resolves (fetching if needed) the model and builds only its tokenizer.
    public func tokenizer() throws -> any TextTokenizer {
        try ModelReference.tokenizer(model) { Console.status($0) }
    }
}
