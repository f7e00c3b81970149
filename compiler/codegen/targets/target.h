// A code-generation target: the strategy that owns only what differs between the CPU and
// the GPU — how a kernel is entered, how the elements of its range are spread over
// threads, atomics, and memory spaces. What a kernel computes is decided before codegen
// (ir::Kernel) and lowered once, target-independently, by emit_kernels.cpp.
//
// A kernel is lowered to two functions. The *body* takes every array the kernel touches
// as its own `noalias` pointer argument (distinct arrays never share storage), the step's
// scalars and the range; it is internal and always inlined, so the no-aliasing facts
// survive as scoped alias metadata that the vectoriser uses. The *entry* is what the
// runtime calls; it unpacks the runtime's arguments and calls the body.
#pragma once

#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "ir/internal_error.h"

namespace gennc::codegen {

// The body function's arguments, in this order: one pointer per array of `arrays`, the
// spike rows, the post ranges, then t (double), dt (double), step (i64), seed (i64),
// begin (i32), end (i32).
struct KernelBody {
  llvm::Function* function = nullptr;
  std::vector<std::uint32_t> arrays;  // model array ids, ascending
  // After the arrays, a recording row per population the body emits spikes for, where the
  // target records spikes at emission (Target::records_spikes_at_emission), ascending.
  std::vector<std::uint32_t> spike_rows;
  // Then, where the body regenerates procedural rows, GenncKernelEnv::post_ranges (a
  // pointer in the arrays' address space, null for every position).
  bool post_ranges = false;
};
inline constexpr unsigned kBodyScalarCount = 6;

// A population's spike list as a kernel body sees it: its u32 spike count (one element)
// and its u32 list of this step's spiking neurons.
struct SpikeList {
  llvm::Value* count = nullptr;
  llvm::Value* list = nullptr;
  // The u32 multiplicities beside the list, for a spike with a count (Target::vectorises_ranges
  // targets only; null: none).
  llvm::Value* multiplicity = nullptr;
};

// How a range's element code appends a spike. How appends reach the lists (buffered, one
// atomic per block of elements, or one per spike) is the target's choice.
class SpikeSink {
 public:
  virtual ~SpikeSink() = default;
  // Appends `neuron` (u32) to spike list number `list` of emit_range's `lists`.
  virtual void append(llvm::IRBuilder<>& builder, unsigned list, llvm::Value* neuron) const = 0;
  // Appends `neuron` with its u32 `count` to a list with a multiplicity array (only on a
  // target whose ranges vectorise: emit_kernels.cpp gives no other such a list).
  virtual void append_counted(llvm::IRBuilder<>& builder, unsigned list, llvm::Value* neuron,
                              llvm::Value* count) const {
    ir::internal_error("codegen", "this target buffers no spikes with a count");
  }
};

// Which threads share a range: the whole grid (a kernel's own entry) or one block of
// threads (a stage entry hands each block its own part of each member's range). Targets
// without blocks run either sequentially.
enum class Spread { Grid, Block };

class Target {
 public:
  virtual ~Target() = default;

  // The machine whose triple and data layout generated modules take.
  virtual llvm::TargetMachine& machine() const = 0;
  // The address space of model arrays in the body's pointer arguments.
  virtual unsigned array_address_space() const = 0;

  // Emits, at the builder's position, code running `element` once for each index of
  // [begin, end) (i32 values) — a sequential loop on the host, a thread per index on a GPU
  // (the threads of the grid or of the block, by `spread`).
  // `element` receives the builder positioned where the index's code goes, the index, and
  // the sink through which it appends to `lists` (each at most once per element).
  // On a target that runs a range in blocks of range_block() elements, `before_block`
  // (unless empty) runs at the start of each block, with the block's first index and its
  // element count (i32 values), before the elements' code: per-block work such as the
  // block's random draws (emit_kernels.cpp). Other targets take no `before_block`.
  using ElementFn =
      std::function<void(llvm::IRBuilder<>& builder, llvm::Value* index, const SpikeSink& spikes)>;
  using BlockFn = std::function<void(llvm::IRBuilder<>& builder, llvm::Value* first, llvm::Value* count)>;
  virtual void emit_range(llvm::IRBuilder<>& builder, llvm::Value* begin, llvm::Value* end,
                          const std::vector<SpikeList>& lists, const ElementFn& element, Spread spread,
                          const BlockFn& before_block) const = 0;
  // The elements of emit_range's blocks; 0: no blocks.
  virtual unsigned range_block() const { return 0; }

  // Whether emit_range's loop is one that LLVM should vectorise. A kernel's checks that
  // rarely fire and store to a population's one fault report (a conditional store to one
  // address, which no vectoriser takes) then leave the loop: it only notes whether any
  // element needs them, and a second pass over the range runs them (emit_kernels.cpp).
  virtual bool vectorises_ranges() const { return false; }

  // Emits code running `element` for each index of [begin, end) with `lanes()` threads
  // per index, each receiving its lane in [0, lanes()) (an i32): a spike's row of synapses
  // spread over the threads of a block (`spread` Grid: the grid's blocks take the indices
  // in turn; Block: this block takes them all). One lane by default.
  using SharedElementFn = std::function<void(llvm::IRBuilder<>& builder, llvm::Value* index, llvm::Value* lane)>;
  virtual unsigned lanes() const { return 1; }
  virtual void emit_shared_range(llvm::IRBuilder<>& builder, llvm::Value* begin, llvm::Value* end,
                                 const SharedElementFn& element, Spread spread) const {
    emit_range(
        builder, begin, end, {},
        [&](llvm::IRBuilder<>& b, llvm::Value* index, const SpikeSink&) { element(b, index, b.getInt32(0)); },
        spread, {});
  }

  // `*ptr += value` done atomically (float or integer); returns the previous value.
  virtual llvm::Value* emit_atomic_add(llvm::IRBuilder<>& builder, llvm::Value* ptr,
                                       llvm::Value* value) const = 0;

  // Reserves one slot of a spike list whose u32 count `count` points to and returns it (an
  // u32): an atomic add of 1, which a GPU shares among the threads appending together.
  // For appends that emit_range's sink does not take (several per element, or with a
  // multiplicity stored at the slot).
  virtual llvm::Value* emit_spike_slot(llvm::IRBuilder<>& builder, llvm::Value* count) const {
    return emit_atomic_add(builder, count, builder.getInt32(1));
  }

  // Whether spikes are recorded where they are emitted: a body that emits spikes then takes
  // a recording row per population it emits for (spike_row_id, emit_kernels.h), into which
  // emit_spike_record records each of that population's spikes. The GPU records so in its
  // step without a finish launch (docs/gpu.md); elsewhere a recorder reads the spike lists.
  virtual bool records_spikes_at_emission() const { return false; }
  // Records `neuron`'s spike (u32) into the recording row `row` points to, unless `row` is
  // null (the population is not recorded): its bit, or with `counted` (a population with
  // a multiplicity array: a u32 count per neuron) `count` added (u32; null: one).
  virtual void emit_spike_record(llvm::IRBuilder<>& builder, llvm::Value* row, llvm::Value* neuron,
                                 llvm::Value* count, bool counted) const {
    ir::internal_error("codegen", "this target records no spikes at emission");
  }

  // Defines the function the runtime calls for a kernel named `name`, which calls `body`.
  virtual llvm::Function* emit_entry(llvm::Module& module, const std::string& name,
                                     const KernelBody& body) const = 0;
};

}  // namespace gennc::codegen
