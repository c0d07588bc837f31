import ArgumentParser
import ZOCommandLine
import ZOTraining
import Foundation
import ZOModels
import ZOTensor
import ZOTokenizers

struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show a model's architecture, parameters by role and layer, and memory needs.")

    @OptionGroup var modelOptions: ModelOptions

    @Flag(name: .long, help: "List every parameter tensor instead of one row per kind.")
    var allParameters = false

    @Flag(name: .long, help: "Also print the file's metadata keys.")
    var metadata = false

    func run() throws {
        let loaded = try modelOptions.load()
        let arena = loaded.model.weights
        print("model      \(loaded.reference)")
        print("path       \(loaded.path)")
        print("format     \(loaded.format)")
        print("stored as  " + loaded.encodings.sorted { $0.key < $1.key }.map { "\($0.key) ×\($0.value)" }.joined(separator: ", "))
        for (label, value) in loaded.model.architectureSummary { print(TextColumns.padded(label, 11) + value) }
        if let tokenizer = try? loaded.tokenizer() {
            let kind: String
            switch tokenizer {
            case is WordPieceTokenizer: kind = "WordPiece"
            case is SentencePieceBPETokenizer: kind = "SentencePiece BPE"
            default: kind = "byte-level BPE"
            }
            print("tokenizer  \(kind), \(tokenizer.vocabularySize) tokens")
        }
        print()
        printParameterTable(arena)
        print()
        var byRole: [ParameterRole: Int] = [:]
        for entry in arena.entries { byRole[entry.role, default: 0] += entry.count }
        for role in ParameterRole.allCases where byRole[role] != nil {
            print(TextColumns.padded(role.rawValue, 11) + Abbreviated.count(byRole[role]!))
        }
        print(TextColumns.padded("total", 11) + Abbreviated.count(arena.parameterCount))
        print()
        let weightBytes = arena.byteCount
        let activation = loaded.model.activationBytes(tokens: 16 * 64, longestSequence: 64)
        print("memory     weights \(Abbreviated.bytes(weightBytes)); one forward of 16×64 tokens adds \(Abbreviated.bytes(activation)) of activations")
        if metadata {
            print()
            for (key, value) in loaded.metadataSummary { print("\(key) = \(value)") }
        }
    }

    private func printParameterTable(_ arena: WeightArena) {
        print(Self.row("parameter", "shape", "role", "count"))
        if allParameters {
            for e in arena.entries {
                print(Self.row(e.name, TextColumns.shape(e.shape), e.role.rawValue, Abbreviated.count(e.count)))
            }
            return
        }
        // One row per kind: layer tensors are shown once as <prefix>.*.<suffix> (model.layers.*.…,
        // transformer.h.*.…) with their layer count.
        var order: [String] = []
        var rows: [String: (entry: ParameterEntry, layers: Int)] = [:]
        for e in arena.entries {
            let key = e.layer.flatMap { layer in
                e.name.range(of: ".\(layer).").map { e.name.replacingCharacters(in: $0, with: ".*.") }
            } ?? e.name
            if let row = rows[key] { rows[key] = (row.entry, row.layers + 1) } else { rows[key] = (e, 1); order.append(key) }
        }
        for key in order {
            let (e, layers) = rows[key]!
            let total = layers > 1 ? "\(Abbreviated.count(e.count * layers)) (\(layers) layers)" : Abbreviated.count(e.count)
            print(Self.row(key, TextColumns.shape(e.shape), e.role.rawValue, total))
        }
    }

    /// Left-aligned columns (`String(format:)` does not pad `%@` on Linux).
    static func row(_ name: String, _ shape: String, _ role: String, _ count: String) -> String {
        TextColumns.padded(name, 49) + TextColumns.padded(shape, 15) + TextColumns.padded(role, 11) + count
    }
}
