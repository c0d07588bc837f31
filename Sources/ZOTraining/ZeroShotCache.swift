import Foundation
import ZOTensor

/// Zero-shot evaluations kept between runs. Every run of a sweep (learning rates, methods, seeds)
/// starts from the same weights on the same dev and test examples, so it would recompute the same
/// zero-shot numbers — about a tenth of a short run. An entry is reused only when what decides them
/// matches: the weights' bytes and the model's files, the encoded examples, the objective, the
/// evaluation batch, the trainable set (a frozen encoder scores through another path), the program
/// and the BLAS library and kernel (either may move the low bits). Entries are one small JSON file
/// each, written atomically; an unreadable or mismatched one is ignored and replaced.
public struct ZeroShotCache: Sendable {
    public struct Entry: Codable, Equatable, Sendable {
        public let key: String
        public let dev: Evaluation
        public let test: Evaluation
    }

    public let folder: URL
    public let key: String

    public init(folder: URL, key: String) {
        self.folder = folder
        self.key = key
    }

    /// The cache entry for `weights` (with `adapter`'s tensors attached) evaluated on `data`'s dev and test splits. `modelFiles`
    /// identifies what the weights came from (`fileIdentity`), which covers what the arena does not
    /// hold: the architecture's settings (config.json, GGUF metadata).
    public init(
        folder: URL, weights: WeightArena, adapter: WeightArena? = nil, modelFiles: String, trainable: [ParameterEntry],
        data: EncodedSplits, objective: Objective, evalBatchSize: Int,
        program: String = ZeroShotCache.fileIdentity(ZeroShotCache.programPath) + BLAS.libraryDescription
            + (PackedBFloat16.isActive ? " | bf16 products" : "")
    ) {
        var hash = ContentHash()
        let products = weights.productScratch.products == .automatic ? "" : " | \(weights.productScratch.products.rawValue) products"
        hash.combine("zero-shot v1|\(program)\(products)|\(modelFiles)|\(objective.rawValue)|\(evalBatchSize)")
        hash.combine(trainable.map(\.name).sorted().joined(separator: ","))
        // An adapter's starting values count too (a prompt's virtual tokens change zero-shot scores).
        for arena in [weights] + [adapter].compactMap({ $0 }) {
            for entry in arena.entries {
                hash.combine("\(entry.name)\(entry.shape)\(entry.precision == .float32 ? "" : " " + entry.precision.rawValue)")
                hash.combine(arena.bytes(entry))
            }
        }
        for (split, examples) in [("dev", data.dev), ("test", data.test)] {
            hash.combine("\(split) \(examples.count)")
            for example in examples {
                hash.combine(example.prompt)
                hash.combine(example.candidates.map(\.count))
                hash.combine(Array(example.candidates.joined()))
                hash.combine([example.label, example.answerPosition])
                hash.combine(example.references.joined(separator: "\u{1F}"))
            }
        }
        if let generator = data.generator {
            hash.combine("generation \(generator.generation.maxNewTokens) \(generator.stopTokens.sorted())")
        }
        self.init(folder: folder, key: hash.hexDigest)
    }

    /// This executable: a rebuild changes its identity.
    public static var programPath: String { Bundle.main.executablePath ?? CommandLine.arguments[0] }

    /// Path, size and modification time of a file, or of each file in a folder and its subfolders
    /// (a sentence-transformers folder keeps its pooling settings in `1_Pooling/config.json`).
    public static func fileIdentity(_ path: String) -> String {
        let fm = FileManager.default
        func identity(_ file: String) -> String {
            let attributes = (try? fm.attributesOfItem(atPath: file)) ?? [:]
            let size = (attributes[.size] as? NSNumber)?.intValue ?? -1
            let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? -1
            return "\(file) \(size) \(modified)"
        }
        var isFolder: ObjCBool = false
        guard fm.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue,
              let names = fm.enumerator(atPath: path)?.allObjects as? [String] else { return identity(path) }
        return names.sorted().map { identity(path + "/" + $0) }.joined(separator: "\n")
    }

    private var file: URL { folder.appendingPathComponent("\(key).json") }

    /// The stored evaluations, or nil when there are none for this key.
    public func load() -> (dev: Evaluation, test: Evaluation)? {
        guard let data = FileManager.default.contents(atPath: file.path),
              let entry = try? JSONDecoder().decode(Entry.self, from: data), entry.key == key else { return nil }
        return (entry.dev, entry.test)
    }

    /// Stores the evaluations; a cache that cannot be written costs only the next run's time.
    public func store(dev: Evaluation, test: Evaluation) {
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try? RunDirectory.writeJSON(Entry(key: key, dev: dev, test: test), to: file)
    }
}
