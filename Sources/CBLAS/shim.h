// The only C in ZOTune: Debian's OpenBLAS (cblas + the LAPACK routines it exports).
#include <cblas.h>
