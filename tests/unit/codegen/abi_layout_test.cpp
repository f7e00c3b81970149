// The LLVM types codegen emits gennc_model with must lay out exactly as the runtime's C
// compiler lays out model_abi.h; every field's offset is compared with offsetof.
#include <catch2/catch.hpp>
#include <llvm/IR/DataLayout.h>
#include <llvm/IR/LLVMContext.h>

#include <cstddef>
#include <string>
#include <vector>

#include "codegen/abi_types.h"
#include "codegen/target_machine.h"
#include "gennc/model_abi.h"

using gennc::codegen::AbiTypes;

namespace {

struct Layout {
  std::string name;
  llvm::StructType* AbiTypes::*type;
  std::size_t size;
  std::vector<std::size_t> offsets;  // by field, in declaration order
};

#define OFF(S, f) offsetof(S, f)

std::vector<Layout> layouts() {
  return {
      {"GenncKernelEnv", &AbiTypes::kernel_env, sizeof(GenncKernelEnv),
       {OFF(GenncKernelEnv, arrays), OFF(GenncKernelEnv, lengths), OFF(GenncKernelEnv, t), OFF(GenncKernelEnv, dt),
        OFF(GenncKernelEnv, step), OFF(GenncKernelEnv, seed), OFF(GenncKernelEnv, spike_rows), OFF(GenncKernelEnv, row),
        OFF(GenncKernelEnv, counts_to_zero), OFF(GenncKernelEnv, zero_count), OFF(GenncKernelEnv, post_ranges)}},
      {"GenncInit", &AbiTypes::init, sizeof(GenncInit),
       {OFF(GenncInit, kind), OFF(GenncInit, params), OFF(GenncInit, values), OFF(GenncInit, length),
        OFF(GenncInit, stream), OFF(GenncInit, kernel)}},
      {"GenncArrayInfo", &AbiTypes::array_info, sizeof(GenncArrayInfo),
       {OFF(GenncArrayInfo, name), OFF(GenncArrayInfo, unit), OFF(GenncArrayInfo, dtype), OFF(GenncArrayInfo, scope),
        OFF(GenncArrayInfo, owner), OFF(GenncArrayInfo, length), OFF(GenncArrayInfo, flags),
        OFF(GenncArrayInfo, init)}},
      {"GenncKernelInfo", &AbiTypes::kernel_info, sizeof(GenncKernelInfo),
       {OFF(GenncKernelInfo, name), OFF(GenncKernelInfo, kind), OFF(GenncKernelInfo, owner),
        OFF(GenncKernelInfo, host), OFF(GenncKernelInfo, ptx_entry),
        OFF(GenncKernelInfo, host_alone), OFF(GenncKernelInfo, host_v4), OFF(GenncKernelInfo, host_v4_alone)}},
      {"GenncSelection", &AbiTypes::selection, sizeof(GenncSelection),
       {OFF(GenncSelection, kind), OFF(GenncSelection, population), OFF(GenncSelection, start),
        OFF(GenncSelection, stop), OFF(GenncSelection, step), OFF(GenncSelection, indices),
        OFF(GenncSelection, count)}},
      {"GenncStructure", &AbiTypes::structure, sizeof(GenncStructure),
       {OFF(GenncStructure, kind), OFF(GenncStructure, params), OFF(GenncStructure, stream)}},
      {"GenncPopulationInfo", &AbiTypes::population, sizeof(GenncPopulationInfo),
       {OFF(GenncPopulationInfo, name), OFF(GenncPopulationInfo, model), OFF(GenncPopulationInfo, size),
        OFF(GenncPopulationInfo, structure), OFF(GenncPopulationInfo, spike_count_array),
        OFF(GenncPopulationInfo, spike_list_array), OFF(GenncPopulationInfo, ring_depth_array),
        OFF(GenncPopulationInfo, spike_multiplicity_array), OFF(GenncPopulationInfo, spike_time_array)}},
      {"GenncConnector", &AbiTypes::connector, sizeof(GenncConnector),
       {OFF(GenncConnector, kind), OFF(GenncConnector, params), OFF(GenncConnector, allow_self_connections),
        OFF(GenncConnector, with_replacement), OFF(GenncConnector, list), OFF(GenncConnector, list_rows),
        OFF(GenncConnector, list_columns), OFF(GenncConnector, path), OFF(GenncConnector, probability),
        OFF(GenncConnector, stream)}},
      {"GenncProjectionInfo", &AbiTypes::projection, sizeof(GenncProjectionInfo),
       {OFF(GenncProjectionInfo, name), OFF(GenncProjectionInfo, pre), OFF(GenncProjectionInfo, post),
        OFF(GenncProjectionInfo, connector), OFF(GenncProjectionInfo, receptor_ring_array),
        OFF(GenncProjectionInfo, row_pointer_array), OFF(GenncProjectionInfo, column_array),
        OFF(GenncProjectionInfo, column_pointer_array), OFF(GenncProjectionInfo, column_synapse_array),
        OFF(GenncProjectionInfo, delay_array), OFF(GenncProjectionInfo, constant_delay_steps),
        OFF(GenncProjectionInfo, weight_from_list), OFF(GenncProjectionInfo, host_columns),
        OFF(GenncProjectionInfo, host_column_count), OFF(GenncProjectionInfo, draws_by_synapse)}},
      {"GenncHostColumn", &AbiTypes::host_column, sizeof(GenncHostColumn),
       {OFF(GenncHostColumn, name), OFF(GenncHostColumn, array), OFF(GenncHostColumn, scale)}},
      {"GenncInjectionInfo", &AbiTypes::injection, sizeof(GenncInjectionInfo),
       {OFF(GenncInjectionInfo, name), OFF(GenncInjectionInfo, model), OFF(GenncInjectionInfo, target)}},
      {"GenncRecordingInfo", &AbiTypes::recording, sizeof(GenncRecordingInfo),
       {OFF(GenncRecordingInfo, kind), OFF(GenncRecordingInfo, variable), OFF(GenncRecordingInfo, array),
        OFF(GenncRecordingInfo, target), OFF(GenncRecordingInfo, interval_steps), OFF(GenncRecordingInfo, unit),
        OFF(GenncRecordingInfo, injection)}},
      {"GenncSynapseRecordingInfo", &AbiTypes::synapse_recording, sizeof(GenncSynapseRecordingInfo),
       {OFF(GenncSynapseRecordingInfo, name), OFF(GenncSynapseRecordingInfo, projection),
        OFF(GenncSynapseRecordingInfo, array), OFF(GenncSynapseRecordingInfo, unit)}},
      {"GenncModel", &AbiTypes::model, sizeof(GenncModel),
       {OFF(GenncModel, abi_version), OFF(GenncModel, network_name), OFF(GenncModel, source_path),
        OFF(GenncModel, compiler_version), OFF(GenncModel, dt), OFF(GenncModel, duration), OFF(GenncModel, seed),
        OFF(GenncModel, float_bits), OFF(GenncModel, arrays), OFF(GenncModel, array_count),
        OFF(GenncModel, populations), OFF(GenncModel, population_count), OFF(GenncModel, projections),
        OFF(GenncModel, projection_count), OFF(GenncModel, injections), OFF(GenncModel, injection_count),
        OFF(GenncModel, recordings), OFF(GenncModel, recording_count), OFF(GenncModel, kernels),
        OFF(GenncModel, kernel_count), OFF(GenncModel, init_schedule), OFF(GenncModel, init_schedule_length),
        OFF(GenncModel, step_schedule), OFF(GenncModel, step_schedule_length), OFF(GenncModel, stage_kernels),
        OFF(GenncModel, stage_modes), OFF(GenncModel, stage_starts), OFF(GenncModel, stage_count),
        OFF(GenncModel, stage_entries),
        OFF(GenncModel, synapse_init_kernels), OFF(GenncModel, synapse_init_kernel_count), OFF(GenncModel, ptx),
        OFF(GenncModel, build_seconds), OFF(GenncModel, synapse_recordings),
        OFF(GenncModel, synapse_recording_count),
        OFF(GenncModel, exchange_deferred), OFF(GenncModel, exchange_steps), OFF(GenncModel, exchange_bound),
        OFF(GenncModel, stage_overlap), OFF(GenncModel, cubins), OFF(GenncModel, cubin_count)}},
      {"GenncCubin", &AbiTypes::cubin, sizeof(GenncCubin),
       {OFF(GenncCubin, arch), OFF(GenncCubin, bytes), OFF(GenncCubin, size)}},
  };
}

}  // namespace

TEST_CASE("ABI struct types match model_abi.h field by field", "[codegen][abi]") {
  std::string error;
  auto machine = gennc::codegen::create_host_target_machine({}, 2, &error);
  REQUIRE(machine != nullptr);
  const llvm::DataLayout layout = machine->createDataLayout();
  llvm::LLVMContext context;
  const AbiTypes abi(context);
  for (const Layout& expected : layouts()) {
    INFO(expected.name);
    llvm::StructType* type = abi.*expected.type;
    REQUIRE(type->getNumElements() == expected.offsets.size());
    const llvm::StructLayout* actual = layout.getStructLayout(type);
    CHECK(actual->getSizeInBytes() == expected.size);
    for (unsigned field = 0; field < expected.offsets.size(); ++field) {
      INFO("field " << field);
      CHECK(actual->getElementOffset(field) == expected.offsets[field]);
    }
  }
}
