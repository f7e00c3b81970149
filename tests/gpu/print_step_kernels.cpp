// Prints the runtime's step-kernel PTX (runtime/src/cuda/step_kernels.h), for ptxas: the
// plain sm_80 form, or with the argument "dependent" the sm_90 form that waits with
// griddepcontrol (programmatic dependent launch).
#include <cstdio>
#include <cstring>

#include "cuda/step_kernels.h"

int main(int argc, char** argv) {
  const bool dependent = argc > 1 && std::strcmp(argv[1], "dependent") == 0;
  std::fputs(gennc::runtime::cuda::step_kernels_ptx(dependent).c_str(), stdout);
  return 0;
}
