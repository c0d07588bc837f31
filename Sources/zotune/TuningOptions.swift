import ArgumentParser
import Foundation
import ZOModels

/// What `train` tunes: all weights, or an adapter on the frozen base.
struct TuningOptions: ParsableArguments {
    enum Scheme: String, ExpressibleByArgument, CaseIterable {
        case full, lora, prefix, prompt
    }

    @Option(name: .long, help: "What to train: full (every weight), lora (low-rank pairs on a frozen base), prefix (key/value rows every layer attends to first) or prompt (virtual tokens before every prompt).")
    var tuning = Scheme.full

    @Option(name: .long, help: "Prompt tuning: virtual tokens put before every prompt (default 10).")
    var promptTokens: Int?

    @Option(name: .long, help: "Prefix tuning: key/value rows per layer every token attends to first (default 5).")
    var prefixTokens: Int?

    @Option(name: .long, help: "LoRA rank r (default 8).")
    var loraRank: Int?

    @Option(name: .long, help: "LoRA α; the pairs' output is scaled by α / r (default 16).")
    var loraAlpha: Float?

    @Option(name: .long, help: ArgumentHelp(
        "Linear weights that get LoRA pairs, by parameter kind, comma-separated (default q,v).",
        discussion: "Kinds: \(LoRASettings.targetWords.joined(separator: ", ")); mlp is every MLP projection the model has."))
    var loraTargets: String?

    func validate() throws {
        if tuning != .lora, loraRank != nil || loraAlpha != nil || loraTargets != nil {
            throw ValidationError("--lora-rank, --lora-alpha and --lora-targets need --tuning lora.")
        }
        if tuning != .prompt, promptTokens != nil { throw ValidationError("--prompt-tokens needs --tuning prompt.") }
        if tuning != .prefix, prefixTokens != nil { throw ValidationError("--prefix-tokens needs --tuning prefix.") }
        if let promptTokens, promptTokens < 1 { throw ValidationError("--prompt-tokens must be at least 1, got \(promptTokens).") }
        if let prefixTokens, prefixTokens < 1 { throw ValidationError("--prefix-tokens must be at least 1, got \(prefixTokens).") }
        _ = try adapter()
    }

    /// The adapter to train; nil for full tuning.
    func adapter() throws -> AdapterSettings? {
        switch tuning {
        case .full:
            return nil
        case .prompt:
            return .prompt(PromptSettings(tokens: promptTokens ?? PromptSettings().tokens))
        case .prefix:
            return .prefix(PrefixSettings(tokens: prefixTokens ?? PrefixSettings().tokens))
        case .lora:
            let defaults = LoRASettings()
            let targets = loraTargets.map {
                $0.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
            let settings = LoRASettings(
                rank: loraRank ?? defaults.rank, alpha: loraAlpha ?? defaults.alpha, targets: targets ?? defaults.targets)
            do {
                try settings.validate()
            } catch let error as AdapterError {
                throw ValidationError(error.description + ".")
            }
            return .lora(settings)
        }
    }
}
