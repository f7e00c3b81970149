// Lists the machine code that a model built with `gennc --gpu-sass` embeds (GenncModel.cubins,
// read through the `gennc --shared` library) and checks that each is what the driver loads
// for its architecture: an ELF image for EM_CUDA whose e_flags name the architecture it is
// filed under, and that the architectures are exactly those given. Exit 0: as given, 1: not,
// 2: misuse.
//   check_cubins MODEL.so [ARCH...]     (ARCH as gennc takes it: sm_90; none: no cubins)
#include <dlfcn.h>
#include <elf.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "gennc/model_abi.h"

namespace {

constexpr unsigned kEmCuda = 190;  // EM_CUDA, which older <elf.h> lack

// The architecture an EM_CUDA image's e_flags name: bits 8-15 from the ELF ABI version 8 on
// (CUDA 12.8's ptxas and later), the low byte before.
unsigned elf_arch(const Elf64_Ehdr& header) {
  return header.e_ident[EI_ABIVERSION] >= 8 ? (header.e_flags >> 8) & 0xffu : header.e_flags & 0xffu;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: check_cubins MODEL.so [ARCH...]\n");
    return 2;
  }
  void* library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    std::fprintf(stderr, "cannot load %s: %s\n", argv[1], dlerror());
    return 2;
  }
  const auto* model = static_cast<const GenncModel*>(dlsym(library, "gennc_model"));
  if (model == nullptr || model->abi_version != GENNC_MODEL_ABI_VERSION) {
    std::fprintf(stderr, "%s has no gennc_model of model ABI %d\n", argv[1], GENNC_MODEL_ABI_VERSION);
    return 2;
  }
  std::vector<std::string> expected(argv + 2, argv + argc);
  int status = 0;
  if (model->cubin_count != expected.size()) {
    std::printf("FAIL  %u cubins, expected %zu\n", model->cubin_count, expected.size());
    status = 1;
  }
  for (uint32_t k = 0; k < model->cubin_count; ++k) {
    const GenncCubin& cubin = model->cubins[k];
    const std::string arch = "sm_" + std::to_string(cubin.arch);
    Elf64_Ehdr header{};
    const bool elf = cubin.size >= sizeof header && std::memcmp(cubin.bytes, ELFMAG, SELFMAG) == 0;
    if (elf) std::memcpy(&header, cubin.bytes, sizeof header);
    const bool aligned = reinterpret_cast<uintptr_t>(cubin.bytes) % 64 == 0;
    const bool wanted = k < expected.size() && expected[k] == arch;
    const bool ok = elf && header.e_ident[EI_CLASS] == ELFCLASS64 && header.e_machine == kEmCuda &&
                    elf_arch(header) == cubin.arch && aligned && wanted;
    std::printf("%s  %s: %llu bytes, e_machine %u, e_flags 0x%x (sm_%u)%s%s\n", ok ? "ok   " : "FAIL ",
                arch.c_str(), static_cast<unsigned long long>(cubin.size), elf ? header.e_machine : 0u,
                elf ? header.e_flags : 0u, elf ? elf_arch(header) : 0u, aligned ? "" : ", not 64-byte aligned",
                wanted ? "" : ", not expected here");
    if (!ok) status = 1;
  }
  return status;
}
