import Foundation
import ZOCommandLine

/// Progress for long work on stderr: a redrawn line with rate and ETA on a terminal, occasional plain
/// lines otherwise (logs, CI), nothing for work that finishes within a second.
final class ProgressReporter {
    private let total: Int
    private let unit: String
    private let start = Date()
    private var done = 0
    private var lastReport = Date.distantPast
    private let interactive = Console.standardErrorIsTerminal

    init(total: Int, unit: String) {
        self.total = total
        self.unit = unit
    }

    func advance(by count: Int) {
        done += count
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        guard elapsed > 1, now.timeIntervalSince(lastReport) > (interactive ? 0.2 : 10) else { return }
        lastReport = now
        let rate = Double(done) / elapsed
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let line = String(format: "%d/%d %@  %.1f %@/s  ETA %@", done, total, unit, rate, unit, Self.duration(eta))
        if interactive {
            FileHandle.standardError.write(Data("\r\u{1B}[K\(line)".utf8))
        } else {
            Console.status(line)
        }
    }

    func finish() {
        if interactive && lastReport != .distantPast { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return s >= 3600 ? String(format: "%dh%02dm", s / 3600, s / 60 % 60) : String(format: "%d:%02d", s / 60, s % 60)
    }
}
