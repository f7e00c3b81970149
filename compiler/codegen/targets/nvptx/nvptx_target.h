// The NVPTX (CUDA GPU) target: a kernel is a PTX `.entry` that the runtime launches over a
// grid. Every thread takes the elements begin + thread, begin + thread + grid size, ...
// (a grid-stride loop), so any grid covers any range and the runtime can size grids for
// occupancy rather than for the element count. Arrays live in global memory (address
// space 1); spikes are appended with one atomic per warp (warp-aggregated).
#pragma once

#include <memory>
#include <string>

#include "codegen/targets/target.h"
#include "gennc/model_abi.h"

namespace gennc::codegen {

class NvptxTarget final : public Target {
 public:
  static constexpr unsigned kGlobal = 1;  // NVPTX's global address space

  // `machine` comes from create_nvptx_target_machine().
  explicit NvptxTarget(std::unique_ptr<llvm::TargetMachine> machine);

  llvm::TargetMachine& machine() const override { return *machine_; }
  unsigned array_address_space() const override { return kGlobal; }
  void emit_range(llvm::IRBuilder<>& builder, llvm::Value* begin, llvm::Value* end,
                  const std::vector<SpikeList>& lists, const ElementFn& element, Spread spread,
                  const BlockFn& before_block) const override;
  // A block per element: thread k of the block runs the element's loop iterations k,
  // k + kRowLanes, ... (a spike's row: neighbouring threads read neighbouring synapses). A warp
  // per spike left delivery latency-bound: with a few spikes per step, a few warps walked
  // rows of thousands of synapses one dependent load after another (the microcircuit's
  // inhibitory rows took ~100 us a launch). Requires blocks of exactly kRowLanes threads.
  static constexpr unsigned kRowLanes = GENNC_STAGE_THREADS;
  unsigned lanes() const override { return kRowLanes; }
  void emit_shared_range(llvm::IRBuilder<>& builder, llvm::Value* begin, llvm::Value* end,
                         const SharedElementFn& element, Spread spread) const override;
  llvm::Value* emit_atomic_add(llvm::IRBuilder<>& builder, llvm::Value* ptr,
                               llvm::Value* value) const override;
  // One atomic per warp, as spike appends (a source's counted spikes: tens of thousands
  // per step on one counter would otherwise serialise).
  llvm::Value* emit_spike_slot(llvm::IRBuilder<>& builder, llvm::Value* count) const override;
  bool records_spikes_at_emission() const override { return true; }
  // A relaxed atomic or (add) whose result is unused, which ptxas makes a reduction.
  void emit_spike_record(llvm::IRBuilder<>& builder, llvm::Value* row, llvm::Value* neuron, llvm::Value* count,
                         bool counted) const override;
  // A kernel entry `void name(const GenncKernelEnv* env, u32 begin, u32 end, const u32* count)`:
  // `env` (and the array table it points to) in device memory, so that a captured CUDA
  // graph replays steps with t and step advanced on the device; when `count` is not null
  // the range ends at min(end, *count), read on the device (a spike count).
  // The entry's PTX name is the returned function's name (letters, digits and '_').
  llvm::Function* emit_entry(llvm::Module& module, const std::string& name,
                             const KernelBody& body) const override;

 private:
  std::unique_ptr<llvm::TargetMachine> machine_;
};

// A TargetMachine for nvptx64-nvidia-cuda and a GPU architecture ("sm_80", "sm_90", ...).
// On failure returns null and sets *error.
std::unique_ptr<llvm::TargetMachine> create_nvptx_target_machine(const std::string& arch, int opt_level,
                                                                 std::string* error);

}  // namespace gennc::codegen
