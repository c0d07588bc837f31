#include "ZOMPI.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

typedef void *Handle;

static struct {
    void *library;
    int (*init)(int *, char ***);
    int (*rank)(Handle, int *);
    int (*size)(Handle, int *);
    int (*allgather)(const void *, int, Handle, void *, int, Handle, Handle);
    int (*finalize)(void);
    int (*abort)(Handle, int);
    int (*error_string)(int, char *, int *);
    Handle world, doubleType;
} mpi;

static void say(char *error, size_t capacity, const char *message, const char *detail) {
    if (capacity > 0) snprintf(error, capacity, "%s%s%s", message, detail ? ": " : "", detail ? detail : "");
}

static int failed(int code, const char *call, char *error, size_t capacity) {
    char text[256] = "";
    int length = 0;
    if (mpi.error_string) mpi.error_string(code, text, &length);
    if (capacity > 0) snprintf(error, capacity, "%s failed (%s)", call, text[0] ? text : "no message");
    return code == 0 ? -1 : code;
}

int zo_mpi_launched(void) {
    return getenv("OMPI_COMM_WORLD_SIZE") != NULL || getenv("PMIX_RANK") != NULL;
}

int zo_mpi_start(int *rank, int *size, char *error, size_t capacity) {
    if (!mpi.library) {
        // RTLD_GLOBAL: Open MPI's own plugins resolve their symbols against the library.
        mpi.library = dlopen("libmpi.so.40", RTLD_NOW | RTLD_GLOBAL);
        if (!mpi.library) {
            say(error, capacity, "Open MPI's libmpi.so.40 cannot be loaded (install libopenmpi-dev or openmpi-bin)", dlerror());
            return -1;
        }
#define FIND(field, symbol)                                                    \
    *(void **)&mpi.field = dlsym(mpi.library, symbol);                         \
    if (!mpi.field) {                                                          \
        say(error, capacity, "libmpi.so.40 is not Open MPI: it lacks", symbol); \
        return -1;                                                             \
    }
        FIND(init, "MPI_Init")
        FIND(rank, "MPI_Comm_rank")
        FIND(size, "MPI_Comm_size")
        FIND(allgather, "MPI_Allgather")
        FIND(finalize, "MPI_Finalize")
        FIND(abort, "MPI_Abort")
        FIND(error_string, "MPI_Error_string")
        FIND(world, "ompi_mpi_comm_world")
        FIND(doubleType, "ompi_mpi_double")
#undef FIND
    }
    int code = mpi.init(NULL, NULL);
    if (code != 0) return failed(code, "MPI_Init", error, capacity);
    if ((code = mpi.rank(mpi.world, rank)) != 0) return failed(code, "MPI_Comm_rank", error, capacity);
    if ((code = mpi.size(mpi.world, size)) != 0) return failed(code, "MPI_Comm_size", error, capacity);
    return 0;
}

int zo_mpi_allgather(const double *sent, int count, double *received, char *error, size_t capacity) {
    int code = mpi.allgather(sent, count, mpi.doubleType, received, count, mpi.doubleType, mpi.world);
    return code == 0 ? 0 : failed(code, "MPI_Allgather", error, capacity);
}

int zo_mpi_finish(void) { return mpi.finalize ? mpi.finalize() : 0; }

void zo_mpi_abort(int code) {
    if (mpi.abort) mpi.abort(mpi.world, code);
    exit(code);
}
