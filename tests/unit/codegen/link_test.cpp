// The link step: a hand-built network compiled to an object and linked with the runtime's
// libraries into `sim` (run here) and into a shared library (loaded here).
#include <catch2/catch.hpp>
#include <dlfcn.h>
#include <llvm/ADT/SmallString.h>
#include <llvm/Support/FileSystem.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/Program.h>

#include <stdexcept>
#include <string>

#include "codegen/codegen.h"
#include "codegen/link_simulator.h"
#include "jit.h"

using namespace gennc;
using codegen::testing::add_array;
using codegen::testing::one_population;

namespace {

// Four neurons whose v counts steps and spikes every third; spikes and v recorded.
ir::Module counting_network() {
  ir::Module m = one_population(4);
  m.network_name = "counting";
  m.dt = 0.1;
  m.duration = 1.0;
  m.seed = 5;
  const ir::ArrayId v = add_array(m, "pop.v", GENNC_F32);
  ir::Kernel k;
  k.name = "pop.update";
  auto index = [] { return ir::input(ir::Input::Index); };
  k.body.push_back(ir::store(v, index(), ir::binary(ir::BinaryOp::Add, ir::load(v, ir::Type::F32, index()),
                                                    ir::fconst(ir::Type::F32, 1))));
  ir::Block reset;
  reset.push_back(ir::emit_spike(0, index()));
  reset.push_back(ir::store(v, index(), ir::fconst(ir::Type::F32, 0)));
  k.body.push_back(ir::if_(ir::binary(ir::BinaryOp::Ge, ir::load(v, ir::Type::F32, index()), ir::fconst(ir::Type::F32, 3)),
                           std::move(reset)));
  m.kernels.push_back(std::move(k));
  m.step_schedule = {0};
  ir::Recording spikes;
  spikes.kind = GENNC_RECORD_SPIKES;
  spikes.variable = "spikes";
  spikes.array = m.populations[0].spike_list_array;
  spikes.target.count = 4;
  m.recordings.push_back(spikes);
  ir::Recording trace;
  trace.kind = GENNC_RECORD_VARIABLE;
  trace.variable = "pop.v";
  trace.array = v;
  trace.target.count = 4;
  trace.unit = "mV";
  m.recordings.push_back(trace);
  return m;
}

std::string temporary_dir() {
  llvm::SmallString<128> dir;
  REQUIRE(!llvm::sys::fs::createUniqueDirectory("gennc-link-test", dir));
  return std::string(dir);
}

std::string path_in(const std::string& dir, const char* name) {
  llvm::SmallString<128> path(dir);
  llvm::sys::path::append(path, name);
  return std::string(path);
}

// Runs a program and returns its exit status and what it printed.
int run(const std::vector<std::string>& args, std::string* output) {
  llvm::SmallString<128> log;
  REQUIRE(!llvm::sys::fs::createTemporaryFile("gennc-link-test", "txt", log));
  const std::optional<llvm::StringRef> redirects[] = {std::nullopt, llvm::StringRef(log), llvm::StringRef(log)};
  std::vector<llvm::StringRef> refs(args.begin(), args.end());
  const int status = llvm::sys::ExecuteAndWait(args[0], refs, std::nullopt, redirects);
  if (auto text = llvm::MemoryBuffer::getFile(log)) *output = (*text)->getBuffer().str();
  llvm::sys::fs::remove(log);
  return status;
}

// Compiles the counting network and links it as `kind` at `path`, with the PTX (if any)
// that `gpu` makes on the second thread.
bool build(codegen::BinaryKind kind, const std::string& path, diag::Diagnostics& diags,
           const codegen::GpuPipeline& gpu = {}, codegen::Timings* timings = nullptr) {
  codegen::Options options;
  std::unique_ptr<codegen::HostTarget> target = codegen::make_host_target(options, diags);
  REQUIRE(target != nullptr);
  const ir::Module m = counting_network();
  return codegen::build_binary(m, *target, options, nullptr, gpu, {kind, path, ""}, diags, timings);
}

}  // namespace

TEST_CASE("the runtime libraries are found in the build tree", "[codegen][link]") {
  diag::SourceManager sources;
  diag::Diagnostics diags(sources, nullptr);
  const auto libraries = codegen::find_runtime_libraries("", diags);
  REQUIRE(libraries.has_value());
  CHECK(llvm::sys::path::filename(libraries->runtime) == "libgennc_runtime.a");
  CHECK(llvm::sys::path::filename(libraries->sim_main) == "libgennc_sim_main.a");
  CHECK(!diags.has_errors());
}

TEST_CASE("a compiled network links into a sim that runs and depends only on the C runtime", "[codegen][link]") {
  const std::string dir = temporary_dir();
  const std::string sim = path_in(dir, "sim");
  diag::SourceManager sources;
  diag::Diagnostics diags(sources, nullptr);
  REQUIRE(build(codegen::BinaryKind::Executable, sim, diags));
  REQUIRE(!diags.has_errors());

  std::string output;
  const std::string results = path_in(dir, "results");
  INFO(output);
  REQUIRE(run({sim, "--out", results, "--quiet", "--backend", "cpu"}, &output) == 0);
  CHECK(llvm::sys::fs::exists(path_in(results, "manifest.json")));

  // Only the C library family is dynamic: no libstdc++, libgcc_s or LLVM.
  auto ldd = llvm::sys::findProgramByName("ldd");
  REQUIRE(static_cast<bool>(ldd));
  REQUIRE(run({*ldd, sim}, &output) == 0);
  INFO(output);
  for (const char* unexpected : {"libstdc++", "libgcc_s", "libLLVM", "libfmt"})
    CHECK(output.find(unexpected) == std::string::npos);
  llvm::sys::fs::remove_directories(dir);
}

