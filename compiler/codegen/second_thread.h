// Work on a second thread whose failure reaches the thread that waits for it.
#pragma once

#include <exception>
#include <functional>
#include <system_error>
#include <thread>

namespace gennc::codegen {

// Runs `work` on a second thread. join() waits for it and rethrows what it threw (an
// internal error); the destructor joins too, so that an exception on this thread never
// leaves the other running. Where the system has no thread to give (EAGAIN under a
// process limit), join() runs the work on this thread instead: slower, not an error.
class SecondThread {
 public:
  explicit SecondThread(std::function<void()> work) : work_(std::move(work)) {
    try {
      thread_ = std::thread([this] { run(); });
    } catch (const std::system_error&) {
      // No thread: join() runs the work.
    }
  }
  SecondThread(const SecondThread&) = delete;
  SecondThread& operator=(const SecondThread&) = delete;
  ~SecondThread() {
    if (thread_.joinable()) thread_.join();
  }
  void join() {
    if (thread_.joinable())
      thread_.join();
    else
      run();
    if (error_) std::rethrow_exception(error_);
  }

 private:
  void run() {
    try {
      work_();
    } catch (...) {
      error_ = std::current_exception();
    }
  }

  std::function<void()> work_;
  std::exception_ptr error_;
  std::thread thread_;
};

}  // namespace gennc::codegen
