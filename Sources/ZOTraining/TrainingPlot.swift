import Foundation

/// A dependency-free SVG chart of training loss (per step, smoothed) and dev accuracy (per
/// evaluation) against steps, so every run folder has a picture a user can open in a browser.
public enum TrainingPlot {
    public static func svg(losses: [(step: Int, loss: Float)], devAccuracy: [(step: Int, accuracy: Double)], title: String) -> String {
        let width = 720.0, height = 360.0, left = 60.0, right = 60.0, top = 40.0, bottom = 40.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        let maxStep = Double(max(losses.map(\.step).max() ?? 1, devAccuracy.map(\.step).max() ?? 1, 1))
        let smoothed = movingAverage(losses.map { Double($0.loss) }, window: 10)
        let lossMin = (smoothed.min() ?? 0), lossMax = max((smoothed.max() ?? 1), lossMin + 1e-6)
        func x(_ step: Int) -> Double { left + Double(step) / maxStep * plotWidth }
        func yLoss(_ v: Double) -> Double { top + (1 - (v - lossMin) / (lossMax - lossMin)) * plotHeight }
        // Accuracy axis: the data's range widened to tenths, so small gains stay visible.
        let accuracyMin = max(0, ((devAccuracy.map(\.accuracy).min() ?? 0) * 10 - 0.5).rounded(.down) / 10)
        let accuracyMax = min(1, max(accuracyMin + 0.1, ((devAccuracy.map(\.accuracy).max() ?? 1) * 10 + 0.5).rounded(.up) / 10))
        func yAccuracy(_ v: Double) -> Double { top + (1 - (v - accuracyMin) / (accuracyMax - accuracyMin)) * plotHeight }
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" font-family="sans-serif" font-size="12">
            <rect width="100%" height="100%" fill="white"/>
            <text x="\(width / 2)" y="20" text-anchor="middle" font-size="14">\(escape(title))</text>
            <line x1="\(left)" y1="\(top + plotHeight)" x2="\(left + plotWidth)" y2="\(top + plotHeight)" stroke="black"/>
            <line x1="\(left)" y1="\(top)" x2="\(left)" y2="\(top + plotHeight)" stroke="#1f77b4"/>
            <line x1="\(left + plotWidth)" y1="\(top)" x2="\(left + plotWidth)" y2="\(top + plotHeight)" stroke="#d62728"/>
            <text x="\(left + plotWidth / 2)" y="\(height - 8)" text-anchor="middle">step (0–\(Int(maxStep)))</text>
            <text x="12" y="\(top + plotHeight / 2)" fill="#1f77b4" transform="rotate(-90 12 \(top + plotHeight / 2))" text-anchor="middle">train loss (10-step mean)</text>
            <text x="\(width - 12)" y="\(top + plotHeight / 2)" fill="#d62728" transform="rotate(90 \(width - 12) \(top + plotHeight / 2))" text-anchor="middle">dev accuracy</text>
            <text x="\(left - 4)" y="\(top + 4)" text-anchor="end" fill="#1f77b4">\(format(lossMax))</text>
            <text x="\(left - 4)" y="\(top + plotHeight)" text-anchor="end" fill="#1f77b4">\(format(lossMin))</text>
            <text x="\(left + plotWidth + 4)" y="\(top + 4)" fill="#d62728">\(format(accuracyMax))</text>
            <text x="\(left + plotWidth + 4)" y="\(top + plotHeight)" fill="#d62728">\(format(accuracyMin))</text>

            """
        if !smoothed.isEmpty {
            let points = zip(losses, smoothed).map { "\(format(x($0.0.step))),\(format(yLoss($0.1)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"1.5\" points=\"\(points)\"/>\n"
        }
        if !devAccuracy.isEmpty {
            let points = devAccuracy.map { "\(format(x($0.step))),\(format(yAccuracy($0.accuracy)))" }.joined(separator: " ")
            svg += "<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\" points=\"\(points)\"/>\n"
            for point in devAccuracy {
                svg += "<circle cx=\"\(format(x(point.step)))\" cy=\"\(format(yAccuracy(point.accuracy)))\" r=\"3\" fill=\"#d62728\"/>\n"
            }
        }
        return svg + "</svg>\n"
    }

    /// Renders `training.svg` of a run folder from its `metrics.jsonl`.
    public static func write(_ run: RunDirectory, title: String) throws {
        guard let data = FileManager.default.contents(atPath: run.metrics.path) else {
            throw TrainingError.missingRun(path: run.metrics.path, reason: "the metrics file does not exist")
        }
        var losses: [(step: Int, loss: Float)] = []
        var accuracy: [(step: Int, accuracy: Double)] = []
        for line in data.split(separator: UInt8(ascii: "\n")) {
            guard let object = try? JSONSerialization.jsonObject(with: Data(line)) as? [String: Any],
                  let step = object["step"] as? Int else { continue }
            if object["kind"] as? String == "step", let loss = (object["loss"] as? NSNumber)?.floatValue {
                losses.append((step, loss))
            } else if let dev = (object["dev_accuracy"] as? NSNumber)?.doubleValue {
                accuracy.append((step, dev))
            }
        }
        try svg(losses: losses, devAccuracy: accuracy, title: title).write(to: run.plot, atomically: true, encoding: .utf8)
    }

    static func movingAverage(_ values: [Double], window: Int) -> [Double] {
        var result: [Double] = []
        var sum = 0.0
        for (i, v) in values.enumerated() {
            sum += v
            if i >= window { sum -= values[i - window] }
            result.append(sum / Double(min(i + 1, window)))
        }
        return result
    }

    private static func format(_ v: Double) -> String { String(format: "%.3g", v) }
    private static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
    }
}
