import Foundation
import XCTest
import ZOTasks

/// Committed fixtures under Tests/Fixtures/tasks.
enum TaskFixtures {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/tasks")
    static func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }
}

/// A temporary folder, removed when released.
final class ScratchFolder {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("zotasks-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    @discardableResult
    func write(_ name: String, _ text: String) throws -> URL {
        let file = url.appendingPathComponent(name)
        try text.write(to: file, atomically: true, encoding: .utf8)
        return file
    }
    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Asserts that `body` throws the `TaskError` `expected`, and that its message mentions `mentions`.
func XCTAssertTaskError<T>(
    _ body: @autoclosure () throws -> T, _ expected: TaskError, mentions: [String] = [],
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertThrowsError(try body(), file: file, line: line) { error in
        XCTAssertEqual(error as? TaskError, expected, file: file, line: line)
        for text in mentions {
            XCTAssertTrue("\(error)".contains(text), "\"\(error)\" should mention \(text)", file: file, line: line)
        }
    }
}

/// Runs `body`, expecting a `TaskError`, and returns it (nil after recording a failure).
func taskError<T>(_ body: @autoclosure () throws -> T, file: StaticString = #filePath, line: UInt = #line) -> TaskError? {
    do {
        _ = try body()
        XCTFail("expected an error", file: file, line: line)
    } catch let error as TaskError {
        return error
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
    return nil
}

/// Examples numbered 0..<n in field "i", labels alternating.
func numberedExamples(_ n: Int) -> [Example] {
    (0..<n).map { Example(fields: ["i": String($0)], label: $0 % 2, origin: "pool example \($0)") }
}
