/* The runtime's MPI plugin: the few MPI calls a distributed run makes, behind a C interface
 * of plain integers and byte buffers. It is compiled against the MPI found at build time
 * and embedded into the runtime, which loads it (and so libmpi) only when a launcher such
 * as mpirun started the process (runtime/src/mpi/world.cpp, docs/distributed.md): MPI's
 * handles are not the same kind of thing in every MPI (addresses in Open MPI, integers in
 * MPICH), so the runtime never sees them. Every function returns 0 on success or an MPI
 * error code. */
#include <mpi.h>
#include <stdint.h>

int gennc_mpi_init(int* rank, int* size) {
  int provided = 0, initialised = 0, code;
  MPI_Initialized(&initialised);
  if (!initialised) {
    /* Only the thread that runs the steps calls MPI. */
    code = MPI_Init_thread(0, 0, MPI_THREAD_FUNNELED, &provided);
    if (code != MPI_SUCCESS) return code;
  }
  code = MPI_Comm_rank(MPI_COMM_WORLD, rank);
  return code != MPI_SUCCESS ? code : MPI_Comm_size(MPI_COMM_WORLD, size);
}

int gennc_mpi_finalize(void) {
  int finalised = 0;
  MPI_Finalized(&finalised);
  return finalised ? 0 : MPI_Finalize();
}

/* Every rank's `value`, in rank order, into `values`. */
int gennc_mpi_allgather_u64(uint64_t value, uint64_t* values) {
  return MPI_Allgather(&value, 1, MPI_UINT64_T, values, 1, MPI_UINT64_T, MPI_COMM_WORLD);
}

/* Every rank's `bytes` bytes at `send`, concatenated in rank order into `receive`; `counts`
 * and `offsets` give each rank's bytes and where they go. */
int gennc_mpi_allgatherv(const void* send, int bytes, void* receive, const int* counts, const int* offsets) {
  return MPI_Allgatherv(send, bytes, MPI_BYTE, receive, counts, offsets, MPI_BYTE, MPI_COMM_WORLD);
}

int gennc_mpi_barrier(void) { return MPI_Barrier(MPI_COMM_WORLD); }
