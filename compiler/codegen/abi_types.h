// LLVM struct types mirroring the C structs of runtime/include/gennc/model_abi.h, field by
// field, so generated constants and kernels have the layout the runtime's C++ compiler
// gives them (tests/unit/codegen checks every offset against offsetof).
#pragma once

#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/LLVMContext.h>

namespace gennc::codegen {

struct AbiTypes {
  explicit AbiTypes(llvm::LLVMContext& context);

  // Scalar field types: C enums and `int` are i32 on every gennc target.
  llvm::IntegerType* enum_type;
  llvm::IntegerType* u8;
  llvm::IntegerType* u32;
  llvm::IntegerType* u64;
  llvm::Type* f64;
  llvm::PointerType* ptr;

  llvm::StructType* kernel_env;   // GenncKernelEnv
  llvm::StructType* init;         // GenncInit
  llvm::StructType* array_info;   // GenncArrayInfo
  llvm::StructType* kernel_info;  // GenncKernelInfo
  llvm::StructType* selection;    // GenncSelection
  llvm::StructType* structure;    // GenncStructure
  llvm::StructType* population;   // GenncPopulationInfo
  llvm::StructType* connector;    // GenncConnector
  llvm::StructType* host_column;  // GenncHostColumn
  llvm::StructType* projection;   // GenncProjectionInfo
  llvm::StructType* injection;    // GenncInjectionInfo
  llvm::StructType* recording;    // GenncRecordingInfo
  llvm::StructType* synapse_recording;  // GenncSynapseRecordingInfo
  llvm::StructType* cubin;        // GenncCubin
  llvm::StructType* model;        // GenncModel
};

// Field numbers of GenncKernelEnv, which kernels read.
enum KernelEnvField : unsigned {
  kEnvArrays = 0, kEnvLengths, kEnvT, kEnvDt, kEnvStep, kEnvSeed, kEnvSpikeRows, kEnvRow, kEnvCountsToZero, kEnvZeroCount,
  kEnvPostRanges
};

}  // namespace gennc::codegen
