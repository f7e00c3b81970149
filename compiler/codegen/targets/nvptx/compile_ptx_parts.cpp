#include "codegen/targets/nvptx/compile_ptx_parts.h"

#include <llvm/Bitcode/BitcodeReader.h>
#include <llvm/Bitcode/BitcodeWriter.h>
#include <llvm/IR/Instructions.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/Support/MemoryBuffer.h>
#include <llvm/Support/raw_ostream.h>

#ifdef __linux__
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "codegen/emit_machine_code.h"
#include "codegen/merge_called_bodies.h"
#include "codegen/optimize_module.h"
#include "codegen/second_thread.h"
#include "codegen/targets/nvptx/nvptx_target.h"
#include "ir/internal_error.h"

namespace gennc::codegen {

namespace {

// A network has a few entries (two or three stages, the persistent step, derived kernels);
// more parts than cores only add each part's fixed cost.
constexpr unsigned kMaxPtxParts = 4;

bool is_entry(const llvm::Function& fn) { return !fn.isDeclaration() && !fn.hasLocalLinkage(); }

// The functions `entry` reaches by direct calls, itself excluded: the code that inlining
// makes the entry's.
std::set<const llvm::Function*> reached(const llvm::Function& entry) {
  std::set<const llvm::Function*> seen;
  std::vector<const llvm::Function*> work{&entry};
  while (!work.empty()) {
    const llvm::Function* fn = work.back();
    work.pop_back();
    for (const llvm::BasicBlock& block : *fn)
      for (const llvm::Instruction& inst : block)
        if (const auto* call = llvm::dyn_cast<llvm::CallBase>(&inst))
          if (const llvm::Function* callee = call->getCalledFunction();
              callee != nullptr && !callee->isDeclaration() && callee != &entry && seen.insert(callee).second)
            work.push_back(callee);
  }
  return seen;
}

std::size_t instruction_count(const llvm::Function& fn) {
  std::size_t size = 0;
  for (const llvm::BasicBlock& block : fn) size += block.size();
  return size;
}

// The module's entries, in order, gathered into groups that must be compiled in one part:
// entries that reach one function the inliner weighs (neither always nor never inlined),
// since it weighs that function's callers, and all entries that reach a function never
// inlined, so that every .func of the PTX comes from one part (`calls`, or none).
struct Grouping {
  std::vector<std::size_t> group_of;  // per entry
  std::vector<std::size_t> sizes;     // per group: instructions reached
  std::optional<std::size_t> calls;   // the group of the entries that reach a never-inlined function
};

Grouping group_entries(const llvm::Module& module) {
  std::vector<const llvm::Function*> entries;
  for (const llvm::Function& fn : module)
    if (is_entry(fn)) entries.push_back(&fn);
  std::vector<std::size_t> parent(entries.size());
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](std::size_t e) {
    while (parent[e] != e) e = parent[e] = parent[parent[e]];
    return e;
  };
  auto join = [&](std::size_t a, std::size_t b) { parent[find(a)] = find(b); };
  std::vector<std::set<const llvm::Function*>> reach;
  std::map<const llvm::Function*, std::size_t> first_caller;
  std::optional<std::size_t> never_inlined;
  for (std::size_t e = 0; e < entries.size(); ++e) {
    reach.push_back(reached(*entries[e]));
    for (const llvm::Function* fn : reach.back()) {
      if (fn->hasFnAttribute(llvm::Attribute::NoInline)) {
        if (never_inlined) join(e, *never_inlined);
        never_inlined = e;
      }
      if (fn->hasFnAttribute(llvm::Attribute::AlwaysInline)) continue;
      auto [it, added] = first_caller.emplace(fn, e);
      if (!added) join(e, it->second);
    }
  }
  Grouping grouping;
  std::map<std::size_t, std::size_t> group_of_root;
  std::vector<std::set<const llvm::Function*>> group_code;
  for (std::size_t e = 0; e < entries.size(); ++e) {
    auto [it, added] = group_of_root.emplace(find(e), group_code.size());
    if (added) group_code.emplace_back();
    grouping.group_of.push_back(it->second);
    group_code[it->second].insert(entries[e]);
    group_code[it->second].insert(reach[e].begin(), reach[e].end());
  }
  for (const auto& code : group_code) {
    std::size_t size = 0;
    for (const llvm::Function* fn : code) size += instruction_count(*fn);
    grouping.sizes.push_back(size);
  }
  if (never_inlined) grouping.calls = grouping.group_of[*never_inlined];
  return grouping;
}

// Lowers this thread's scheduling priority (a nice value of 10; Linux sets it per thread),
// so that it runs on the cores that threads of normal priority leave idle.
void yield_to_other_threads() {
#ifdef __linux__
  setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
#endif
}

// The entries `keep` (indices in module order) of the module in `bitcode`, optimised and
// emitted.
std::string compile_part(const std::string& bitcode, const std::set<std::size_t>& keep, const Options& options) {
  llvm::LLVMContext context;
  llvm::Expected<std::unique_ptr<llvm::Module>> parsed =
      llvm::parseBitcodeFile(llvm::MemoryBufferRef(bitcode, "PTX part"), context);
  if (!parsed) ir::internal_error("codegen", "cannot read back a PTX part: " + llvm::toString(parsed.takeError()));
  llvm::Module& module = **parsed;
  // The other parts' entries go; what only they reached, the optimiser drops.
  std::vector<llvm::Function*> others;
  std::size_t index = 0;
  for (llvm::Function& fn : module)
    if (is_entry(fn) && keep.count(index++) == 0) others.push_back(&fn);
  for (llvm::Function* fn : others) {
    fn->deleteBody();
    if (fn->use_empty()) fn->eraseFromParent();
  }
  std::string error;
  std::unique_ptr<llvm::TargetMachine> machine =
      create_nvptx_target_machine(options.gpu_arch, options.opt_level, &error);
  if (machine == nullptr) ir::internal_error("codegen", "no target machine for a PTX part: " + error);
  optimize_module(module, *machine, options.opt_level);
  std::string text;
  llvm::raw_string_ostream out(text);
  {
    llvm::buffer_ostream buffer(out);
    if (!emit_machine_code(module, *machine, MachineCodeKind::Assembly, buffer, &error))
      ir::internal_error("codegen", error);
  }
  out.flush();
  return text;
}

// A part's PTX cut up: the header (up to the first entry's `.globl` comment), the
// module-scope declarations the back end prints after that comment, each entry's text from
// its `.globl` comment to its closing brace (the first without the declarations), and the
// functions after the last entry (.func definitions).
struct PartText {
  std::string header;
  std::string declarations;
  std::vector<std::string> entries;
  std::string functions;
};

constexpr const char* kGlobl = "\t// .globl\t";
constexpr const char* kEntry = ".visible .entry ";

bool starts_with(const std::string& text, const char* prefix) { return text.rfind(prefix, 0) == 0; }

// Whether every line of `text` at the left margin is one a function's text may hold (its
// directives, parentheses, braces, labels) and, unless `calls`, it makes no call: a call's
// sequence number counts the calls of the whole module, which a part's does not.
bool function_lines(const std::string& text, bool calls) {
  if (!calls && text.find("// callseq") != std::string::npos) return false;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line[0] == '\t' || line[0] == ' ') continue;
    bool known = false;
    for (const char* prefix : {kGlobl, kEntry, ".func ", ".maxntid", ".minnctapersm", ".reqntid", ".maxnreg", "{", "}",
                               "(", ")", "$L__BB"})
      known = known || starts_with(line, prefix);
    if (!known) return false;
  }
  return true;
}

