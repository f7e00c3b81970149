#include "thread_pool.h"

#include <algorithm>
#include <exception>

namespace gennc::runtime {

ThreadPool::ThreadPool(unsigned threads) {
  try {
    workers_.reserve(threads > 0 ? threads - 1 : 0);
    for (unsigned i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
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

void ThreadPool::work_on_job() {
  for (;;) {
    uint32_t begin = next_.fetch_add(chunk_, std::memory_order_relaxed);
    if (begin >= count_) return;
    uint32_t end = std::min<uint64_t>(static_cast<uint64_t>(begin) + chunk_, count_);
    (*body_)(begin, end);
  }
}

void ThreadPool::worker_loop() {
  uint64_t seen = 0;
  for (;;) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || generation_ != seen; });
      if (stopping_) return;
      seen = generation_;
    }
    work_on_job();
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (--busy_ == 0) done_.notify_one();
    }
  }
}

void ThreadPool::parallel_for(uint32_t count, uint32_t grain, const Body& body) {
  if (count == 0) return;
  grain = std::max<uint32_t>(grain, 1);
  if (workers_.empty() || count <= grain) {
    body(0, count);
    return;
  }
  // About four chunks per thread balances uneven work without much contention.
  uint32_t chunk = std::max<uint32_t>(grain, count / (size() * 4) + 1);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    body_ = &body;
    count_ = count;
    chunk_ = chunk;
    next_.store(0, std::memory_order_relaxed);
    busy_ = static_cast<unsigned>(workers_.size());
    ++generation_;
  }
  wake_.notify_all();
  work_on_job();
  std::unique_lock<std::mutex> lock(mutex_);
  done_.wait(lock, [&] { return busy_ == 0; });
  body_ = nullptr;
}

}  // namespace gennc::runtime
