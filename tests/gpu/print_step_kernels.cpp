// Prints the runtime's step-kernel PTX (runtime/src/cuda/step_kernels.h), for ptxas.
#include <cstdio>

#include "cuda/step_kernels.h"

int main() {
  std::fputs(gennc::runtime::cuda::kStepKernelsPtx, stdout);
  return 0;
}
