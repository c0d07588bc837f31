import Foundation
import XCTest

/// `mpirun -np N zotune train --distributed data` on the tiny LLaMA: rank 0 writes the one run folder,
/// the weights are the single-process run's to rounding (over shared memory and over TCP), one process
/// replays the seed log to them exactly, a paused job resumes with another rank count, a killed rank stops the job with its last checkpoint resumable, and misuse is one sentence.
/// Needs Open MPI's mpirun (scripts/setup installs it).
final class DistributedCommandTests: XCTestCase {
    private var folders: [URL] = []

    override func tearDown() {
        for folder in folders { try? FileManager.default.removeItem(at: folder) }
    }

    private func newFolder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-mpi-\(UUID())")
        folders.append(url)
        return url
    }

    private var mpirun: URL {
        get throws {
            let path = ["/usr/bin/mpirun", "/usr/local/bin/mpirun"].first { FileManager.default.isExecutableFile(atPath: $0) }
            return URL(fileURLWithPath: try XCTUnwrap(path, "Open MPI's mpirun is missing: run scripts/setup"))
        }
    }

    private let training = [
        "train", "--model", CLI.fixtures.appendingPathComponent("tiny-llama").path,
        "--task-spec", CLI.fixtures.appendingPathComponent("tasks/custom/choice.spec.json").path,
        "--method", "mezo", "--eval-every", "3", "--batch-size", "4", "--lr", "1e-3", "--threads", "1",
    ]

    /// `mpirun --oversubscribe -np N zotune …` (root is allowed, as on CI), the ranks talking over
    /// shared memory, or over TCP on the loopback interface (`tcp`: as ranks on separate machines do).
    private func job(_ ranks: Int, _ arguments: [String], tcp: Bool = false) throws -> CommandResult {
        var environment = ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMPI_MCA_btl": "self,vader"]
        if tcp { (environment["OMPI_MCA_btl"], environment["OMPI_MCA_btl_tcp_if_include"]) = ("self,tcp", "lo") }
        return try CLI.run(["--oversubscribe", "-np", String(ranks), CLI.binary.path] + arguments, environment: environment,
                           executable: try mpirun)
    }

    func testRanksTrainOneRunThatMatchesASingleProcessAndResumesWithAnotherCount() throws {
        let scratchBefore = try Self.scratchFolders()
        let single = newFolder()
        let alone = try CLI.run(training + ["--steps", "6", "--output", single.path])
        XCTAssertEqual(alone.status, 0, alone.stderr)
        for ranks in [2, 3] {
            let run = newFolder()
            let result = try job(ranks, training + ["--steps", "6", "--output", run.path, "--distributed", "data"], tcp: ranks == 3)
            XCTAssertEqual(result.status, 0, result.stderr)
            XCTAssertEqual(result.stdout.components(separatedBy: "mezo on choice").count, 2, "one report, rank 0's: \(result.stdout)")
            let files = try FileManager.default.contentsOfDirectory(atPath: run.path).filter { $0 != ".lock" }.sorted()
            XCTAssertEqual(files, ["checkpoints", "config.json", "metrics.jsonl", "seed-log.jsonl", "summary.json", "training.svg"])
            try assertClose(run, single, "\(ranks) ranks")
            // One process replays the distributed run's seed log to its weights exactly.
            let rebuilt = run.appendingPathComponent("replayed.safetensors")
            let replay = try CLI.run(["replay", "--log", run.appendingPathComponent("seed-log.jsonl").path, "--output", rebuilt.path])
            XCTAssertEqual(replay.status, 0, replay.stderr)
            XCTAssertEqual(try Data(contentsOf: rebuilt), try Data(contentsOf: run.appendingPathComponent("checkpoints/latest/model.safetensors")),
                           "\(ranks) ranks: replay")
        }
        // Paused under 2 ranks, resumed under 3: the straight 2-rank run to rounding.
        let paused = newFolder()
        let first = try job(2, training + ["--steps", "6", "--output", paused.path, "--distributed", "data", "--pause-after", "3"])
        XCTAssertEqual(first.status, 0, first.stderr)
        let resumed = try job(3, ["train", "--resume", paused.path, "--distributed", "data", "--threads", "1"])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        try assertClose(paused, single, "resumed with 3 ranks")
        XCTAssertEqual(try Self.scratchFolders().subtracting(scratchBefore), [], "ranks other than 0 remove their scratch folders")
    }

    private static func scratchFolders() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory()).filter { $0.hasPrefix("zotune-rank") })
    }

    /// `--distributed directions`: each rank evaluates its share of MeZO's directions (FZOO's probes),
    /// so the run is the single-process one byte for byte (weights and seed log).
    func testDirectionParallelJobsEqualOneProcessByteForByte() throws {
        let single = newFolder()
        let alone = try CLI.run(training + ["--steps", "6", "--directions", "3", "--output", single.path])
        XCTAssertEqual(alone.status, 0, alone.stderr)
        for ranks in [2, 3] {
            let run = newFolder()
            let result = try job(ranks, training + ["--steps", "6", "--directions", "3", "--output", run.path, "--distributed", "directions"])
            XCTAssertEqual(result.status, 0, result.stderr)
            for file in ["checkpoints/latest/model.safetensors", "seed-log.jsonl"] {
                XCTAssertEqual(try Data(contentsOf: run.appendingPathComponent(file)), try Data(contentsOf: single.appendingPathComponent(file)),
                               "\(ranks) ranks: \(file)")
            }
        }
        // FZOO's probes and unperturbed loss (4 + 1 evaluations) over 2 and 3 ranks.
        let fzoo = training.map { $0 == "mezo" ? "fzoo" : $0 } + ["--steps", "4", "--directions", "4"]
        let fzooAlone = newFolder()
        XCTAssertEqual(try CLI.run(fzoo + ["--output", fzooAlone.path]).status, 0)
        for ranks in [2, 3] {
            let run = newFolder()
            let result = try job(ranks, fzoo + ["--output", run.path, "--distributed", "directions"])
            XCTAssertEqual(result.status, 0, result.stderr)
            for file in ["checkpoints/latest/model.safetensors", "seed-log.jsonl"] {
                XCTAssertEqual(try Data(contentsOf: run.appendingPathComponent(file)), try Data(contentsOf: fzooAlone.appendingPathComponent(file)),
                               "fzoo, \(ranks) ranks: \(file)")
            }
        }
        let subzero = try job(2, (training + ["--steps", "2", "--output", newFolder().path, "--distributed", "directions"])
            .map { $0 == "mezo" ? "subzero" : $0 })
        XCTAssertNotEqual(subzero.status, 0)
        XCTAssertTrue(subzero.stderr.contains("subzero makes one evaluation per step, so it runs with --distributed data"), subzero.stderr)
        let few = try job(3, training + ["--steps", "2", "--directions", "2", "--output", newFolder().path, "--distributed", "directions"])
        XCTAssertNotEqual(few.status, 0)
        XCTAssertTrue(few.stderr.contains("a mezo step with these settings has 2 (raise --directions, or use at most 2 ranks)"), few.stderr)
    }

    /// Every method under mpirun: data-parallel over 2 ranks within rounding of one process, and the
    /// methods with several evaluations per step direction-parallel over 3 ranks byte for byte.
    func testEveryMethodTrainsUnderMPIInBothModes() throws {
        let directionParallel: Set = ["mezo", "dizo", "fzoo", "zo-muon", "pgap"]
        for method in ["mezo", "subzero", "dizo", "pgap", "fzoo", "zo-muon"] {
            var arguments = training.map { $0 == "mezo" ? method : $0 } + ["--steps", "4"]
            if directionParallel.contains(method) { arguments += method == "pgap" ? ["--probes", "3"] : ["--directions", "3"] }
            let single = newFolder()
            let alone = try CLI.run(arguments + ["--output", single.path])
            XCTAssertEqual(alone.status, 0, "\(method): \(alone.stderr)")
            let data = newFolder()
            let dataJob = try job(2, arguments + ["--output", data.path, "--distributed", "data"])
            XCTAssertEqual(dataJob.status, 0, "\(method): \(dataJob.stderr)")
            // Rounding in the losses grows through a method's probes and steps (P-GAP: ~1e-4; DataParallelTests).
            try assertClose(data, single, "\(method), data", tolerance: 1e-3)
            guard directionParallel.contains(method) else { continue }
            let directions = newFolder()
            let directionsJob = try job(3, arguments + ["--output", directions.path, "--distributed", "directions"])
            XCTAssertEqual(directionsJob.status, 0, "\(method): \(directionsJob.stderr)")
            for file in ["checkpoints/latest/model.safetensors", "seed-log.jsonl"] {
                XCTAssertEqual(try Data(contentsOf: directions.appendingPathComponent(file)), try Data(contentsOf: single.appendingPathComponent(file)),
                               "\(method), directions: \(file)")
            }
        }
    }

    /// Weights within 1e-5 of `reference`'s (a shard's forward is a different BLAS call, so losses can
    /// differ in their last bits; see DataParallelTests).
    private func assertClose(_ run: URL, _ reference: URL, _ what: String, tolerance: Float = 1e-5) throws {
        let file = "checkpoints/latest/model.safetensors"
        let a = try Data(contentsOf: run.appendingPathComponent(file)), b = try Data(contentsOf: reference.appendingPathComponent(file))
        XCTAssertEqual(a.count, b.count, what)
        // Safetensors: an 8-byte header length, the JSON header, then the same F32 layout in both files.
        let start = 8 + Int(a.prefix(8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
        XCTAssertEqual(a.prefix(start), b.prefix(start), what)
        let (x, y) = (a.dropFirst(start).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) },
                      b.dropFirst(start).withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
        XCTAssertLessThan(zip(x, y).map { abs($0 - $1) }.max() ?? 1, tolerance, what)
    }

    /// Killing rank 1 mid-run stops the whole job (mpirun ends every rank) within a bounded time, and
    /// rank 0's last checkpoint resumes.
    func testAKilledRankStopsTheJobAndTheCheckpointResumes() throws {
        let run = newFolder()
        let process = Process()
        process.executableURL = try mpirun
        process.arguments = ["--oversubscribe", "-np", "2", CLI.binary.path] + training
            + ["--steps", "100000", "--eval-every", "20", "--output", run.path, "--distributed", "data"]
        process.environment = ProcessInfo.processInfo.environment.merging(
            ["OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1", "OMPI_MCA_btl": "self,vader"]) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        // Wait for a checkpoint past the start, then kill rank 1 (found by Open MPI's rank variable).
        let checkpoint = RunState(run)
        let deadline = Date().addingTimeInterval(120)
        while checkpoint.step < 40, Date() < deadline, process.isRunning { Thread.sleep(forTimeInterval: 0.2) }
        XCTAssertGreaterThanOrEqual(checkpoint.step, 40, "the job reached a checkpoint")
        let rank1 = try XCTUnwrap(Self.rankProcess(1, of: run.path), "rank 1's process")
        kill(rank1, SIGKILL)
        // The killed rank cannot remove its scratch folder.
        folders.append(URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("zotune-rank1-\(rank1)"))
        let stopBy = Date().addingTimeInterval(30)
        while process.isRunning, Date() < stopBy { Thread.sleep(forTimeInterval: 0.2) }
        XCTAssertFalse(process.isRunning, "the job stops within 30 s of losing a rank")
        XCTAssertNotEqual(process.terminationStatus, 0)
        let saved = checkpoint.step
        let resumed = try job(2, ["train", "--resume", run.path, "--distributed", "data", "--threads", "1", "--pause-after", String(saved + 5)])
        XCTAssertEqual(resumed.status, 0, resumed.stderr)
        XCTAssertTrue(resumed.stdout.contains("paused after step \(saved + 5)"), resumed.stdout)
    }

    /// The pid of the rank `rank` whose command line names `output`.
    private static func rankProcess(_ rank: Int, of output: String) -> pid_t? {
        let pids = (try? FileManager.default.contentsOfDirectory(atPath: "/proc"))?.compactMap { Int32($0) } ?? []
        return pids.first { pid in
            guard let command = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline"),
                  String(decoding: command, as: UTF8.self).contains(output),
                  let environment = FileManager.default.contents(atPath: "/proc/\(pid)/environ") else { return false }
            return environment.split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == "OMPI_COMM_WORLD_RANK=\(rank)" }
        }
    }

    func testMisuseIsRefusedInOneSentence() throws {
        let plain = try CLI.run(training + ["--steps", "2", "--output", newFolder().path, "--distributed", "data"])
        XCTAssertNotEqual(plain.status, 0)
        XCTAssertTrue(plain.stderr.contains("--distributed runs under mpirun"), plain.stderr)
        let many = try job(3, training + ["--steps", "2", "--batch-size", "2", "--output", newFolder().path, "--distributed", "data"])
        XCTAssertNotEqual(many.status, 0)
        XCTAssertTrue(many.stderr.contains("--batch-size 2 is smaller; use at most 2 ranks"), many.stderr)
    }
}

/// The step of a run folder's latest checkpoint (trainer state), 0 before the first.
private struct RunState {
    let folder: URL
    init(_ folder: URL) { self.folder = folder }
    var step: Int {
        guard let data = FileManager.default.contents(atPath: folder.appendingPathComponent("checkpoints/latest/trainer-state.json").path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else { return 0 }
        return object["nextStep"] as? Int ?? 0
    }
}
