#include "codegen/emit_model_table.h"

#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>

#include <map>

#include "codegen/abi_types.h"
#include "codegen/emit_kernels.h"
#include "codegen/emit_stages.h"

namespace gennc::codegen {

namespace {

class TableEmitter {
 public:
  TableEmitter(const ir::Module& ir, llvm::Module& module, const ModelTableInputs& inputs)
      : ir_(ir), module_(module), inputs_(inputs), abi_(module.getContext()) {}

  llvm::GlobalVariable* model() {
    std::vector<llvm::Constant*> arrays, populations, projections, injections, recordings, synapse_recordings,
        kernels;
    for (const ir::Array& a : ir_.arrays) arrays.push_back(array(a));
    for (const ir::Population& p : ir_.populations) populations.push_back(population(p));
    for (const ir::Projection& p : ir_.projections) projections.push_back(projection(p));
    for (const ir::Injection& i : ir_.injections)
      injections.push_back(make(abi_.injection, {string(i.name), string(i.model), selection(i.target)}));
    for (const ir::Recording& r : ir_.recordings)
      recordings.push_back(make(abi_.recording, {u32(r.kind), string(r.variable), u32(r.array), selection(r.target),
                                                 u32(r.interval_steps), string(r.unit), u32(r.injection)}));
    for (const ir::SynapseRecording& r : ir_.synapse_recordings)
      synapse_recordings.push_back(
          make(abi_.synapse_recording, {string(r.name), u32(r.projection), u32(r.array), string(r.unit)}));
    for (std::size_t k = 0; k < ir_.kernels.size(); ++k) kernels.push_back(kernel(k));
    std::vector<llvm::Constant*> init_fns;
    for (llvm::Function* fn : inputs_.synapse_functions) init_fns.push_back(fn);

    std::vector<llvm::Constant*> fields = {
        u32(GENNC_MODEL_ABI_VERSION), string(ir_.network_name), string(ir_.source_path),
        string(inputs_.compiler_version), f64(ir_.dt), f64(ir_.duration), u64(ir_.seed),
        u32(ir_.real == ir::Type::F64 ? 64 : 32)};
    auto table = [&](const char* name, llvm::Type* element, const std::vector<llvm::Constant*>& items) {
      fields.push_back(global_array(name, element, items));
      fields.push_back(u32(items.size()));
    };
    table("gennc_model.arrays", abi_.array_info, arrays);
    table("gennc_model.populations", abi_.population, populations);
    table("gennc_model.projections", abi_.projection, projections);
    table("gennc_model.injections", abi_.injection, injections);
    table("gennc_model.recordings", abi_.recording, recordings);
    table("gennc_model.kernels", abi_.kernel_info, kernels);
    table("gennc_model.init_schedule", abi_.u32, u32s(ir_.init_schedule));
    table("gennc_model.step_schedule", abi_.u32, u32s(ir_.step_schedule));
    stages(fields);
    table("gennc_model.synapse_init_kernels", abi_.ptr, init_fns);
    fields.push_back(inputs_.ptx.empty() ? null() : string(inputs_.ptx));
    fields.push_back(f64(inputs_.build_seconds));
    table("gennc_model.synapse_recordings", abi_.synapse_recording, synapse_recordings);
    fields.push_back(u32(ir_.exchange.deferred ? 1 : 0));
    fields.push_back(u32(ir_.exchange.steps));
    fields.push_back(string(ir_.exchange.bound));
    fields.push_back(u32(ir_.stage_overlap ? 1 : 0));
    std::vector<llvm::Constant*> cubins;
    for (const Cubin& c : inputs_.cubins)
      cubins.push_back(make(abi_.cubin, {u32(c.arch), image(c.bytes), u64(c.bytes.size())}));
    table("gennc_model.cubins", abi_.cubin, cubins);

    return new llvm::GlobalVariable(module_, abi_.model, /*isConstant=*/true, llvm::GlobalValue::ExternalLinkage,
                                    make(abi_.model, fields), "gennc_model");
  }

 private:
  llvm::Constant* make(llvm::StructType* type, const std::vector<llvm::Constant*>& fields) {
    return llvm::ConstantStruct::get(type, fields);
  }
  llvm::Constant* u32(std::uint64_t v) { return llvm::ConstantInt::get(abi_.u32, v); }
  llvm::Constant* u64(std::uint64_t v) { return llvm::ConstantInt::get(abi_.u64, v); }
  llvm::Constant* f64(double v) { return llvm::ConstantFP::get(abi_.f64, v); }
  llvm::Constant* null() { return llvm::ConstantPointerNull::get(abi_.ptr); }

