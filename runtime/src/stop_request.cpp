#include "stop_request.h"

#include <atomic>
#include <string>

namespace gennc::runtime {
namespace {

// Lock-free, so a signal handler may store to it.
std::atomic<int> pending{0};
static_assert(std::atomic<int>::is_always_lock_free);
std::atomic<int> last{0};

}  // namespace

void request_stop(int reason) {
  if (reason > 0) pending.store(reason, std::memory_order_relaxed);
}

int stop_request() { return pending.load(std::memory_order_relaxed); }

int take_stop_request() {
  const int reason = pending.exchange(0, std::memory_order_relaxed);
  if (reason != 0) last.store(reason, std::memory_order_relaxed);
  return reason;
}

int last_stop_reason() { return last.load(std::memory_order_relaxed); }

Status stop_for_request(uint64_t step) {
  const int reason = take_stop_request();
  return stopped("the run stopped at a request (" + std::to_string(reason) + ") after step " + std::to_string(step));
}

}  // namespace gennc::runtime
