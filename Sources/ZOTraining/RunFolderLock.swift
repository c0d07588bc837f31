import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// An exclusive lock on a run folder for as long as a process trains in it, so that two processes
/// (say, two `--resume` of the same run) never write one folder's checkpoints and metrics at once.
///
/// `flock` on `<run>/.lock`: the kernel releases it when the process ends, however it ends, so a
/// killed run never leaves a stale lock. The file holds the holder's pid for the refusal message.
public final class RunFolderLock {
    private let descriptor: Int32

    /// Takes the lock or throws `TrainingError.runInUse` naming the holder.
    public init(_ run: RunDirectory) throws {
        let path = run.url.appendingPathComponent(".lock").path
        descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw TrainingError.cannotUseRunFolder(path: run.url.path, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = pread(descriptor, &buffer, buffer.count, 0)
            let holder = Int(String(decoding: buffer.prefix(max(count, 0)), as: UTF8.self)
                .trimmingCharacters(in: .whitespacesAndNewlines))
            close(descriptor)
            throw TrainingError.runInUse(path: run.url.path, pid: holder)
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(descriptor, 0)
        _ = pwrite(descriptor, pid, pid.count, 0)
    }

    deinit { close(descriptor) }
}
