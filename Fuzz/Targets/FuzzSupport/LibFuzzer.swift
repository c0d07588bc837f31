import CLibFuzzer
import Foundation

/// Runs libFuzzer with this process's arguments, calling `testOneInput` with each input. Every fuzz
/// target's main.swift is one call to this: SwiftPM renames an executable's `main` on Linux, so the
/// targets cannot rely on libFuzzer's own `main` and start its driver themselves.
public enum LibFuzzer {
    nonisolated(unsafe) private static var testOneInput: (FuzzInput) -> Void = { _ in }

    public static func run(_ testOneInput: @escaping (FuzzInput) -> Void) -> Never {
        Self.testOneInput = testOneInput
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in
            LibFuzzer.testOneInput(FuzzInput(data, size))
            return 0
        }
        exit(status)
    }
}
