#include "gather_synapses.h"

#include <cstring>
#include <vector>

namespace gennc::runtime::mpi {
namespace {

// Every rank's `part` (share-ordered elements of `element` bytes, rows of lengths
// `lengths[r][row]`) as one whole array, row by row and rank by rank within a row.
Buffer join_rows(const World& world, const Buffer& part, const std::vector<std::vector<uint32_t>>& lengths,
                 uint64_t whole) {
  const size_t element = dtype_size(part.dtype());
  std::vector<uint64_t> bytes;
  const std::vector<uint8_t> all = world.gather_bytes(part.data(), part.bytes(), &bytes);
  Buffer joined(part.dtype(), whole);
  auto* to = static_cast<uint8_t*>(joined.data());
  std::vector<const uint8_t*> from(world.size());
  for (uint64_t r = 0, offset = 0; r < world.size(); offset += bytes[r], ++r) from[r] = all.data() + offset;
  const size_t rows = lengths.empty() ? 0 : lengths[0].size();
  for (size_t row = 0; row < rows; ++row)
    for (uint32_t r = 0; r < world.size(); ++r) {
      const size_t count = size_t{lengths[r][row]} * element;
      std::memcpy(to, from[r], count);
      to += count;
      from[r] += count;
    }
  return joined;
}

}  // namespace

void gather_synapses(NetworkState& state, const World& world) {
  if (!state.holds_share()) return;
  const GenncModel& m = state.model();
  for (uint32_t p = 0; p < m.projection_count; ++p) {
    if (!state.splits(p)) continue;
    const GenncProjectionInfo& proj = m.projections[p];
    // Each rank's row lengths, then the row pointers of the whole.
    Buffer& rows = state.array(proj.row_pointer_array);
    auto* row_pointer = static_cast<uint32_t*>(rows.data());
    const size_t row_count = rows.length() - 1;
    std::vector<uint32_t> mine(row_count);
    for (size_t row = 0; row < row_count; ++row) mine[row] = row_pointer[row + 1] - row_pointer[row];
    std::vector<uint64_t> bytes;
    const std::vector<uint8_t> all = world.gather_bytes(mine.data(), mine.size() * sizeof(uint32_t), &bytes);
    std::vector<std::vector<uint32_t>> lengths(world.size(), std::vector<uint32_t>(row_count));
    for (uint32_t r = 0; r < world.size(); ++r)
      std::memcpy(lengths[r].data(), all.data() + size_t{r} * row_count * sizeof(uint32_t), row_count * sizeof(uint32_t));
    uint64_t whole = 0;
    row_pointer[0] = 0;
    for (size_t row = 0; row < row_count; ++row) {
      for (uint32_t r = 0; r < world.size(); ++r) whole += lengths[r][row];
      row_pointer[row + 1] = static_cast<uint32_t>(whole);
    }
    for (uint32_t a = 0; a < m.array_count; ++a) {
      if (m.arrays[a].scope != GENNC_SCOPE_SYNAPSE || m.arrays[a].owner != p) continue;
      // Column synapse ids are rebuilt from the columns (set_whole_count).
      Buffer& array = state.array(a);
      array = join_rows(world, array, lengths, whole);
      // The snapshot is taken (or loaded) on every rank at the same step: all have one or none.
      if (Buffer* reset = state.reset_value(a)) *reset = join_rows(world, *reset, lengths, whole);
    }
    state.set_whole_count(p, whole);
  }
  state.set_holds_share(false);
}

}  // namespace gennc::runtime::mpi