TEST_CASE("--shared links a library exporting the runtime's C ABI and the model", "[codegen][link]") {
  const std::string dir = temporary_dir();
  const std::string library = path_in(dir, "libcounting.so");
  diag::SourceManager sources;
  diag::Diagnostics diags(sources, nullptr);
  REQUIRE(build(codegen::BinaryKind::SharedLibrary, library, diags));

  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  INFO((handle == nullptr ? dlerror() : ""));
  REQUIRE(handle != nullptr);
  CHECK(dlsym(handle, "gennc_create") != nullptr);
  CHECK(dlsym(handle, "gennc_run") != nullptr);
  const auto* model = static_cast<const GenncModel*>(dlsym(handle, "gennc_model"));
  REQUIRE(model != nullptr);
  CHECK(std::string(model->network_name) == "counting");
  CHECK(model->kernel_count == 1);
  dlclose(handle);
  llvm::sys::fs::remove_directories(dir);
}

TEST_CASE("the PTX made beside the host code is embedded in gennc_model", "[codegen][link]") {
  const std::string dir = temporary_dir();
  const std::string library = path_in(dir, "libcounting.so");
  diag::SourceManager sources;
  diag::Diagnostics diags(sources, nullptr);
  const codegen::GpuPipeline gpu = [](diag::Diagnostics&, codegen::Timings*) {
    return std::optional<codegen::EmbeddedPtx>(codegen::EmbeddedPtx{"// the counting PTX\n", {"pop_update"}, {}});
  };
  REQUIRE(build(codegen::BinaryKind::SharedLibrary, library, diags, gpu));

  void* handle = dlopen(library.c_str(), RTLD_NOW | RTLD_LOCAL);
  INFO((handle == nullptr ? dlerror() : ""));
  REQUIRE(handle != nullptr);
  const auto* model = static_cast<const GenncModel*>(dlsym(handle, "gennc_model"));
  REQUIRE(model != nullptr);
  REQUIRE(model->ptx != nullptr);
  CHECK(std::string(model->ptx) == "// the counting PTX\n");
  REQUIRE(model->kernel_count == 1);
  REQUIRE(model->kernels[0].ptx_entry != nullptr);
  CHECK(std::string(model->kernels[0].ptx_entry) == "pop_update");
  // The table's kernel pointer reaches the host entry in the other object; the entry
  // itself is not exported.
  CHECK(model->kernels[0].host != nullptr);
  CHECK(dlsym(handle, "pop.update") == nullptr);
  dlclose(handle);
  llvm::sys::fs::remove_directories(dir);
}

TEST_CASE("code generation times come in a fixed order: host, GPU, both, table, link", "[codegen][link]") {
  const std::string dir = temporary_dir();
  diag::SourceManager sources;
  diag::Diagnostics diags(sources, nullptr);
  const codegen::GpuPipeline gpu = [](diag::Diagnostics&, codegen::Timings* timings) {
    timings->emplace_back("ptx.all", 0.0);
    return std::optional<codegen::EmbeddedPtx>();
  };
  codegen::Timings timings;
  REQUIRE(build(codegen::BinaryKind::Executable, path_in(dir, "sim"), diags, gpu, &timings));
  std::vector<std::string> steps;
  for (const auto& [name, seconds] : timings) steps.push_back(name);
  CHECK(steps == std::vector<std::string>{"codegen.lower", "codegen.link-device-library", "llvm.optimize", "llvm.emit",
                                          "ptx.all", "codegen.parallel", "codegen.model-table", "link"});
  llvm::sys::fs::remove_directories(dir);
}

TEST_CASE("an error of the GPU pipeline is reported and nothing is linked", "[codegen][link]") {
  const std::string dir = temporary_dir();
  const std::string sim = path_in(dir, "sim");
  diag::SourceManager sources;
  diag::Diagnostics diags(sources, nullptr);
  const codegen::GpuPipeline gpu = [](diag::Diagnostics& gpu_diags, codegen::Timings*) {
    gpu_diags.report(diag::DiagId::target_machine_failed, diag::SourceRange{}, "the GPU", "no libdevice");
    return std::optional<codegen::EmbeddedPtx>();
  };
  CHECK(!build(codegen::BinaryKind::Executable, sim, diags, gpu));
  REQUIRE(diags.all().size() == 1);
  CHECK(diags.all()[0].id == diag::DiagId::target_machine_failed);
  CHECK(!llvm::sys::fs::exists(sim));
  llvm::sys::fs::remove_directories(dir);
}

TEST_CASE("an exception on the GPU thread reaches the caller after the join", "[codegen][link]") {
  const std::string dir = temporary_dir();
  diag::SourceManager sources;
  diag::Diagnostics diags(sources, nullptr);
  const codegen::GpuPipeline gpu = [](diag::Diagnostics&, codegen::Timings*) -> std::optional<codegen::EmbeddedPtx> {
    throw std::runtime_error("the GPU pipeline failed");
  };
  CHECK_THROWS_WITH(build(codegen::BinaryKind::Executable, path_in(dir, "sim"), diags, gpu), "the GPU pipeline failed");
  CHECK(!llvm::sys::fs::exists(path_in(dir, "sim")));
  llvm::sys::fs::remove_directories(dir);
}

TEST_CASE("a link that fails is reported with the linker's message", "[codegen][link]") {
  diag::SourceManager sources;
  diag::Diagnostics diags(sources, nullptr);
  CHECK(!build(codegen::BinaryKind::Executable, "/nonexistent-folder/sim", diags));
  REQUIRE(diags.all().size() == 1);
  CHECK(diags.all()[0].id == diag::DiagId::link_failed);
  CHECK(diags.all()[0].message.find("/nonexistent-folder/sim") != std::string::npos);
}
