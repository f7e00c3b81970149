// Test support: a lowered IR module compiled by codegen and loaded in-process with ORC's
// LLJIT, so kernels can be run on arrays and gennc_model read as the runtime reads it.
#pragma once

#include <llvm/ExecutionEngine/Orc/LLJIT.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "gennc/model_abi.h"
#include "ir/ir.h"

namespace gennc::codegen::testing {

class JitModel {
 public:
  // Compiles `m` (which must verify) at `opt_level` for x86-64-v2, as gennc does.
  explicit JitModel(const ir::Module& m, int opt_level = 2);
  ~JitModel();

  const GenncModel& model() const { return *model_; }
  // The optimised module's LLVM IR, for checks on what the optimiser made of a kernel.
  const std::string& optimized_ir() const { return optimized_ir_; }

  // Runs kernel `kernel` over [begin, end); `arrays[k]` is the storage of array k;
  // `post_ranges` is the env's (GenncKernelEnv::post_ranges).
  void run(std::uint32_t kernel, const std::vector<void*>& arrays, std::uint32_t begin, std::uint32_t end,
           std::uint64_t step = 0, std::uint64_t seed = 1234, const std::uint32_t* post_ranges = nullptr) const;

 private:
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  const GenncModel* model_ = nullptr;
  std::string optimized_ir_;
};

// A module at Stage::Lowered with one population of `size` neurons (its spike arrays
// included) and real type f32, ready for arrays and kernels to be added.
ir::Module one_population(std::uint32_t size);

// Adds an array of `dtype` with `scope` owned by population 0.
ir::ArrayId add_array(ir::Module& m, const std::string& name, GenncDType dtype,
                      GenncArrayScope scope = GENNC_SCOPE_NEURON);

}  // namespace gennc::codegen::testing
