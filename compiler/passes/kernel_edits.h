// Edits of kernels, schedules and arrays that several passes share (the fusions,
// remove_unused_arrays, localise_cleared_arrays, merge_receptor_rings): finding a
// population's update, moving one kernel's code and locals into another, finding where an
// array is used, and removing kernels and arrays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ir/ir.h"

namespace gennc::passes {

// The population's one neuron kernel in the step schedule; none where it has none or several.
std::optional<std::uint32_t> update_kernel(const ir::Module& m, std::uint32_t population);

// Where a kernel stands in the step schedule; none where it is not in it.
std::optional<std::size_t> schedule_position(const ir::Module& m, std::uint32_t kernel);

// Adds `from`'s locals to `into`, named "<prefix>.<name>"; returns the map from `from`'s
// local ids to `into`'s.
std::vector<ir::LocalId> import_locals(ir::Kernel& into, const ir::Kernel& from, const std::string& prefix);

// Renames every local of a block (cloned from the kernel `map` was made for) through `map`.
void rename_locals(ir::Block& body, const std::vector<ir::LocalId>& map);

// Removes the kernels `gone` and renumbers the init and step schedules. Requires stages
// not planned yet (plan_stages runs after the passes that remove kernels).
void remove_kernels(ir::Module& m, const std::set<std::uint32_t>& gone);

// Whether a block (or a statement) loads, stores or adds into `array`.
bool touches_array(const ir::Block& b, ir::ArrayId array);
bool touches_array(const ir::Stmt& s, ir::ArrayId array);

// Whether the module names `array` anywhere but in kernel code: a recording or a synapse
// function.
bool named_outside_code(const ir::Module& m, ir::ArrayId array);

// Removes every array whose `keep` is false, with the stores and atomic adds into it (an
// `if` left empty goes too), and renumbers the arrays everywhere the module names them;
// nothing may still load a removed array. Returns whether any was removed.
bool remove_arrays(ir::Module& m, const std::vector<bool>& keep);

}  // namespace gennc::passes
