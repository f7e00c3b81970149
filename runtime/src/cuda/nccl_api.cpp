#include "nccl_api.h"

#include <dlfcn.h>

#include <mutex>

namespace gennc::runtime::cuda {

namespace {

struct Loaded {
  NcclApi api{};
  bool ok = false;
  std::string why;
};

template <typename Fn>
bool resolve(void* library, const char* symbol, Fn* slot, std::string* why) {
  void* address = dlsym(library, symbol);
  if (address == nullptr) {
    *why = std::string("libnccl.so.2 has no ") + symbol;
    return false;
  }
  *slot = reinterpret_cast<Fn>(address);
  return true;
}

Loaded load() {
  Loaded loaded;
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
  std::string& why = loaded.why;
  loaded.ok = resolve(library, "ncclGetUniqueId", &a.ncclGetUniqueId, &why) &&
              resolve(library, "ncclCommInitRank", &a.ncclCommInitRank, &why) &&
              resolve(library, "ncclAllGather", &a.ncclAllGather, &why) &&
              resolve(library, "ncclCommDestroy", &a.ncclCommDestroy, &why) &&
              resolve(library, "ncclGetErrorString", &a.ncclGetErrorString, &why);
  return loaded;
}

}  // namespace

const NcclApi* load_nccl(std::string* why) {
  static std::once_flag once;
  static Loaded loaded;
  std::call_once(once, [] { loaded = load(); });
  if (!loaded.ok) {
    *why = loaded.why;
    return nullptr;
  }
  return &loaded.api;
}

std::string nccl_error(const NcclApi& api, const char* what, NcclResult result) {
  const char* text = api.ncclGetErrorString(result);
  return std::string("NCCL: ") + what + " failed: " + (text ? text : "unknown error") + " (result " +
         std::to_string(result) + ")";
}

}  // namespace gennc::runtime::cuda
