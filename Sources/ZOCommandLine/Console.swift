import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Status lines go to stderr so stdout stays machine-readable.
public enum Console {
    public static func status(_ message: String) {
        FileHandle.standardError.write(Data((message + "\n").utf8))
    }

    public static var standardErrorIsTerminal: Bool { isatty(fileno(stderr)) != 0 }
}
