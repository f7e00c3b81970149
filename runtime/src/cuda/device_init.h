// Network set-up on the GPU (docs/gpu.md, "Set-up"): the device draws initial values and
// generates the rows of the row connectors (gennc/connect_rows.h) from the seed, with the
// same functions as the host, so the network is the one the CPU back end builds; the host
// builds the rest and only the sizes of this part (row lengths from a count pass on the
// device, the longest delays from a pass that draws without storing), so that memory is
// planned before anything big is allocated.
//
// Device-built: every array whose initialiser is not LIST or SYNAPSE_KERNEL (scalars,
// neurons, synapses, rings; not connectivity, not the ring depths, not the synapse
// arrays of list and file connectors, whose columns overwrite them), and the columns of
// projections with a row connector (all_to_all, one_to_one, fixed_probability,
// fixed_number_post) between selections that are a whole population or a slice, that no
// kernel reads by column, that nothing clones, that have no SYNAPSE_KERNEL array, and
// whose parameters are valid (else the host builds it and reports the error).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "../simulation.h"
#include "driver_api.h"

namespace gennc::runtime::cuda {

// The device library's PTX (runtime/device/device_init.c, embedded at build time); empty
// when the runtime was built without libdevice.
extern const char kDeviceInitPtx[];

class DeviceInit final : public DeviceBuilder {
 public:
  // Decides what the device builds for `model` and loads the device library into the
  // current context. Without the library nothing is device-built.
  static Status open(const DriverApi& api, const GenncModel& model, uint64_t seed, CUstream stream,
                     unsigned max_blocks, std::unique_ptr<DeviceInit>* out);
  ~DeviceInit() override;
  DeviceInit(const DeviceInit&) = delete;
  DeviceInit& operator=(const DeviceInit&) = delete;

  bool connects(uint32_t projection) const override { return connects_[projection]; }
  Status row_lengths(uint32_t projection, std::vector<uint32_t>* lengths) override;
  bool initialises(uint32_t array) const override { return initialises_[array]; }
  Status longest_delay(uint32_t array, uint64_t length, uint64_t* longest, bool* below_one) override;

  // Arrays whose contents the device writes (their host copies are stale until copied back).
  bool builds(uint32_t array) const { return initialises_[array] || columns_[array]; }

  // Writes the device-built arrays into `arrays` (device pointers by model array, of
  // `lengths` elements), which must hold everything else already (the row pointers).
  Status fill(const std::vector<CUdeviceptr>& arrays, const std::vector<uint64_t>& lengths);

 private:
  DeviceInit(const DriverApi& api, const GenncModel& model, uint64_t seed, CUstream stream, unsigned max_blocks)
      : api_(api), model_(model), seed_(seed), stream_(stream), max_blocks_(max_blocks) {}
  Status check(CUresult result, const char* what) const;
  Status launch(CUfunction function, uint64_t elements, void** params);
  void decide();
  bool can_connect(uint32_t projection) const;
  bool can_initialise(uint32_t array) const;

  // The kernel parameters shared by gennc_count_rows and gennc_fill_rows.
  struct RowParams {
    uint32_t kind, stream;
    uint64_t seed;
    double param;
    uint32_t with_replacement, n_pre, pre_start, pre_step, n_post, post_start, post_step, exclude_self;
  };
  RowParams row_params(uint32_t projection) const;

  const DriverApi& api_;
  const GenncModel& model_;
  uint64_t seed_;
  CUstream stream_;
  unsigned max_blocks_;
  CUmodule module_ = nullptr;
  CUfunction init_values_ = nullptr, max_delay_ = nullptr, count_rows_ = nullptr, fill_rows_ = nullptr;
  std::vector<bool> connects_;     // per projection
  std::vector<bool> initialises_;  // per array
  std::vector<bool> columns_;      // per array: the column array of a device-connected projection
};

}  // namespace gennc::runtime::cuda
