/* What every kernel of runtime/device/ uses: the entry marking and the grid-stride
 * position of a thread over grid.x. C for nvptx64, with clang's NVPTX builtins. */
#ifndef GENNC_DEVICE_KERNEL_H
#define GENNC_DEVICE_KERNEL_H

#include <stdint.h>

/* A `.entry` the runtime launches (clang marks it as an NVVM kernel). */
#define KERNEL __attribute__((nvptx_kernel))

/* The thread's first element, and the distance to its next, in a grid-stride loop. */
static inline uint64_t first_element(void) {
  return (uint64_t)__nvvm_read_ptx_sreg_ctaid_x() * __nvvm_read_ptx_sreg_ntid_x() + __nvvm_read_ptx_sreg_tid_x();
}
static inline uint64_t grid_stride(void) {
  return (uint64_t)__nvvm_read_ptx_sreg_nctaid_x() * __nvvm_read_ptx_sreg_ntid_x();
}

#endif /* GENNC_DEVICE_KERNEL_H */
