import CZOMPI
import ZOTraining

/// The ranks of an `mpirun` job as a `ProcessGroup`, through Open MPI loaded at run time.
public final class MPIProcessGroup: ProcessGroup {
    public let rank: Int
    public let size: Int

    /// Whether this process was started by `mpirun` (checked without loading MPI).
    public static var isLaunchedByMPI: Bool { zo_mpi_launched() != 0 }

    /// Loads Open MPI and joins the job (MPI_Init); one group per process.
    public init() throws {
        var rank: Int32 = 0, size: Int32 = 0
        try Self.call { zo_mpi_start(&rank, &size, $0, $1) }
        self.rank = Int(rank)
        self.size = Int(size)
    }

    public func allGather(_ values: [Double]) throws -> [Double] {
        var received = [Double](repeating: 0, count: values.count * size)
        try Self.call { error, capacity in
            values.withUnsafeBufferPointer { sent in
                received.withUnsafeMutableBufferPointer { zo_mpi_allgather(sent.baseAddress, Int32(values.count), $0.baseAddress, error, capacity) }
            }
        }
        return received
    }

    /// Leaves the job (MPI_Finalize); after an error, `abort` stops every rank instead.
    public func finish() { _ = zo_mpi_finish() }

    /// Stops every rank of the job with `code` (MPI_Abort): a rank that failed alone would leave the
    /// others waiting in their next exchange.
    public func abort(code: Int32) -> Never {
        zo_mpi_abort(code)
        fatalError("MPI_Abort returned")
    }

    private static func call(_ body: (UnsafeMutablePointer<CChar>, Int) -> Int32) throws {
        var error = [CChar](repeating: 0, count: 512)
        let status = error.withUnsafeMutableBufferPointer { body($0.baseAddress!, $0.count) }
        guard status == 0 else { throw DistributedError(message: String(decoding: error.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)) }
    }
}

/// An MPI call that failed, in MPI's words.
public struct DistributedError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
