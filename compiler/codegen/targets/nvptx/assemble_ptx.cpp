#include "codegen/targets/nvptx/assemble_ptx.h"

#include <llvm/ADT/SmallString.h>
#include <llvm/ADT/StringRef.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/FileUtilities.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Program.h>
#include <llvm/Support/raw_ostream.h>

#include <cctype>
#include <chrono>
#include <cstdlib>
#include <system_error>

namespace gennc::codegen {

namespace {

// A temporary file's path, removed with `remover`; empty where none could be made.
std::string temporary_file(const char* suffix, llvm::FileRemover& remover) {
  llvm::SmallString<128> path;
  if (llvm::sys::fs::createTemporaryFile("gennc-sass", suffix, path)) return "";
  remover.setFile(path);
  return std::string(path);
}

std::string read_file(const std::string& path) {
  llvm::ErrorOr<std::unique_ptr<llvm::MemoryBuffer>> buffer = llvm::MemoryBuffer::getFile(path, false, false);
  return buffer ? (*buffer)->getBuffer().str() : std::string();
}

// One ptxas process and the files it reads and writes.
struct Assembly {
  llvm::FileRemover cubin_remover, log_remover;
  std::string cubin, log;
  llvm::sys::ProcessInfo process;
  std::string error;  // why it did not start
};

}  // namespace

std::string find_ptxas(std::string* searched) {
  if (llvm::ErrorOr<std::string> path = llvm::sys::findProgramByName("ptxas")) return *path;
  std::vector<std::string> folders;
  for (const char* variable : {"CUDA_HOME", "CUDA_PATH"})
    if (const char* root = std::getenv(variable); root != nullptr && *root != '\0')
      folders.push_back(std::string(root) + "/bin");
  folders.push_back("/usr/local/cuda/bin");
  std::string found, list;
  for (const std::string& folder : folders) {
    const std::string path = folder + "/ptxas";
    if (found.empty() && llvm::sys::fs::can_execute(path)) found = path;
    list += (list.empty() ? "" : ", ") + folder;
  }
  if (searched != nullptr) *searched = list;
  return found;
}

unsigned sass_arch_number(const std::string& arch) {
  llvm::StringRef digits(arch);
  if (!digits.consume_front("sm_") || digits.size() < 2 || digits.size() > 3) return 0;
  unsigned number = 0;
  for (char c : digits) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return 0;
    number = number * 10 + static_cast<unsigned>(c - '0');
  }
  return number;
}

std::string sass_arch_problem(const std::string& arch, const std::string& ptx_arch) {
  const unsigned number = sass_arch_number(arch);
  if (number == 0) return "'" + arch + "' is not a GPU architecture (sm_ and its compute capability, e.g. sm_90)";
  // PTX for sm_XY assembles for sm_MN with MN >= XY only (ptxas --help).
  if (number < sass_arch_number(ptx_arch))
    return arch + " is older than the PTX's target, " + ptx_arch +
           " (--gpu-arch); ptxas assembles PTX only for its target and newer architectures";
  return "";
}

std::optional<std::vector<Cubin>> assemble_ptx(const std::string& ptxas, const std::string& ptx,
                                               const std::vector<std::string>& archs, diag::Diagnostics& diags,
                                               Timings* timings) {
  const auto started = std::chrono::steady_clock::now();
  llvm::FileRemover ptx_remover;
  const std::string ptx_path = temporary_file("ptx", ptx_remover);
  std::error_code ec = ptx_path.empty() ? std::make_error_code(std::errc::io_error) : std::error_code();
  if (!ec) {
    llvm::raw_fd_ostream out(ptx_path, ec);
    if (!ec) out << ptx;
    out.close();
    if (!ec && out.has_error()) ec = out.error();
    out.clear_error();
  }
  if (ec) {
    diags.report(diag::DiagId::cannot_write_output, diag::SourceRange{}, "a temporary PTX file", ec.message());
    return std::nullopt;
  }
  // Every architecture's ptxas runs at once: they are independent, and each is one thread.
  std::vector<Assembly> runs(archs.size());
  for (std::size_t k = 0; k < archs.size(); ++k) {
    Assembly& run = runs[k];
    run.cubin = temporary_file("cubin", run.cubin_remover);
    run.log = temporary_file("log", run.log_remover);
    const std::string arch = "-arch=" + archs[k];
    const llvm::StringRef args[] = {ptxas, "-O3", arch, ptx_path, "-o", run.cubin};
    const std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(run.log),
                                                        llvm::StringRef(run.log)};
    run.process = llvm::sys::ExecuteNoWait(ptxas, args, std::nullopt, redirects, 0, &run.error);
  }
  std::vector<Cubin> cubins;
  bool failed = false;
  for (std::size_t k = 0; k < archs.size(); ++k) {
    Assembly& run = runs[k];
    std::string message = run.error;
    int status = -1;
    if (run.process.Pid != llvm::sys::ProcessInfo::InvalidPid) {
      status = llvm::sys::Wait(run.process, std::nullopt, &message).ReturnCode;
      if (message.empty()) message = llvm::StringRef(read_file(run.log)).trim().str();
    }
    std::string bytes = status == 0 ? read_file(run.cubin) : std::string();
    if (bytes.empty()) {
      if (message.empty()) message = "exit status " + std::to_string(status) + ", no output";
      diags.report(diag::DiagId::ptxas_failed, diag::SourceRange{}, archs[k], message);
      failed = true;
      continue;
    }
    cubins.push_back({sass_arch_number(archs[k]), std::move(bytes)});
  }
  if (timings != nullptr)
    timings->emplace_back("ptxas", std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  if (failed) return std::nullopt;
  return cubins;
}

}  // namespace gennc::codegen
