import Foundation
import XCTest
import ZOFormats
import ZOTraining

final class RunFilesTests: XCTestCase {
    func testJSONLinesWriterAppendsAndCutsBackOnResume() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("zotune-\(UUID()).jsonl")
        defer { try? FileManager.default.removeItem(at: url) }
        struct Line: Codable { let step: Int }
        do {
            let writer = try JSONLinesWriter(url: url)
            for step in 0..<5 { try writer.append(Line(step: step)) }
        }
        do {
            let writer = try JSONLinesWriter(url: url) { line in
                ((try? JSONDecoder().decode(Line.self, from: line))?.step ?? 99) < 3
            }
            try writer.append(Line(step: 3))
        }
        let steps = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            try JSONDecoder().decode(Line.self, from: Data($0.utf8)).step
        }
        XCTAssertEqual(steps, [0, 1, 2, 3])
    }

    func testPlotDrawsLossAndAccuracy() {
        let svg = TrainingPlot.svg(losses: (0..<50).map { ($0, Float(50 - $0) / 50) },
                                   devAccuracy: [(0, 0.6), (25, 0.7), (50, 0.75)], title: "pgap on <rt>")
        XCTAssertTrue(svg.hasPrefix("<svg"))
        XCTAssertEqual(svg.components(separatedBy: "<polyline").count - 1, 2)
        XCTAssertEqual(svg.components(separatedBy: "<circle").count - 1, 3)
        XCTAssertTrue(svg.contains("pgap on &lt;rt>"))
    }

    func testLearningRateSchedules() {
        XCTAssertEqual(LearningRateSchedule.constant.rate(base: 1e-3, step: 7, totalSteps: 10), 1e-3)
        XCTAssertEqual(LearningRateSchedule.linear.rate(base: 1e-3, step: 0, totalSteps: 10), 1e-3)
        XCTAssertEqual(LearningRateSchedule.linear.rate(base: 1e-3, step: 5, totalSteps: 10), 5e-4, accuracy: 1e-9)
    }
}

/// A write that fails (a full disk, a missing folder) is one sentence naming the file, not a
/// Foundation error dump.
final class WriteFailureTests: XCTestCase {
    func testFullDeviceIsReportedByName() throws {
        let writer = try JSONLinesWriter(url: URL(fileURLWithPath: "/dev/full"))
        XCTAssertThrowsError(try writer.append(["step": 1])) { error in
            XCTAssertEqual(error as? FormatError, .cannotWrite(path: "/dev/full", reason: "No space left on device"))
        }
    }

    func testAtomicWriteIntoAMissingFolderNamesTheFile() {
        let url = URL(fileURLWithPath: "/nonexistent-zotune-folder/model.safetensors")
        XCTAssertThrowsError(try AtomicFile.write(Data([1, 2, 3]), to: url)) { error in
            XCTAssertEqual("\(error)", "cannot write /nonexistent-zotune-folder/model.safetensors: No such file or directory")
        }
    }
}
