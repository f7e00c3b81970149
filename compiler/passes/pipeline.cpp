#include "passes/pipeline.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <ostream>

#include "ir/internal_error.h"
#include "ir/printer.h"
#include "ir/verifier.h"
#include "passes/check_finite_states.h"
#include "passes/fold_constants.h"
#include "passes/fuse_current_injection.h"
#include "passes/fuse_source_delivery.h"
#include "passes/localise_cleared_arrays.h"
#include "passes/merge_receptor_rings.h"
#include "passes/lower_refractoriness.h"
#include "passes/plan_exchange.h"
#include "passes/plan_stages.h"
#include "passes/remove_dead_code.h"
#include "passes/remove_empty_kernels.h"
#include "passes/remove_unused_arrays.h"
#include "passes/solve_odes.h"
#include "passes/solve_precise_steps.h"
#include "passes/specialise_uniform_parameters.h"

namespace gennc::passes {

namespace {

using PassFn = bool (*)(ir::Module&, const Options&, diag::Diagnostics&);

struct Pass {
  const char* name;
  PassFn run;
};

// The order, top to bottom.
const Pass kPasses[] = {
    {"lower_refractoriness", lower_refractoriness},
    {"specialise_uniform_parameters", specialise_uniform_parameters},
    {"solve_precise_steps", solve_precise_steps},
    {"fold_constants", fold_constants},
    {"solve_odes", solve_odes},
    {"fold_constants", fold_constants},
    {"fuse_source_delivery", fuse_source_delivery},
    {"fuse_current_injection", fuse_current_injection},
    {"merge_receptor_rings", merge_receptor_rings},
    {"localise_cleared_arrays", localise_cleared_arrays},
    {"remove_dead_code", remove_dead_code},
    {"remove_unused_arrays", remove_unused_arrays},
    {"check_finite_states", check_finite_states},
    {"remove_empty_kernels", remove_empty_kernels},
    {"plan_stages", plan_stages},
    {"plan_exchange", plan_exchange},
};

void write_file(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

}  // namespace

const std::vector<std::string>& pass_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const Pass& p : kPasses) out.push_back(p.name);
    return out;
  }();
  return names;
}

bool run_pipeline(ir::Module& m, const PipelineOptions& options, diag::Diagnostics& diags) {
  ir::PrintOptions print;
  print.sources = options.sources;
  auto check = [&](const std::string& after, const std::string& before_text) {
    if (!options.verify_each) return;
    std::vector<std::string> problems = ir::verify(m);
    if (problems.empty()) return;
    auto reproducer = std::filesystem::temp_directory_path() / fmt::format("gennc-{}.ir", after);
    write_file(reproducer, before_text);
    ir::internal_error("pass " + after,
                       fmt::format("the IR does not verify:\n  {}\nthe IR the pass received is in {}",
                                   fmt::join(problems, "\n  "), reproducer.string()));
  };
  if (!options.dump_dir.empty()) {
    std::filesystem::create_directories(options.dump_dir);
    write_file(std::filesystem::path(options.dump_dir) / "00.lowered.ir", ir::print(m, print));
  }
  check("lowering", "");

  std::vector<std::pair<double, std::string>> times;
  int number = 0;
  for (const Pass& pass : kPasses) {
    ++number;
    std::string before = options.verify_each ? ir::print(m) : std::string();
    auto start = std::chrono::steady_clock::now();
    bool changed = pass.run(m, options.passes, diags);
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    times.emplace_back(seconds, pass.name);
    if (diags.has_errors()) return false;
    check(pass.name, before);
    bool print_this = options.print_after == "all" || options.print_after == pass.name;
    if (print_this && options.log) {
      *options.log << fmt::format("; IR after {}\n", pass.name);
      *options.log << (changed ? ir::print(m, print) : std::string("(unchanged)\n"));
    }
    if (!options.dump_dir.empty())
      write_file(std::filesystem::path(options.dump_dir) / fmt::format("{:02}.{}.ir", number, pass.name),
                 ir::print(m, print));
  }
  if (options.time_passes && options.log) {
    std::sort(times.begin(), times.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    double total = 0;
    for (const auto& t : times) total += t.first;
    *options.log << "===== pass times =====\n";
    for (const auto& [s, name] : times) *options.log << fmt::format("{:10.3f} ms  {}\n", s * 1e3, name);
    *options.log << fmt::format("{:10.3f} ms  total\n", total * 1e3);
  }
  return true;
}

}  // namespace gennc::passes
