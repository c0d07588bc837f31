#ifndef ZOMPI_H
#define ZOMPI_H

#include <stddef.h>

/// Open MPI loaded at run time (dlopen of libmpi.so.40), so that zotune builds and runs without MPI
/// installed and only `--distributed` needs it. Open MPI's handles (MPI_COMM_WORLD, MPI_DOUBLE, …)
/// are the addresses of its exported objects, which dlsym returns; MPICH's integer handles are not
/// supported. Every function returns 0 on success, else an error code with a message in `error`.

/// Loads the library and initialises MPI (MPI_Init); `rank` and `size` receive MPI_COMM_WORLD's.
int zo_mpi_start(int *rank, int *size, char *error, size_t capacity);
/// Whether this process was started by mpirun (Open MPI's environment), without loading anything.
int zo_mpi_launched(void);
/// MPI_Allgather of `count` doubles from every rank into `received` (count × size, rank order).
int zo_mpi_allgather(const double *sent, int count, double *received, char *error, size_t capacity);
/// MPI_Finalize.
int zo_mpi_finish(void);
/// MPI_Abort(MPI_COMM_WORLD, code): every rank of the job stops.
void zo_mpi_abort(int code);

#endif
