#include "merge_samples.h"

#include <algorithm>
#include <cstring>

namespace gennc::runtime::mpi {

namespace {

// A variable recording whose columns the ranks merge: of a population's neurons, or of a
// current source fused into its target's update (element k: neuron k). Another current
// source's state is computed alike on every rank.
bool merged(const GenncModel& model, const Recording& r) {
  return r.info->kind == GENNC_RECORD_VARIABLE && !r.elements.empty() &&
         (r.info->injection == UINT32_MAX || injection_fused(model, r.info->injection));
}

}  // namespace

SampleMerge::SampleMerge(const GenncModel& model, const std::vector<Recording>& recordings,
                         std::vector<uint64_t>* merged_rows, const Partition& ranges)
    : recordings_(recordings), merged_rows_(merged_rows), rows_(recordings.size()),
      column_owner_(recordings.size()) {
  merged_rows_->resize(recordings.size(), 0);
  for (size_t i = 0; i < recordings.size(); ++i) {
    const Recording& r = recordings[i];
    if (!merged(model, r)) continue;
    const uint64_t held = r.samples.size() / r.elements.size();
    rows_[i] = {std::min((*merged_rows_)[i], held), held};
    if (rows_[i].first == held) continue;
    any_ = true;
    for (uint32_t element : r.elements)
      column_owner_[i].push_back(owner_of(ranges[r.info->target.population], element));
  }
}

void SampleMerge::pack(uint32_t rank, std::vector<uint32_t>* words) const {
  for (size_t i = 0; i < recordings_.size(); ++i) {
    const Recording& r = recordings_[i];
    const size_t columns = column_owner_[i].size();
    for (uint64_t row = rows_[i].first; row < rows_[i].second; ++row)
      for (size_t c = 0; c < columns; ++c)
        if (column_owner_[i][c] == rank) {
          uint32_t pair[2];
          std::memcpy(pair, &r.samples[row * columns + c], sizeof(double));
          words->insert(words->end(), pair, pair + 2);
        }
  }
}

void SampleMerge::unpack(std::vector<Recording>& recordings, const std::vector<const uint32_t*>& ranks,
                         std::vector<size_t>* cursors) const {
  for (size_t i = 0; i < recordings.size(); ++i) {
    Recording& r = recordings[i];
    const size_t columns = column_owner_[i].size();
    if (columns == 0) continue;
    for (uint32_t rank = 0; rank < ranks.size(); ++rank)
      for (uint64_t row = rows_[i].first; row < rows_[i].second; ++row)
        for (size_t c = 0; c < columns; ++c)
          if (column_owner_[i][c] == rank) {
            std::memcpy(&r.samples[row * columns + c], ranks[rank] + (*cursors)[rank], sizeof(double));
            (*cursors)[rank] += 2;
          }
    (*merged_rows_)[i] = rows_[i].second;
  }
}

}  // namespace gennc::runtime::mpi
