// The host (x86-64 CPU) target: a kernel is a GenncKernelFn that the runtime calls over
// sub-ranges of [0, n) from its thread pool; each call runs a plain sequential loop,
// which LLVM vectorises where the body allows it. Spikes are buffered per block of
// kSpikeBlock elements and appended with one atomic add per block, so a neuron update
// with a threshold stays vectorisable.
#pragma once

#include <memory>

#include "codegen/abi_types.h"
#include "codegen/targets/target.h"

namespace gennc::codegen {

class HostTarget final : public Target {
 public:
  // `machine` comes from create_host_target_machine().
  explicit HostTarget(std::unique_ptr<llvm::TargetMachine> machine);

  llvm::TargetMachine& machine() const override { return *machine_; }
  unsigned array_address_space() const override { return 0; }
  bool vectorises_ranges() const override { return true; }
  void emit_range(llvm::IRBuilder<>& builder, llvm::Value* begin, llvm::Value* end,
                  const std::vector<SpikeList>& lists, const ElementFn& element, Spread spread,
                  const BlockFn& before_block) const override;
  unsigned range_block() const override { return kSpikeBlock; }
  llvm::Value* emit_atomic_add(llvm::IRBuilder<>& builder, llvm::Value* ptr,
                               llvm::Value* value) const override;
  // `void name(const GenncKernelEnv* env, uint32_t begin, uint32_t end)`, internal to the
  // object (the runtime reaches it through gennc_model's kernel table).
  llvm::Function* emit_entry(llvm::Module& module, const std::string& name,
                             const KernelBody& body) const override;

  static constexpr unsigned kSpikeBlock = 256;
  // One spike list's buffers: per element of a block whether it spiked and which neuron,
  // and the current element's two values.
  struct SpikeBuffer {
    llvm::AllocaInst* flags;    // [kSpikeBlock x i8]
    llvm::AllocaInst* neurons;  // [kSpikeBlock x i32]
    llvm::AllocaInst* flag;     // i8
    llvm::AllocaInst* neuron;   // i32
    llvm::AllocaInst* counts;   // [kSpikeBlock x i32], for a list with multiplicities, else null
    llvm::AllocaInst* count;    // i32, likewise
  };

 private:
  // Appends a block's `count` buffered elements that spiked to `list`.
  void flush(llvm::IRBuilder<>& builder, const SpikeList& list, const SpikeBuffer& buffer, llvm::Value* count) const;

  std::unique_ptr<llvm::TargetMachine> machine_;
};

// The host target for a range that one thread runs while no other thread runs a kernel (a
// pool of one thread, GenncKernelInfo.host_alone): an atomic add is a plain load, add and
// store. x86 has no atomic float add: the host target's is a locked compare-exchange loop,
// which a delivery pays per synapse even with one thread. The same adds in the same order.
class HostTargetAlone final : public Target {
 public:
  // `host` must outlive this target.
  explicit HostTargetAlone(const HostTarget& host) : host_(host) {}

  llvm::TargetMachine& machine() const override { return host_.machine(); }
  unsigned array_address_space() const override { return host_.array_address_space(); }
  bool vectorises_ranges() const override { return host_.vectorises_ranges(); }
  void emit_range(llvm::IRBuilder<>& builder, llvm::Value* begin, llvm::Value* end,
                  const std::vector<SpikeList>& lists, const ElementFn& element, Spread spread,
                  const BlockFn& before_block) const override {
    host_.emit_range(builder, begin, end, lists, element, spread, before_block);
  }
  unsigned range_block() const override { return host_.range_block(); }
  llvm::Value* emit_atomic_add(llvm::IRBuilder<>& builder, llvm::Value* ptr, llvm::Value* value) const override;
  llvm::Function* emit_entry(llvm::Module& module, const std::string& name, const KernelBody& body) const override {
    return host_.emit_entry(module, name, body);
  }

 private:
  const HostTarget& host_;
};

}  // namespace gennc::codegen