std::optional<PartText> cut(const std::string& text, bool calls) {
  PartText part;
  const std::string globl = std::string("\n") + kGlobl;
  std::size_t at = text.find(globl);
  if (at == std::string::npos) return std::nullopt;
  part.header = text.substr(0, at + 1);
  std::size_t pos = at + 1;
  while (pos < text.size()) {
    std::size_t next = text.find(globl, pos);
    next = next == std::string::npos ? text.size() : next + 1;
    const std::string chunk = text.substr(pos, next - pos);
    pos = next;
    // After the `.globl` line: the module-scope declarations (first entry only), the entry
    // to its closing brace, then (last entry only) the .func definitions.
    const std::size_t globl_end = chunk.find('\n') + 1;
    const std::size_t start = chunk.find(std::string("\n") + kEntry);
    const std::size_t close = chunk.find("\n}\n", start == std::string::npos ? 0 : start);
    if (start == std::string::npos || close == std::string::npos) return std::nullopt;
    const std::string between = chunk.substr(globl_end, start + 1 - globl_end);
    if (part.entries.empty())
      part.declarations = between;
    else if (!between.empty() || !part.functions.empty())
      return std::nullopt;
    std::string entry = chunk.substr(0, globl_end) + chunk.substr(start + 1, close + 3 - (start + 1));
    part.functions = chunk.substr(close + 3);
    if (!function_lines(entry, calls) || !function_lines(part.functions, calls)) return std::nullopt;
    // A .func's own shared declarations are not undone below: it keeps none.
    if (!part.functions.empty() &&
        (!starts_with(part.functions, ".func ") || part.functions.find("// demoted variable") != std::string::npos))
      return std::nullopt;
    part.entries.push_back(std::move(entry));
  }
  return part;
}

