#include "arrays.h"

#include <sys/mman.h>

#include <cmath>
#include <limits>
#include <new>

namespace gennc::runtime {

size_t dtype_size(GenncDType dtype) {
  switch (dtype) {
    case GENNC_F32: return 4;
    case GENNC_F64: return 8;
    case GENNC_I32: return 4;
    case GENNC_U32: return 4;
    case GENNC_U8: return 1;
  }
  return 0;
}

const char* dtype_name(GenncDType dtype) {
  switch (dtype) {
    case GENNC_F32: return "float32";
    case GENNC_F64: return "float64";
    case GENNC_I32: return "int32";
    case GENNC_U32: return "uint32";
    case GENNC_U8: return "uint8";
  }
  return "?";
}

bool dtype_valid(uint32_t dtype) { return dtype <= GENNC_U8; }

double load_element(GenncDType dtype, const void* data, uint64_t k) {
  switch (dtype) {
    case GENNC_F32: return static_cast<const float*>(data)[k];
    case GENNC_F64: return static_cast<const double*>(data)[k];
    case GENNC_I32: return static_cast<const int32_t*>(data)[k];
    case GENNC_U32: return static_cast<const uint32_t*>(data)[k];
    case GENNC_U8: return static_cast<const uint8_t*>(data)[k];
  }
  return 0.0;
}

namespace {
template <typename Int>
Int to_integer(double value) {
  if (std::isnan(value)) return 0;
  double rounded = std::nearbyint(value);
  if (rounded <= static_cast<double>(std::numeric_limits<Int>::min())) return std::numeric_limits<Int>::min();
  if (rounded >= static_cast<double>(std::numeric_limits<Int>::max())) return std::numeric_limits<Int>::max();
  return static_cast<Int>(rounded);
}
}  // namespace

void store_element(GenncDType dtype, void* data, uint64_t k, double value) {
  switch (dtype) {
    case GENNC_F32: static_cast<float*>(data)[k] = static_cast<float>(value); return;
    case GENNC_F64: static_cast<double*>(data)[k] = value; return;
    case GENNC_I32: static_cast<int32_t*>(data)[k] = to_integer<int32_t>(value); return;
    case GENNC_U32: static_cast<uint32_t*>(data)[k] = to_integer<uint32_t>(value); return;
    case GENNC_U8: static_cast<uint8_t*>(data)[k] = to_integer<uint8_t>(value); return;
  }
}

// From this size on a block is mapped: the kernel hands out zeroed pages when they are first
// touched, by whichever thread touches them. Zeroing every block here, on one thread, took
// 2.0-2.4 s of a GPU set-up of the full microcircuit (3.6 GB of host copies of synapses
// that the device builds); those are faulted in on every thread before the first download
// into them (NetworkState::touch_pages).
constexpr size_t kMappedFrom = size_t{2} << 20;

void Buffer::Free::operator()(void* p) const {
  if (mapped != 0)
    munmap(p, mapped);
  else
    std::free(p);
}

Buffer::Buffer(GenncDType dtype, uint64_t length) : dtype_(dtype), length_(length) {
  size_t size = bytes();
  if (size == 0) return;
  size_t rounded = (size + 63) / 64 * 64;
  if (rounded >= kMappedFrom) {
    void* pages = mmap(nullptr, rounded, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (pages == MAP_FAILED) throw std::bad_alloc();
    data_ = std::unique_ptr<void, Free>(pages, Free{rounded});  // page-aligned, zeroed
    return;
  }
  data_ = std::unique_ptr<void, Free>(std::aligned_alloc(64, rounded), Free{0});
  if (!data_) throw std::bad_alloc();
  std::memset(data_.get(), 0, rounded);
}

Buffer::Buffer(const Buffer& other) : Buffer(other.dtype_, other.length_) {
  if (bytes() != 0) std::memcpy(data(), other.data(), bytes());
}

Buffer& Buffer::operator=(const Buffer& other) {
  if (this != &other) *this = Buffer(other);
  return *this;
}

}  // namespace gennc::runtime
