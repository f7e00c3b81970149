// Sampled recordings made whole across ranks (docs/distributed.md, results): every rank
// samples every column of a population's variable recording (and of a fused current
// source's), but a column is current only on the rank that updates its neuron. Where the
// ranks meet, each sends the rows sampled since the last meeting of the columns it owns,
// and every rank puts each column's values from its owner in place.
#pragma once

#include <cstdint>
#include <utility>
#include <vector>

#include "../recorder.h"
#include "partition.h"

namespace gennc::runtime::mpi {

class SampleMerge {
 public:
  // The rows each merged recording of `model` sampled since `merged_rows` (per recording,
  // grown to the recordings' count) and each column's owner under `ranges`: the same on
  // every rank.
  SampleMerge(const GenncModel& model, const std::vector<Recording>& recordings, std::vector<uint64_t>* merged_rows,
              const Partition& ranges);
  // Whether any recording has rows to merge (the same answer on every rank).
  bool any() const { return any_; }
  // Appends `rank`'s values of those rows and columns to `words`, each f64 as two u32 words.
  void pack(uint32_t rank, std::vector<uint32_t>* words) const;
  // Puts every column's values in place from its owner's words: ranks[r] holds rank r's
  // packed words from cursors[r] on; the cursors move past what is read. Then the rows
  // count as merged.
  void unpack(std::vector<Recording>& recordings, const std::vector<const uint32_t*>& ranks,
              std::vector<size_t>* cursors) const;

 private:
  const std::vector<Recording>& recordings_;
  std::vector<uint64_t>* merged_rows_;
  std::vector<std::pair<uint64_t, uint64_t>> rows_;  // per recording: [first, end) to merge
  std::vector<std::vector<uint32_t>> column_owner_;  // per recording: each column's rank
  bool any_ = false;
};

}  // namespace gennc::runtime::mpi
