// Debian's OpenBLAS (cblas + the LAPACK routines it exports), used only by ZOTensor's BLAS.swift.
#include <cblas.h>

// LAPACK routines exported by Debian's libopenblas (Fortran calling convention, column-major).
// Declared here because the package ships no lapack.h; the trailing size_t is gfortran's hidden
// length of each character argument.
#include <stddef.h>
void sgeqrf_(const int *m, const int *n, float *a, const int *lda, float *tau, float *work,
             const int *lwork, int *info);
void sorgqr_(const int *m, const int *n, const int *k, float *a, const int *lda, const float *tau,
             float *work, const int *lwork, int *info);
void sgesdd_(const char *jobz, const int *m, const int *n, float *a, const int *lda, float *s, float *u,
             const int *ldu, float *vt, const int *ldvt, float *work, const int *lwork, int *iwork,
             int *info, size_t jobz_len);
