// cuda::choose_cubin: which embedded machine code a device of a given compute capability
// loads (docs/gpu.md, "Machine code"); where none fits, the engine JIT-compiles the PTX.
#include <catch2/catch.hpp>

#include <vector>

#include "cuda/choose_cubin.h"

using gennc::runtime::cuda::choose_cubin;

namespace {

// The architecture chosen from `archs` for major.minor; 0 for none.
unsigned chosen(int major, int minor, const std::vector<uint32_t>& archs) {
  std::vector<GenncCubin> cubins;
  for (uint32_t arch : archs) cubins.push_back({arch, nullptr, 0});
  const GenncCubin* cubin = choose_cubin(major, minor, cubins.data(), static_cast<uint32_t>(cubins.size()));
  return cubin != nullptr ? cubin->arch : 0;
}

}  // namespace

TEST_CASE("choose_cubin takes the device's major architecture, highest minor not above its own", "[cuda]") {
  struct Case {
    int major, minor;
    std::vector<uint32_t> archs;
    unsigned expected;
  };
  const Case cases[] = {
      {9, 0, {80, 90}, 90},               // H100: its own
      {8, 0, {80, 90}, 80},               // A100
      {8, 6, {80, 90}, 80},               // sm_86 runs sm_80 code
      {8, 9, {80, 86, 90}, 86},           // the highest minor not above the device's
      {8, 6, {86, 80}, 86},               // whatever the order
      {8, 0, {86, 90}, 0},                // a newer minor: none
      {10, 0, {80, 90}, 0},               // a newer major (B200): none, the PTX is JIT-compiled
      {12, 0, {80, 90, 100, 120}, 120},
      {10, 3, {80, 90, 100, 120}, 100},
      {7, 5, {80, 90}, 0},                // an older major: none
      {9, 0, {}, 0},                      // no cubins at all
  };
  for (const Case& c : cases) {
    INFO("sm_" << c.major << c.minor);
    CHECK(chosen(c.major, c.minor, c.archs) == c.expected);
  }
  CHECK(choose_cubin(9, 0, nullptr, 0) == nullptr);
}
