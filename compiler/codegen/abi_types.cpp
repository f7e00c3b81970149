#include "codegen/abi_types.h"

namespace gennc::codegen {

AbiTypes::AbiTypes(llvm::LLVMContext& context)
    : enum_type(llvm::Type::getInt32Ty(context)),
      u8(llvm::Type::getInt8Ty(context)),
      u32(llvm::Type::getInt32Ty(context)),
      u64(llvm::Type::getInt64Ty(context)),
      f64(llvm::Type::getDoubleTy(context)),
      ptr(llvm::PointerType::get(context, 0)) {
  auto doubles = [&](unsigned n) { return llvm::ArrayType::get(f64, n); };
  // Named types are created once per context and found again by later users.
  auto make = [&](const char* name, llvm::ArrayRef<llvm::Type*> fields) {
    if (llvm::StructType* existing = llvm::StructType::getTypeByName(context, name)) return existing;
    return llvm::StructType::create(context, fields, name);
  };
  kernel_env = make("GenncKernelEnv", {ptr, ptr, f64, f64, u64, u64, ptr, u64, ptr, u32, ptr});
  init = make("GenncInit", {enum_type, doubles(4), ptr, u64, u32, u32});
  array_info = make("GenncArrayInfo", {ptr, ptr, enum_type, enum_type, u32, u64, u32, init});
  kernel_info = make("GenncKernelInfo", {ptr, enum_type, u32, ptr, ptr, ptr, ptr, ptr});
  selection = make("GenncSelection", {enum_type, u32, u32, u32, u32, ptr, u32});
  structure = make("GenncStructure", {enum_type, doubles(10), u32});
  population = make("GenncPopulationInfo", {ptr, ptr, u32, structure, u32, u32, u32, u32, u32});
  connector = make("GenncConnector",
                   {enum_type, doubles(4), enum_type, enum_type, ptr, u64, u32, ptr, ptr, u32});
  host_column = make("GenncHostColumn", {ptr, u32, f64});
  projection = make("GenncProjectionInfo",
                    {ptr, selection, selection, connector, u32, u32, u32, u32, u32, u32, u32, u32, ptr, u32, u32});
  injection = make("GenncInjectionInfo", {ptr, ptr, selection});
  recording = make("GenncRecordingInfo", {enum_type, ptr, u32, selection, u32, ptr, u32});
  synapse_recording = make("GenncSynapseRecordingInfo", {ptr, u32, u32, ptr});
  cubin = make("GenncCubin", {u32, ptr, u64});
  model = make("GenncModel", {u32, ptr, ptr, ptr, f64, f64, u64, u32,  // header
                              ptr, u32,    // arrays
                              ptr, u32,    // populations
                              ptr, u32,    // projections
                              ptr, u32,    // injections
                              ptr, u32,    // recordings
                              ptr, u32,    // kernels
                              ptr, u32,    // init_schedule
                              ptr, u32,    // step_schedule
                              ptr, ptr,    // stage_kernels, stage_modes
                              ptr, u32,    // stage_starts, stage_count
                              ptr,         // stage_entries
                              ptr, u32,    // synapse_init_kernels
                              ptr,         // ptx
                              f64,         // build_seconds
                              ptr, u32,    // synapse_recordings
                              u32, u32, ptr,    // exchange_deferred, exchange_steps, exchange_bound
                              u32,             // stage_overlap
                              ptr, u32});      // cubins
}

}  // namespace gennc::codegen
