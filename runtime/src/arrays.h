// Storage for the model's arrays and element access by dtype.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "gennc/model_abi.h"

namespace gennc::runtime {

size_t dtype_size(GenncDType dtype);
const char* dtype_name(GenncDType dtype);  // "float32", "uint32", ...
bool dtype_valid(uint32_t dtype);

// Reads element k as a double / writes a double into element k (integers are rounded to
// the nearest value and saturated to the type's range).
double load_element(GenncDType dtype, const void* data, uint64_t k);
void store_element(GenncDType dtype, void* data, uint64_t k, double value);

// A zero-initialised, 64-byte-aligned block (so host kernels may use aligned vector loads).
class Buffer {
 public:
  Buffer() = default;
  Buffer(GenncDType dtype, uint64_t length);
  Buffer(const Buffer& other);
  Buffer& operator=(const Buffer& other);
  Buffer(Buffer&&) noexcept = default;
  Buffer& operator=(Buffer&&) noexcept = default;

  GenncDType dtype() const { return dtype_; }
  uint64_t length() const { return length_; }
  size_t bytes() const { return static_cast<size_t>(length_) * dtype_size(dtype_); }
  void* data() { return data_.get(); }
  const void* data() const { return data_.get(); }

  double get(uint64_t k) const { return load_element(dtype_, data(), k); }
  void set(uint64_t k, double value) { store_element(dtype_, data(), k, value); }
  void zero() {
    if (bytes() != 0) std::memset(data(), 0, bytes());
  }

 private:
  // Blocks of kMappedFrom bytes or more are mapped pages (munmap'ed), smaller ones come
  // from aligned_alloc (free'd).
  struct Free {
    size_t mapped;  // the mapping's bytes; 0: aligned_alloc's (value-initialised)
    void operator()(void* p) const;
  };
  GenncDType dtype_ = GENNC_F64;
  uint64_t length_ = 0;
  std::unique_ptr<void, Free> data_;
};

}  // namespace gennc::runtime
