// A persistent pool of worker threads that runs one job at a time: a range split into
// chunks (parallel_for) or one call per thread (run_team, for work that keeps its threads
// together through many steps with a Barrier). The calling thread works too, so a pool of
// size 1 has no workers and runs everything inline.
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
  using TeamBody = std::function<void(unsigned thread)>;

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
  // Calls body(t) once on each of the first `threads` threads (t = 0 on the caller; at most
  // size()) and returns when every call has returned.
  void run_team(unsigned threads, const TeamBody& body);

 private:
  void worker_loop(unsigned thread);
  void stop();  // stops and joins every worker

  std::vector<std::thread> workers_;
  std::string error_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable done_;
  uint64_t generation_ = 0;
  bool stopping_ = false;
  unsigned busy_ = 0;
  unsigned team_ = 0;  // threads taking part in the current job
  const TeamBody* body_ = nullptr;
};

// Holds each of `threads` threads until all have arrived. It spins, then yields: the
// waits between a step's stages last microseconds, too short for a sleep and a wake-up.
class Barrier {
 public:
  explicit Barrier(unsigned threads) : threads_(threads) {}
  void arrive_and_wait();

 private:
  const unsigned threads_;
  std::atomic<unsigned> arrived_{0};
  std::atomic<unsigned> phase_{0};
};

}  // namespace gennc::runtime
