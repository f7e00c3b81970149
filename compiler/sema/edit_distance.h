// "Did you mean" suggestions for misspelt names.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace gennc::sema {

// Edit distance: insertions, deletions, substitutions and swaps of adjacent characters,
// each costing 1.
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate closest to `name` when it is close enough to be a likely typo (distance
// at most a third of the name's length, and at least 1; ties go to the first; a
// difference of case only wins), else "".
std::string closest_name(std::string_view name, const std::vector<std::string_view>& candidates);

}  // namespace gennc::sema