// `text` with the function number of each block label (`$L__BB<function>_<block>`) and
// stack depot (`__local_depot<function>`) n replaced by renumbered(n); nullopt where it
// holds another local name (`$L_...`), which may be numbered by function too.
template <typename Renumber>
std::optional<std::string> renumber(const std::string& text, Renumber renumbered) {
  std::string out;
  std::size_t pos = 0;
  while (true) {
    const std::size_t label = text.find("$L_", pos);
    const std::size_t depot = text.find("__local_depot", pos);
    const std::size_t at = std::min(label, depot);
    if (at == std::string::npos) break;
    std::size_t digits = at;
    if (at == label) {
      if (text.compare(at, 6, "$L__BB") != 0) return std::nullopt;
      digits += 6;
    } else {
      digits += 13;
    }
    std::size_t end = digits;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    if (end == digits) return std::nullopt;
    const std::optional<std::size_t> number = renumbered(std::stoul(text.substr(digits, end - digits)));
    if (!number) return std::nullopt;
    out.append(text, pos, digits - pos);
    out += std::to_string(*number);
    pos = end;
  }
  out.append(text, pos, std::string::npos);
  return out;
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// The names of the variables that a part's module-scope declarations declare, or note as
// demoted ("// <name> has been demoted").
std::set<std::string> declared_names(const std::string& declarations) {
  std::set<std::string> names;
  for (const std::string& line : lines_of(declarations)) {
    if (starts_with(line, "// ") && line.find(" has been demoted") != std::string::npos) {
      names.insert(line.substr(3, line.find(' ', 3) - 3));
    } else if (starts_with(line, ".shared ") || starts_with(line, ".global ") || starts_with(line, ".const ")) {
      const std::size_t name_end = line.find_first_of("[;=");
      if (name_end == std::string::npos) continue;
      std::size_t name_start = line.rfind(' ', name_end);
      while (name_start != std::string::npos && name_start + 1 == name_end) name_start = line.rfind(' ', name_start - 1);
      if (name_start != std::string::npos) names.insert(line.substr(name_start + 1, name_end - name_start - 1));
    }
  }
  return names;
}

// The back end declares a shared variable that one function uses inside that function
// ("demoted"): in a part, a variable that entries of several parts use (the stage
// prologue's arrays) may be used by one entry only. Undoes that for the variables named in
// `shared_elsewhere`, as the whole module prints them: the declaration back at module
// scope in place of its "has been demoted" note, and the entry's demoted declarations
// replaced by the blank line the back end prints where there are none. Returns false
// where an entry would keep some demoted declarations and lose others.
bool undo_demotions(PartText& part, const std::set<std::string>& shared_elsewhere) {
  const std::string marker = "\t// demoted variable\n\t";
  for (std::string& entry : part.entries) {
    const std::size_t first = entry.find(marker);
    if (first == std::string::npos) continue;
    std::size_t end = first;
    std::vector<std::string> declarations;
    while (entry.compare(end, marker.size(), marker) == 0) {
      const std::size_t line_end = entry.find('\n', end + marker.size());
      declarations.push_back(entry.substr(end + marker.size(), line_end - end - marker.size()));
      end = line_end + 1;
    }
    std::size_t undone = 0;
    for (const std::string& declaration : declarations)
      for (const std::string& name : declared_names(declaration)) {
        if (shared_elsewhere.count(name) == 0) continue;
        const std::string note = "// " + name + " has been demoted\n";
        const std::size_t at = part.declarations.find(note);
        if (at == std::string::npos) return false;
        part.declarations.replace(at, note.size(), declaration + "\n");
        ++undone;
      }
    if (undone == 0) continue;
    if (undone != declarations.size()) return false;
    entry.replace(first, end - first, "\n");
  }
  return true;
}

}  // namespace

