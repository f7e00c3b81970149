#include "nccl_api.h"

#include "loaded_library.h"

namespace gennc::runtime::cuda {

namespace {

LoadedLibrary<NcclApi> load() {
  LoadedLibrary<NcclApi> loaded;
  // Kept open for the life of the process: communicators outlive any one engine.
  void* library = dlopen("libnccl.so.2", RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    const char* error = dlerror();
    loaded.why = std::string("cannot load NCCL (libnccl.so.2, e.g. from the nvidia-nccl-cu12 wheel; its folder on "
                             "LD_LIBRARY_PATH)") +
                 (error ? ": " + std::string(error) : "");
    return loaded;
  }
  NcclApi& a = loaded.api;
  auto resolve = [&](const char* symbol, auto* slot) {
    return resolve_symbol(library, "libnccl.so.2", symbol, "", slot, &loaded.why);
  };
  loaded.ok = resolve("ncclGetUniqueId", &a.ncclGetUniqueId) &&
              resolve("ncclCommInitRank", &a.ncclCommInitRank) &&
              resolve("ncclAllGather", &a.ncclAllGather) &&
              resolve("ncclCommDestroy", &a.ncclCommDestroy) &&
              resolve("ncclGetErrorString", &a.ncclGetErrorString);
  return loaded;
}

}  // namespace

const NcclApi* load_nccl(std::string* why) { return load_once<NcclApi>(load, why); }

std::string nccl_error(const NcclApi& api, const char* what, NcclResult result) {
  const char* text = api.ncclGetErrorString(result);
  return std::string("NCCL: ") + what + " failed: " + (text ? text : "unknown error") + " (result " +
         std::to_string(result) + ")";
}

}  // namespace gennc::runtime::cuda
