#include "thread_pool.h"

#include <algorithm>
#include <exception>

namespace gennc::runtime {

ThreadPool::ThreadPool(unsigned threads) {
  try {
    workers_.reserve(threads > 0 ? threads - 1 : 0);
    for (unsigned i = 1; i < threads; ++i) workers_.emplace_back([this, i] { worker_loop(i); });
  } catch (const std::exception& e) {
    // std::system_error (no resources for another thread) or bad_alloc: the workers that
    // did start are stopped, so nothing waits for the ones that did not.
    error_ = "cannot start " + std::to_string(threads - 1) + " worker threads (" + std::to_string(workers_.size()) +
             " started): " + e.what();
    stop();
  }
}

ThreadPool::~ThreadPool() { stop(); }

void ThreadPool::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
}

void ThreadPool::worker_loop(unsigned thread) {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
      if (thread >= team_) continue;
    }
    (*body_)(thread);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (--busy_ == 0) done_.notify_one();
    }
  }
}

void ThreadPool::run_team(unsigned threads, const TeamBody& body) {
  threads = std::clamp(threads, 1u, size());
  if (threads == 1) {
    body(0);
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mutex_);
    body_ = &body;
    team_ = threads;
    busy_ = threads - 1;
    ++generation_;
  }
  wake_.notify_all();
  body(0);
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return busy_ == 0; });
  body_ = nullptr;
}

void ThreadPool::parallel_for(uint32_t count, uint32_t grain, const Body& body) {
  if (count == 0) return;
  grain = std::max<uint32_t>(grain, 1);
  if (workers_.empty() || count <= grain) {
    body(0, count);
    return;
  }
  // About four chunks per thread balances uneven work without much contention.
  const uint32_t chunk = std::max<uint32_t>(grain, count / (size() * 4) + 1);
  std::atomic<uint32_t> next{0};
  run_team(size(), [&](unsigned) {
    for (;;) {
      const uint32_t begin = next.fetch_add(chunk, std::memory_order_relaxed);
      if (begin >= count) return;
      body(begin, static_cast<uint32_t>(std::min<uint64_t>(static_cast<uint64_t>(begin) + chunk, count)));
    }
  });
}

void Barrier::arrive_and_wait() {
  if (threads_ == 1) return;
  const unsigned phase = phase_.load(std::memory_order_acquire);
  if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == threads_) {
    arrived_.store(0, std::memory_order_relaxed);
    phase_.store(phase + 1, std::memory_order_release);
    return;
  }
  for (unsigned spins = 0; phase_.load(std::memory_order_acquire) == phase; ++spins) {
    if (spins < 2000) {
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    } else {
      std::this_thread::yield();  // the other threads may be descheduled: give them the core
    }
  }
}

}  // namespace gennc::runtime
