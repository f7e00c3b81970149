#include "codegen/link_simulator.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/FileUtilities.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Program.h>

#include "diag/source_manager.h"

namespace gennc::codegen {

namespace {

constexpr const char* kRuntimeLibrary = "libgennc_runtime.a";
constexpr const char* kSimMainLibrary = "libgennc_sim_main.a";

bool is_file(const std::string& path) { return llvm::sys::fs::is_regular_file(path); }

std::string join(const std::string& dir, const char* name) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, name);
  return std::string(path);
}

// The compiler driver that links: c++ (Debian's alternative for the system C++ compiler),
// else g++; empty when neither is on PATH.
std::string find_linker() {
  for (const char* name : {"c++", "g++"})
    if (llvm::ErrorOr<std::string> path = llvm::sys::findProgramByName(name)) return *path;
  return {};
}

// The fastest linker the driver can use: lld, else gold, else its default (GNU ld), which
// is several times slower on the runtime's archives.
std::string linker_choice() {
  for (const char* name : {"lld", "gold"})
    if (llvm::sys::findProgramByName(std::string("ld.") + name)) return std::string("-fuse-ld=") + name;
  return {};
}

std::vector<std::string> link_arguments(const std::string& linker, const std::vector<std::string>& objects,
                                        const std::string& output, LinkKind kind,
                                        const RuntimeLibraries& libraries) {
  std::vector<std::string> args = {linker, "-o", output};
  if (std::string choice = linker_choice(); !choice.empty()) args.push_back(choice);
  if (kind == LinkKind::SharedLibrary) {
    // Every runtime object is kept (not only those the model references), so the library
    // exports the whole C ABI; the static C++ runtime stays private to the library.
    args.push_back("-shared");
    args.insert(args.end(), objects.begin(), objects.end());
    args.insert(args.end(), {"-Wl,--whole-archive", libraries.runtime,
                             "-Wl,--no-whole-archive",
                             "-Wl,--exclude-libs,libstdc++.a:libgcc.a:libgcc_eh.a"});
  } else {
    args.insert(args.end(), objects.begin(), objects.end());
    args.insert(args.end(), {libraries.sim_main, libraries.runtime});
  }
  args.insert(args.end(), {"-static-libstdc++", "-static-libgcc", "-lm", "-lpthread", "-ldl"});
  return args;
}

}  // namespace

std::vector<RuntimeLibraries> runtime_candidates(const std::string& dir) {
  if (!dir.empty()) return {{join(dir, kRuntimeLibrary), join(dir, kSimMainLibrary)}};
  std::vector<RuntimeLibraries> candidates;
  // Any function's address identifies the binary this code is linked into.
  const std::string self =
      llvm::sys::fs::getMainExecutable(nullptr, reinterpret_cast<void*>(&find_runtime_libraries));
  if (!self.empty()) {
    llvm::SmallString<256> installed(llvm::sys::path::parent_path(self));
    llvm::sys::path::append(installed, "..", "lib", "gennc");
    llvm::sys::path::remove_dots(installed, true);
    const std::string install_dir(installed);
    candidates.push_back({join(install_dir, kRuntimeLibrary), join(install_dir, kSimMainLibrary)});
  }
  const RuntimeLibraries build_tree{GENNC_RUNTIME_BUILD_LIBRARY, GENNC_SIM_MAIN_BUILD_LIBRARY};
  if (!build_tree.runtime.empty()) candidates.push_back(build_tree);
  return candidates;
}

std::optional<RuntimeLibraries> find_runtime_libraries(const std::string& dir, diag::Diagnostics& diags) {
  const std::vector<RuntimeLibraries> candidates = runtime_candidates(dir);
  std::string searched;
  for (const RuntimeLibraries& found : candidates) {
    if (is_file(found.runtime) && is_file(found.sim_main)) return found;
    searched += (searched.empty() ? "" : ", ") + llvm::sys::path::parent_path(found.runtime).str();
  }
  diags.report(diag::DiagId::runtime_library_missing, diag::SourceRange{}, kRuntimeLibrary, searched);
  return std::nullopt;
}

bool link_simulator(const std::vector<std::string>& objects, const std::string& output, LinkKind kind,
                    const RuntimeLibraries& libraries, diag::Diagnostics& diags) {
  const std::string linker = find_linker();
  if (linker.empty()) {
    diags.report(diag::DiagId::linker_not_found, diag::SourceRange{});
    return false;
  }
  const std::vector<std::string> args = link_arguments(linker, objects, output, kind, libraries);
  std::vector<llvm::StringRef> arg_refs(args.begin(), args.end());

  // The linker's own messages are kept for the diagnostic rather than printed as they come.
  llvm::SmallString<128> messages;
  if (std::error_code ec = llvm::sys::fs::createTemporaryFile("gennc-link", "txt", messages)) {
    diags.report(diag::DiagId::link_failed, diag::SourceRange{}, output, ec.message());
    return false;
  }
  llvm::FileRemover remove_messages(messages);
  const std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(messages),
                                                      llvm::StringRef(messages)};
  std::string exec_error;
  const int status = llvm::sys::ExecuteAndWait(linker, arg_refs, std::nullopt, redirects, 0, 0, &exec_error);
  if (status == 0) return true;

  std::string detail = exec_error;
  if (auto text = llvm::MemoryBuffer::getFile(messages)) detail += llvm::StringRef((*text)->getBuffer()).rtrim().str();
  if (detail.empty()) detail = linker + " exited with status " + std::to_string(status);
  diags.report(diag::DiagId::link_failed, diag::SourceRange{}, output, detail);
  return false;
}

}  // namespace gennc::codegen