  template <std::size_t N>
  llvm::Constant* doubles(const double (&values)[N]) {
    std::vector<llvm::Constant*> items;
    for (double v : values) items.push_back(f64(v));
    return llvm::ConstantArray::get(llvm::ArrayType::get(abi_.f64, N), items);
  }
  std::vector<llvm::Constant*> u32s(const std::vector<std::uint32_t>& values) {
    std::vector<llvm::Constant*> items;
    for (std::uint32_t v : values) items.push_back(u32(v));
    return items;
  }

  // A NUL-terminated string constant, one per distinct text.
  llvm::Constant* string(const std::string& text) {
    auto [it, inserted] = strings_.try_emplace(text, nullptr);
    if (inserted) {
      llvm::Constant* data = llvm::ConstantDataArray::getString(module_.getContext(), text);
      auto* global = new llvm::GlobalVariable(module_, data->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                              data, "gennc_model.str");
      global->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
      global->setAlignment(llvm::Align(1));
      it->second = global;
    }
    return it->second;
  }

  // An ELF image, aligned as the driver's loader wants its headers.
  llvm::Constant* image(const std::string& bytes) {
    llvm::Constant* data = llvm::ConstantDataArray::getString(module_.getContext(), bytes, /*AddNull=*/false);
    auto* global = new llvm::GlobalVariable(module_, data->getType(), true, llvm::GlobalValue::PrivateLinkage, data,
                                            "gennc_model.cubin");
    global->setAlignment(llvm::Align(64));
    return global;
  }

  // A private constant array of `items`, or null when there are none.
  llvm::Constant* global_array(const char* name, llvm::Type* element, const std::vector<llvm::Constant*>& items) {
    if (items.empty()) return null();
    llvm::ArrayType* type = llvm::ArrayType::get(element, items.size());
    return new llvm::GlobalVariable(module_, type, true, llvm::GlobalValue::PrivateLinkage,
                                    llvm::ConstantArray::get(type, items), name);
  }
  llvm::Constant* double_list(const char* name, const std::vector<double>& values) {
    std::vector<llvm::Constant*> items;
    for (double v : values) items.push_back(f64(v));
    return global_array(name, abi_.f64, items);
  }

  llvm::Constant* array(const ir::Array& a) {
    const ir::Init& init = a.init;
    llvm::Constant* values = init.kind == GENNC_INIT_LIST ? double_list("gennc_model.init", init.values) : null();
    const std::uint64_t length = init.kind == GENNC_INIT_LIST ? init.values.size() : 0;
    llvm::Constant* info = make(abi_.init, {u32(init.kind), doubles(init.params), values, u64(length),
                                            u32(init.stream), u32(init.kernel)});
    return make(abi_.array_info, {string(a.name), string(a.unit), u32(a.dtype), u32(a.scope), u32(a.owner),
                                  u64(a.length), u32(a.flags), info});
  }

  llvm::Constant* selection(const ir::Selection& s) {
    return make(abi_.selection, {u32(s.kind), u32(s.population), u32(s.start), u32(s.stop), u32(s.step),
                                 global_array("gennc_model.indices", abi_.u32, u32s(s.indices)), u32(s.count)});
  }

  llvm::Constant* population(const ir::Population& p) {
    llvm::Constant* structure =
        make(abi_.structure, {u32(p.structure.kind), doubles(p.structure.params), u32(p.structure.stream)});
    return make(abi_.population, {string(p.name), string(p.model), u32(p.size), structure, u32(p.spike_count_array),
                                  u32(p.spike_list_array), u32(p.ring_depth_array), u32(p.spike_multiplicity_array),
                                  u32(p.spike_time_array)});
  }

