// A GenncSelection made concrete: its members in order and, for each neuron of the
// population, its position within the selection.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gennc/model_abi.h"
#include "status.h"

namespace gennc::runtime {

class Selection {
 public:
  // Checks `selection` against a population of `population_size` neurons.
  static Status make(const GenncSelection& selection, uint32_t population_size,
                     const std::string& what, Selection* out);

  uint32_t population() const { return population_; }
  uint32_t size() const { return static_cast<uint32_t>(members_.size()); }
  uint32_t global(uint32_t local) const { return members_[local]; }
  // The position of population neuron `global` in the selection, or -1.
  int64_t local(uint32_t global) const { return position_[global]; }
  const std::vector<uint32_t>& members() const { return members_; }
  // The positions [lo, hi) from the first member in the neurons [first, last) to the last
  // one (lo == hi: none); for all or a slice exactly those members.
  std::pair<uint32_t, uint32_t> span(uint32_t first, uint32_t last) const;

 private:
  uint32_t population_ = 0;
  std::vector<uint32_t> members_;
  std::vector<int64_t> position_;
  bool ascending_ = true;  // members in neuron order (all, slices, sorted lists)
};

}  // namespace gennc::runtime
