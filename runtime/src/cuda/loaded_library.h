// A library opened with dlopen at run time (the CUDA driver, NCCL: a machine without them
// still runs on the CPU) and its functions resolved into a table, once per process.
#pragma once

#include <dlfcn.h>

#include <mutex>
#include <string>

namespace gennc::runtime::cuda {

template <typename Api>
struct LoadedLibrary {
  Api api{};
  bool ok = false;
  std::string why;  // what is missing, when not ok
};

// Points `slot` at `symbol` of `library` (the file `file`); else false, with `why` naming
// the missing function (and `note`, what its absence means).
template <typename Fn>
bool resolve_symbol(void* library, const char* file, const char* symbol, const char* note, Fn* slot,
                    std::string* why) {
  void* address = dlsym(library, symbol);
  if (address == nullptr) {
    *why = std::string(file) + " has no " + symbol + note;
    return false;
  }
  *slot = reinterpret_cast<Fn>(address);
  return true;
}

// The table `load()` fills, loaded at the first call (the library then stays open for the
// life of the process: contexts, modules and communicators outlive any one engine); null,
// with `why`, where it could not be.
template <typename Api, typename Load>
const Api* load_once(Load load, std::string* why) {
  static std::once_flag once;
  static LoadedLibrary<Api> loaded;
  std::call_once(once, [&] { loaded = load(); });
  if (!loaded.ok) {
    *why = loaded.why;
    return nullptr;
  }
  return &loaded.api;
}

}  // namespace gennc::runtime::cuda