PtxParts compile_ptx_parts(const llvm::Module& module, const Options& options) {
  for (const llvm::Function& fn : module)
    if (fn.hasFnAttribute(kCalledBodyAttribute)) return {};
  const Grouping grouping = group_entries(module);
  const unsigned threads =
      options.ptx_parts != 0 ? options.ptx_parts : std::max(1u, std::thread::hardware_concurrency());
  const std::size_t count = std::min<std::size_t>({threads, kMaxPtxParts, grouping.sizes.size()});
  if (count < 2) return {};
  // Groups to parts, largest first, each to the lightest part so far.
  std::vector<std::size_t> order(grouping.sizes.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return grouping.sizes[a] > grouping.sizes[b]; });
  std::vector<std::size_t> part_size(count, 0), part_of_group(order.size());
  for (std::size_t g : order) {
    const auto lightest = static_cast<std::size_t>(std::min_element(part_size.begin(), part_size.end()) - part_size.begin());
    part_of_group[g] = lightest;
    part_size[lightest] += grouping.sizes[g];
  }
  std::vector<std::set<std::size_t>> keep(count);
  std::vector<std::size_t> part_of_entry, local_index;
  for (std::size_t e = 0; e < grouping.group_of.size(); ++e) {
    const std::size_t p = part_of_group[grouping.group_of[e]];
    part_of_entry.push_back(p);
    local_index.push_back(keep[p].size());
    keep[p].insert(e);
  }
  // The part whose entries reach the functions never inlined (`count`: none).
  const std::size_t calls_part = grouping.calls ? part_of_group[*grouping.calls] : count;

  std::string bitcode;
  {
    llvm::raw_string_ostream out(bitcode);
    llvm::WriteBitcodeToFile(module, out);
  }
  // The largest part is the critical path: it runs on this thread, and the others yield to
  // it and to the host pipeline (build_binary's other thread), taking what cores they
  // leave; at equal priority, three threads on two cores stretched the largest by a third.
  const auto largest = static_cast<std::size_t>(std::max_element(part_size.begin(), part_size.end()) - part_size.begin());
  std::vector<std::string> texts(count);
  {
    std::vector<std::unique_ptr<SecondThread>> others;
    const std::thread::id caller = std::this_thread::get_id();
    for (std::size_t p = 0; p < count; ++p)
      if (p != largest)
        others.push_back(std::make_unique<SecondThread>([&, p] {
          if (std::this_thread::get_id() != caller) yield_to_other_threads();
          texts[p] = compile_part(bitcode, keep[p], options);
        }));
    texts[largest] = compile_part(bitcode, keep[largest], options);
    for (auto& other : others) other->join();
  }

  std::vector<PartText> cut_parts;
  for (std::size_t p = 0; p < count; ++p) {
    const bool calls = calls_part == p;
    std::optional<PartText> part = cut(texts[p], calls);
    if (!part || part->entries.size() != keep[p].size()) return {true, std::nullopt};
    if (!calls && !part->functions.empty()) return {true, std::nullopt};
    cut_parts.push_back(std::move(*part));
  }
  // Variables that several parts declare are used by several functions of the whole module.
  std::map<std::string, unsigned> parts_naming;
  for (const PartText& part : cut_parts)
    for (const std::string& name : declared_names(part.declarations)) ++parts_naming[name];
  std::set<std::string> shared_elsewhere;
  for (const auto& [name, parts_with] : parts_naming)
    if (parts_with > 1) shared_elsewhere.insert(name);
  for (PartText& part : cut_parts)
    if (!undo_demotions(part, shared_elsewhere)) return {true, std::nullopt};
  // The whole module declares what any part does: the declarations of the part that holds
  // every other part's (the .func prototypes, a table only one part's code reads).
  auto holds_all = [&](const PartText& candidate) {
    const std::vector<std::string> declared = lines_of(candidate.declarations);
    for (const PartText& part : cut_parts) {
      if (part.header != candidate.header) return false;
      for (const std::string& line : lines_of(part.declarations))
        if (std::find(declared.begin(), declared.end(), line) == declared.end()) return false;
    }
    return true;
  };
  const auto declaring_part = std::find_if(cut_parts.begin(), cut_parts.end(), holds_all);
  if (declaring_part == cut_parts.end()) return {true, std::nullopt};
  const PartText& declaring = *declaring_part;

  // The entries in module order, each numbered as the whole module numbers its functions,
  // then the .func definitions, which follow all entries there.
  std::string joined = declaring.header;
  const std::size_t entries = part_of_entry.size();
  for (std::size_t e = 0; e < entries; ++e) {
    const std::size_t p = part_of_entry[e];
    std::optional<std::string> entry =
        renumber(cut_parts[p].entries[local_index[e]], [&](std::size_t n) -> std::optional<std::size_t> {
          return n == local_index[e] ? std::optional<std::size_t>(e) : std::nullopt;
        });
    if (!entry) return {true, std::nullopt};
    if (e == 0) entry->insert(entry->find('\n') + 1, declaring.declarations);
    joined += *entry;
  }
  if (calls_part < count) {
    const std::size_t before = keep[calls_part].size();
    std::optional<std::string> functions =
        renumber(cut_parts[calls_part].functions, [&](std::size_t n) -> std::optional<std::size_t> {
          return n >= before ? std::optional<std::size_t>(n - before + entries) : std::nullopt;
        });
    if (!functions) return {true, std::nullopt};
    joined += *functions;
  }
  return {true, std::move(joined)};
}

}  // namespace gennc::codegen
