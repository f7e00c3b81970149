#include "codegen/compile_host_parts.h"

#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <thread>

#include "codegen/emit_machine_code.h"
#include "codegen/optimize_module.h"
#include "codegen/second_thread.h"
#include "codegen/target_machine.h"
#include "ir/internal_error.h"

namespace gennc::codegen {

namespace {

// Beyond four parts each part's fixed cost (parsing the module, the pass pipeline's set-up)
// outweighs what a network's few kernels leave to share.
constexpr unsigned kMaxHostParts = 4;

std::size_t instruction_count(const llvm::Function& fn) {
  std::size_t n = 0;
  for (const llvm::BasicBlock& block : fn) n += block.size();
  return n;
}

// The part each entry's body goes to: largest first, each to the lightest part so far.
std::map<std::string, unsigned> assign_parts(const std::vector<llvm::Function*>& entries, unsigned parts) {
  std::vector<const llvm::Function*> order(entries.begin(), entries.end());
  std::stable_sort(order.begin(), order.end(), [](const llvm::Function* a, const llvm::Function* b) {
    return instruction_count(*a) > instruction_count(*b);
  });
  std::vector<std::size_t> load(parts, 0);
  std::map<std::string, unsigned> part_of;
  for (const llvm::Function* fn : order) {
    const auto lightest = static_cast<unsigned>(std::min_element(load.begin(), load.end()) - load.begin());
    part_of[fn->getName().str()] = lightest;
    load[lightest] += instruction_count(*fn);
  }
  return part_of;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

struct PartResult {
  std::string object;
  double optimize_seconds = 0.0, emit_seconds = 0.0;
};

// Part `part` of the module in `bitcode`: the other parts' entries left as declarations.
PartResult compile_part(const std::string& bitcode, const std::map<std::string, unsigned>& part_of, unsigned part,
                        const Options& options) {
  llvm::LLVMContext context;
  llvm::Expected<std::unique_ptr<llvm::Module>> parsed =
      llvm::parseBitcodeFile(llvm::MemoryBufferRef(bitcode, "host part"), context);
  if (!parsed) ir::internal_error("codegen", "cannot read back a host part: " + llvm::toString(parsed.takeError()));
  llvm::Module& module = **parsed;
  // Each symbol another object may see is defined once: an entry in its own part, anything
  // else visible in part 0. Internal functions and constants stay in every part that uses
  // them (the optimiser drops the rest).
  for (llvm::Function& fn : module) {
    if (fn.isDeclaration() || fn.hasLocalLinkage()) continue;
    auto it = part_of.find(fn.getName().str());
    if ((it != part_of.end() ? it->second : 0u) != part) fn.deleteBody();
  }
  if (part != 0)
    for (llvm::GlobalVariable& variable : module.globals())
      if (!variable.isDeclaration() && !variable.hasLocalLinkage()) {
        variable.setInitializer(nullptr);
        variable.setLinkage(llvm::GlobalValue::ExternalLinkage);
      }

  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine = create_host_target_machine(options.cpu, options.opt_level, &error);
  if (machine == nullptr) ir::internal_error("codegen", "no target machine for a host part: " + error);
  PartResult result;
  auto start = std::chrono::steady_clock::now();
  optimize_module(module, *machine, options.opt_level);
  result.optimize_seconds = seconds_since(start);
  start = std::chrono::steady_clock::now();
  llvm::raw_string_ostream out(result.object);
  llvm::buffer_ostream buffer(out);
  if (!emit_machine_code(module, *machine, MachineCodeKind::Object, buffer, &error))
    ir::internal_error("codegen", error);
  result.emit_seconds = seconds_since(start);
  return result;
}

}  // namespace

unsigned host_part_count(const std::vector<llvm::Function*>& entries) {
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  return std::max<unsigned>(1, std::min<unsigned>({threads, kMaxHostParts, static_cast<unsigned>(entries.size())}));
}

std::vector<std::string> compile_host_parts(const llvm::Module& module, const std::vector<llvm::Function*>& entries,
                                            unsigned parts, const Options& options, Timings* timings) {
  const auto started = std::chrono::steady_clock::now();
  const std::map<std::string, unsigned> part_of = assign_parts(entries, parts);
  std::string bitcode;
  {
    llvm::raw_string_ostream out(bitcode);
    llvm::WriteBitcodeToFile(module, out);
  }
  std::vector<PartResult> results(parts);
  std::vector<std::unique_ptr<SecondThread>> others;
  for (unsigned p = 1; p < parts; ++p)
    others.push_back(std::make_unique<SecondThread>(
        [&, p] { results[p] = compile_part(bitcode, part_of, p, options); }));
  results[0] = compile_part(bitcode, part_of, 0, options);
  for (auto& other : others) other->join();
  if (timings != nullptr) {
    timings->emplace_back("llvm.optimize", results[0].optimize_seconds);
    timings->emplace_back("llvm.emit", results[0].emit_seconds);
    timings->emplace_back("codegen.parallel", seconds_since(started));
  }
  std::vector<std::string> objects;
  for (PartResult& r : results) objects.push_back(std::move(r.object));
  return objects;
}

}  // namespace gennc::codegen
