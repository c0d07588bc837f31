import Foundation
import ZOFormats
#if canImport(Glibc)
import Glibc
#endif

/// The folder a training run leaves behind, laid out so a user can read it:
///
///     config.json          every option of the run (enough to resume or replay it)
///     metrics.jsonl        one JSON object per step and per evaluation
///     seed-log.jsonl       one StepRecord per step: replays the weights with no forward pass
///     checkpoints/latest/  weights (HF names, safetensors) + trainer and estimator state
///     checkpoints/best/    weights at the best dev accuracy
///     adapter/             an adapter run's best adapter as a PEFT folder (transformers + PEFT load it)
///     summary.json         zero-shot vs fine-tuned accuracy, cost
///     test-answers.jsonl   a generation task's test answers at the best dev point, with references
///     training.svg         loss and dev accuracy against steps
public struct RunDirectory: Sendable {
    public let url: URL

    public init(_ url: URL) { self.url = url }

    public var configuration: URL { url.appendingPathComponent("config.json") }
    public var metrics: URL { url.appendingPathComponent("metrics.jsonl") }
    public var seedLog: URL { url.appendingPathComponent("seed-log.jsonl") }
    public var latestCheckpoint: URL { url.appendingPathComponent("checkpoints/latest") }
    public var bestCheckpoint: URL { url.appendingPathComponent("checkpoints/best") }
    public var latest: CheckpointFolder { CheckpointFolder(latestCheckpoint) }
    public var best: CheckpointFolder { CheckpointFolder(bestCheckpoint) }
    public var summary: URL { url.appendingPathComponent("summary.json") }
    public var plot: URL { url.appendingPathComponent("training.svg") }
    public var testAnswers: URL { url.appendingPathComponent("test-answers.jsonl") }
    /// The PEFT folder of an adapter run's best weights, written when the run ends.
    public var adapter: URL { url.appendingPathComponent("adapter") }

    /// Whether there is a state to resume from: `checkpoints/latest`, or the copy a save interrupted
    /// mid-swap left as `latest.previous`. A run stopped before its first checkpoint has none.
    public var hasCheckpoint: Bool {
        [latestCheckpoint, latestCheckpoint.appendingPathExtension("previous")].contains {
            FileManager.default.fileExists(atPath: CheckpointFolder($0).trainerState.path)
        }
    }

    /// Whether the folder holds a ZOTune run (its `config.json`).
    public var holdsRun: Bool { FileManager.default.fileExists(atPath: configuration.path) }

    /// The run's `config.json`; a folder without one is no run.
    public func readConfiguration() throws -> RunConfiguration {
        guard holdsRun else {
            throw TrainingError.missingRun(path: url.path, reason: "it holds no run (no config.json)")
        }
        return try Self.readJSON(RunConfiguration.self, from: configuration)
    }

    /// The run folder a seed log belongs to (the log's own folder).
    public init(holdingSeedLog log: URL) { self.init(log.deletingLastPathComponent()) }

    /// The weights file a user means by `path`: a run folder (its best checkpoint, else its latest), a
    /// checkpoint folder, or a `.safetensors` file.
    public static func weightsFile(_ path: String) throws -> URL {
        let url = URL(fileURLWithPath: NSString(string: path).expandingTildeInPath)
        let run = RunDirectory(url)
        let candidates = [run.best.weights, run.latest.weights, CheckpointFolder(url).weights, url]
        for candidate in candidates {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
        }
        throw TrainingError.missingRun(path: path, reason: "no weights there: expected a run folder, a checkpoint folder or a .safetensors file")
    }

    /// Refuses a folder a new run may not write into: a file, an existing run (that is `--resume`'s),
    /// or any non-empty folder — a user's files are never overwritten. A missing or empty folder is fine.
    public func checkIsFreeForNewRun() throws {
        let fm = FileManager.default
        var isFolder: ObjCBool = false
        guard fm.fileExists(atPath: url.path, isDirectory: &isFolder) else { return }
        guard isFolder.boolValue else {
            throw TrainingError.cannotUseRunFolder(path: url.path, reason: "it is a file, not a folder")
        }
        if holdsRun { throw TrainingError.runExists(path: url.path) }
        let contents: [String]
        do { contents = try fm.contentsOfDirectory(atPath: url.path) } catch {
            throw TrainingError.cannotUseRunFolder(path: url.path, reason: AtomicFile.systemReason(error))
        }
        guard contents.isEmpty else {
            throw TrainingError.cannotUseRunFolder(
                path: url.path, reason: "it already holds \(contents.count) other file(s), which a run would mix with or overwrite; choose a new or empty folder")
        }
    }

    /// Creates the folder and its checkpoint folders, one `mkdir` per missing level so that a failure
    /// is the system's own reason ("Permission denied", "Read-only file system") in one sentence.
    public func create() throws {
        for folder in [latestCheckpoint, bestCheckpoint] {
            var path = ""
            for component in folder.standardizedFileURL.pathComponents {
                path = component == "/" ? "/" : (path.hasSuffix("/") ? path : path + "/") + component
                if mkdir(path, 0o755) != 0, errno != EEXIST {
                    throw TrainingError.cannotUseRunFolder(path: url.path, reason: "cannot create \(path): \(String(cString: strerror(errno)))")
                }
            }
        }
    }

    /// Writes a Codable value as pretty JSON, atomically.
    public static func writeJSON<T: Encodable>(_ value: T, to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(value) + Data("\n".utf8), to: url)
    }

    public static func readJSON<T: Decodable>(_ type: T.Type, from url: URL) throws -> T {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw TrainingError.missingRun(path: url.path, reason: "the file does not exist")
        }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw TrainingError.corruptRun(path: url.path, reason: "it does not decode as \(type)")
        }
    }
}

/// Appends JSON lines to a file and flushes each line, so a killed run loses at most the line
/// being written. On resume the file is cut back to the lines before the checkpoint's step.
public final class JSONLinesWriter {
    private let handle: FileHandle
    private let url: URL
    private let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }()

    public init(url: URL, keepingLinesWhere keep: ((Data) -> Bool)? = nil) throws {
        if let keep, let existing = FileManager.default.contents(atPath: url.path) {
            let kept = existing.split(separator: UInt8(ascii: "\n")).filter { keep(Data($0)) }
            var data = Data()
            for line in kept { data.append(contentsOf: line); data.append(UInt8(ascii: "\n")) }
            try AtomicFile.write(data, to: url)
        } else if keep == nil || !FileManager.default.fileExists(atPath: url.path) {
            try Self.writing(url) { try Data().write(to: url) }
        }
        handle = try Self.writing(url) { try FileHandle(forWritingTo: url) }
        try handle.seekToEnd()
        self.url = url
    }

    deinit { try? handle.close() }

    public func append<T: Encodable>(_ value: T) throws {
        var line = try encoder.encode(value)
        line.append(UInt8(ascii: "\n"))
        try Self.writing(url) { try handle.write(contentsOf: line) }
    }

    /// Runs a file operation on `url`, reporting a failure (e.g. a full disk) as one sentence naming the file.
    private static func writing<T>(_ url: URL, _ operation: () throws -> T) throws -> T {
        do { return try operation() } catch {
            throw FormatError.cannotWrite(path: url.path, reason: AtomicFile.systemReason(error))
        }
    }
}
