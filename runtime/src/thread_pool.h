// A persistent pool of worker threads that runs one range-splitting job at a time. The
// calling thread works too, so a pool of size 1 has no workers and runs everything inline.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace gennc::runtime {

class ThreadPool {
 public:
  using Body = std::function<void(uint32_t begin, uint32_t end)>;

  // Starts threads - 1 workers. Never throws: if the system cannot start them all, the
  // pool stops those it started, runs everything on the caller, and error() says why.
  explicit ThreadPool(unsigned threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  unsigned size() const { return static_cast<unsigned>(workers_.size()) + 1; }
  // Why the workers could not be started ("" if they were).
  const std::string& error() const { return error_; }

  // Calls body over [0, count) in chunks of at least `grain` elements, spread over the
  // threads, and returns when every chunk is done. Small ranges run on the caller alone.
  void parallel_for(uint32_t count, uint32_t grain, const Body& body);

 private:
  void work_on_job();
  void worker_loop();
  void stop();  // stops and joins every worker

  std::vector<std::thread> workers_;
  std::string error_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  unsigned busy_ = 0;

  const Body* body_ = nullptr;
  uint32_t count_ = 0;
  uint32_t chunk_ = 0;
  std::atomic<uint32_t> next_{0};
};

}  // namespace gennc::runtime
