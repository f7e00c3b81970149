// gennc/step_recording.h as the GPU's gennc_finish_step calls it, run on the host: a
// precise population's step copied into its rows by threads that share them.
#include <catch2/catch.hpp>
#include <cstdint>
#include <vector>

#include "gennc/step_recording.h"

namespace {

uint64_t address(const void* pointer) { return reinterpret_cast<uintptr_t>(pointer); }

}  // namespace

TEST_CASE("a precise step's list and times go to their rows whole, in list order", "[recording][precise]") {
  // {spike count, entries expected in the row}: within the list, and past its capacity
  // of 4 (spikes past it were never stored), and none.
  const struct {
    uint32_t count, recorded;
  } cases[] = {{3, 3}, {4, 4}, {7, 4}, {0, 0}};
  const uint32_t capacity = 4, words = capacity + 1, steps = 3, row = 1;
  const std::vector<uint32_t> list = {5, 2, 5, 0};  // one neuron twice in one step
  const std::vector<double> times = {0.125, 0.1, 0.175, 0.15};
  for (const auto& c : cases) {
    std::vector<uint32_t> buffer(steps * words, 0xffffffffu);
    std::vector<double> time_buffer(steps * capacity, -1.0);
    const GenncSpikeTable table{address(&c.count),      address(list.data()), 0, address(buffer.data()), 6, words,
                                address(times.data()), address(time_buffer.data())};
    // Three threads sharing the row, as a row of gennc_finish_step's blocks does.
    for (uint32_t thread = 0; thread < 3; ++thread) gennc_record_precise_spikes(&table, row, thread, 3);
    INFO("count " << c.count);
    CHECK(buffer[row * words] == c.recorded);
    for (uint32_t k = 0; k < c.recorded; ++k) {
      CHECK(buffer[row * words + 1 + k] == list[k]);
      CHECK(time_buffer[row * capacity + k] == times[k]);  // copied, so exactly equal
    }
    // The other rows are untouched.
    for (uint32_t w = 0; w < words; ++w) CHECK((buffer[w] == 0xffffffffu && buffer[2 * words + w] == 0xffffffffu));
  }
}