  llvm::Constant* projection(const ir::Projection& p) {
    const ir::Connector& c = p.connector;
    llvm::Constant* probability =
        c.probability == ir::kNone ? null() : static_cast<llvm::Constant*>(inputs_.synapse_functions.at(c.probability));
    llvm::Constant* connector = make(
        abi_.connector, {u32(c.kind), doubles(c.params), u32(c.allow_self_connections ? 1 : 0),
                         u32(c.with_replacement ? 1 : 0), double_list("gennc_model.connections", c.list),
                         u64(c.list_rows), u32(c.list_columns), c.path.empty() ? null() : string(c.path), probability,
                         u32(c.stream)});
    std::vector<llvm::Constant*> columns;
    for (const ir::HostColumn& h : p.host_columns)
      columns.push_back(make(abi_.host_column, {string(h.name), u32(h.array), f64(h.scale)}));
    return make(abi_.projection,
                {string(p.name), selection(p.pre), selection(p.post), connector, u32(p.receptor_ring_array),
                 u32(p.row_pointer_array), u32(p.column_array), u32(p.column_pointer_array),
                 u32(p.column_synapse_array), u32(p.delay_array), u32(p.constant_delay_steps),
                 u32(p.weight_from_list), global_array("gennc_model.host_columns", abi_.host_column, columns),
                 u32(columns.size()), u32(draws_by_synapse(p) ? 1 : 0)});
  }

  // Whether a synapse kernel of projection p draws random numbers: their address is the
  // synapse's index (lower/synapse_kernels.cpp, plasticity.cpp), so a process holding only
  // some of the synapses would draw others (GenncProjectionInfo.draws_by_synapse).
  bool draws_by_synapse(const ir::Projection& p) const {
    const auto index = static_cast<std::uint32_t>(&p - ir_.projections.data());
    for (const ir::Kernel& k : ir_.kernels) {
      if (k.owner != index || (k.kind != GENNC_KERNEL_SYNAPSE_PRE && k.kind != GENNC_KERNEL_SYNAPSE_POST &&
                               k.kind != GENNC_KERNEL_SYNAPSE_CONTINUOUS))
        continue;
      bool draws = false;
      ir::for_each_expr(k.body, [&](const ir::Expr& e) { draws = draws || e.kind == ir::ExprKind::Random; });
      if (draws) return true;
    }
    return false;
  }

  // stage_kernels, stage_modes, stage_starts, stage_count, stage_entries.
  void stages(std::vector<llvm::Constant*>& fields) {
    std::vector<std::uint32_t> members, modes, starts = {0};
    std::vector<llvm::Constant*> entries;
    for (std::size_t s = 0; s < ir_.step_stages.size(); ++s) {
      for (std::uint32_t k : ir_.step_stages[s]) {
        members.push_back(k);
        modes.push_back(1u << GENNC_STAGE_THREAD | (row_parallel(ir_.kernels[k]) ? 1u << GENNC_STAGE_BLOCK : 0u));
      }
      starts.push_back(static_cast<std::uint32_t>(members.size()));
      entries.push_back(string(stage_entry_name(s)));
    }
    fields.push_back(global_array("gennc_model.stage_kernels", abi_.u32, u32s(members)));
    fields.push_back(global_array("gennc_model.stage_modes", abi_.u32, u32s(modes)));
    fields.push_back(global_array("gennc_model.stage_starts", abi_.u32, u32s(starts)));
    fields.push_back(u32(ir_.step_stages.size()));
    fields.push_back(inputs_.ptx.empty() ? null() : global_array("gennc_model.stage_entries", abi_.ptr, entries));
  }

  llvm::Constant* kernel(std::size_t k) {
    const ir::Kernel& kernel = ir_.kernels[k];
    auto function = [&](const std::vector<llvm::Function*>& functions) -> llvm::Constant* {
      llvm::Function* fn = functions.empty() ? nullptr : functions.at(k);
      return fn != nullptr ? static_cast<llvm::Constant*>(fn) : null();
    };
    return make(abi_.kernel_info, {string(kernel.name), u32(kernel.kind), u32(kernel.owner), function(inputs_.kernels),
                                   inputs_.ptx_entries.empty() || inputs_.ptx_entries.at(k).empty()
                                       ? null()
                                       : string(inputs_.ptx_entries.at(k)),
                                   function(inputs_.kernels_alone), function(inputs_.kernels_v4),
                                   function(inputs_.kernels_v4_alone)});
  }

  const ir::Module& ir_;
  llvm::Module& module_;
  const ModelTableInputs& inputs_;
  AbiTypes abi_;
  std::map<std::string, llvm::Constant*> strings_;
};

}  // namespace

llvm::GlobalVariable* emit_model_table(const ir::Module& ir, llvm::Module& module, const ModelTableInputs& inputs) {
  return TableEmitter(ir, module, inputs).model();
}

}  // namespace gennc::codegen
