// gennc_model as the runtime reads it: every table of model_abi.h filled from the IR's
// network plan.
#include <catch2/catch.hpp>

#include <cstring>
#include <string>

#include "jit.h"

using namespace gennc;
using codegen::testing::add_array;
using codegen::testing::JitModel;
using codegen::testing::one_population;

namespace {

// A small but complete plan: two populations, a projection with a distance-dependent
// connector and a per-synapse initial value, an injection, recordings, two kernels.
ir::Module plan() {
  ir::Module m = one_population(8);
  m.network_name = "tables";
  m.source_path = "nets/tables.gdsl";
  m.dt = 0.25;
  m.duration = 100;
  m.seed = 42;
  m.real = ir::Type::F64;

  ir::Population post;
  post.name = "post";
  post.model = "IF_curr_exp";
  post.size = 3;
  post.structure.kind = GENNC_STRUCTURE_LINE;
  post.structure.params[0] = 10;
  post.structure.stream = m.new_stream();
  m.populations.push_back(post);
  ir::Population& p1 = m.populations[1];
  p1.spike_count_array = add_array(m, "post.spike_count", GENNC_U32, GENNC_SCOPE_SCALAR);
  p1.spike_list_array = add_array(m, "post.spike_list", GENNC_U32);
  p1.ring_depth_array = add_array(m, "post.ring_depth", GENNC_U32, GENNC_SCOPE_SCALAR);

  ir::Array v;
  v.name = "pop.v";
  v.unit = "mV";
  v.dtype = GENNC_F64;
  v.scope = GENNC_SCOPE_NEURON;
  v.flags = GENNC_ARRAY_STATE;
  v.init.kind = GENNC_INIT_LIST;
  v.init.values = {-65, -64, -63, -62, -61, -60, -59, -58};
  m.add_array(v);

  // weight = 2 * d + pre
  ir::SynapseFunction weight;
  weight.name = "proj.weight.init";
  weight.value = ir::binary(ir::BinaryOp::Add,
                            ir::binary(ir::BinaryOp::Mul, ir::fconst(ir::Type::F64, 2), ir::input(ir::Input::Distance)),
                            ir::cast(ir::Type::F64, ir::input(ir::Input::Pre)));
  m.synapse_functions.push_back(std::move(weight));
  ir::SynapseFunction probability;
  probability.name = "proj.probability";
  probability.value = ir::call(ir::MathFn::Exp, [] {
    std::vector<ir::ExprPtr> args;
    args.push_back(ir::unary(ir::UnaryOp::Neg, ir::input(ir::Input::Distance)));
    return args;
  }());
  m.synapse_functions.push_back(std::move(probability));

  ir::Projection proj;
  proj.name = "proj";
  proj.pre.population = 0;
  proj.pre.kind = GENNC_SELECT_SLICE;
  proj.pre.start = 2;
  proj.pre.stop = 8;
  proj.pre.step = 2;
  proj.pre.count = 3;
  proj.post.population = 1;
  proj.post.kind = GENNC_SELECT_LIST;
  proj.post.indices = {0, 2};
  proj.post.count = 2;
  proj.connector.kind = GENNC_CONNECT_DISTANCE_PROBABILITY;
  proj.connector.probability = 1;
  proj.connector.allow_self_connections = false;
  proj.connector.stream = m.new_stream();
  m.projections.push_back(proj);
  ir::Projection& pr = m.projections[0];
  pr.receptor_ring_array = add_array(m, "post.excitatory.ring", GENNC_F64, GENNC_SCOPE_RING);
  m.arrays.back().owner = 1;
  pr.row_pointer_array = add_array(m, "proj.row_pointer", GENNC_U32, GENNC_SCOPE_ROW_POINTER);
  pr.column_array = add_array(m, "proj.column", GENNC_U32, GENNC_SCOPE_SYNAPSE);
  pr.constant_delay_steps = 4;
  ir::Array w;
  w.name = "proj.weight";
  w.unit = "nA";
  w.dtype = GENNC_F64;
  w.scope = GENNC_SCOPE_SYNAPSE;
  w.flags = GENNC_ARRAY_PARAMETER;
  w.init.kind = GENNC_INIT_SYNAPSE_KERNEL;
  w.init.kernel = 0;
  m.add_array(w);

  ir::Injection dc;
  dc.name = "dc0";
  dc.model = "DCSource";
  dc.target.population = 0;
  dc.target.count = 8;
  m.injections.push_back(dc);

  ir::Recording spikes;
  spikes.kind = GENNC_RECORD_SPIKES;
  spikes.variable = "spikes";
  spikes.array = m.populations[0].spike_list_array;
  spikes.target.population = 0;
  spikes.target.count = 8;
  m.recordings.push_back(spikes);
  ir::Recording trace;
  trace.kind = GENNC_RECORD_VARIABLE;
  trace.variable = "pop.v";
  trace.array = 6;
  trace.target.population = 0;
  trace.target.kind = GENNC_SELECT_SLICE;
  trace.target.start = 0;
  trace.target.stop = 4;
  trace.target.step = 1;
  trace.target.count = 4;
  trace.interval_steps = 4;
  trace.unit = "mV";
  m.recordings.push_back(trace);

  for (const char* name : {"pop.update", "proj.pre"}) {
    ir::Kernel k;
    k.name = name;
    m.kernels.push_back(std::move(k));
  }
  m.kernels[1].kind = GENNC_KERNEL_SYNAPSE_PRE;
  m.step_schedule = {1, 0};
  return m;
}

std::string str(const char* s) { return s != nullptr ? s : "(null)"; }

}  // namespace

TEST_CASE("gennc_model carries the header and every table of the plan", "[codegen][model]") {
  const ir::Module m = plan();
  const JitModel jit(m);
  const GenncModel& model = jit.model();

  CHECK(model.abi_version == GENNC_MODEL_ABI_VERSION);
  CHECK(str(model.network_name) == "tables");
  CHECK(str(model.source_path) == "nets/tables.gdsl");
  CHECK(str(model.compiler_version).rfind("gennc ", 0) == 0);
  CHECK(model.dt == 0.25);
  CHECK(model.duration == 100);
  CHECK(model.seed == 42);
  CHECK(model.float_bits == 64);
  CHECK(model.ptx == nullptr);
  CHECK(model.cubins == nullptr);
  CHECK(model.cubin_count == 0);

  REQUIRE(model.array_count == m.arrays.size());
  for (std::size_t k = 0; k < m.arrays.size(); ++k) {
    INFO(m.arrays[k].name);
    CHECK(str(model.arrays[k].name) == m.arrays[k].name);
    CHECK(str(model.arrays[k].unit) == m.arrays[k].unit);
    CHECK(model.arrays[k].dtype == m.arrays[k].dtype);
    CHECK(model.arrays[k].scope == m.arrays[k].scope);
    CHECK(model.arrays[k].owner == m.arrays[k].owner);
    CHECK(model.arrays[k].flags == m.arrays[k].flags);
    CHECK(model.arrays[k].init.kind == m.arrays[k].init.kind);
  }
  const GenncInit& list = model.arrays[6].init;
  REQUIRE(list.length == 8);
  CHECK(list.values[0] == -65);
  CHECK(list.values[7] == -58);
  CHECK(model.arrays[10].init.kernel == 0);

  REQUIRE(model.population_count == 2);
  CHECK(str(model.populations[1].name) == "post");
  CHECK(str(model.populations[1].model) == "IF_curr_exp");
  CHECK(model.populations[1].size == 3);
  CHECK(model.populations[1].structure.kind == GENNC_STRUCTURE_LINE);
  CHECK(model.populations[1].structure.params[0] == 10);
  CHECK(model.populations[1].structure.stream == 1);
  CHECK(model.populations[1].spike_count_array == 3);
  CHECK(model.populations[0].ring_depth_array == 2);

  REQUIRE(model.projection_count == 1);
  const GenncProjectionInfo& proj = model.projections[0];
  CHECK(str(proj.name) == "proj");
  CHECK(proj.pre.kind == GENNC_SELECT_SLICE);
  CHECK((proj.pre.start == 2 && proj.pre.stop == 8 && proj.pre.step == 2 && proj.pre.count == 3));
  REQUIRE(proj.post.kind == GENNC_SELECT_LIST);
  CHECK((proj.post.count == 2 && proj.post.indices[0] == 0 && proj.post.indices[1] == 2));
  CHECK(proj.connector.kind == GENNC_CONNECT_DISTANCE_PROBABILITY);
  CHECK(proj.connector.allow_self_connections == 0);
  CHECK(proj.connector.stream == 2);
  CHECK(proj.connector.list == nullptr);
  CHECK(proj.connector.path == nullptr);
  REQUIRE(proj.connector.probability != nullptr);
  CHECK(proj.connector.probability(0, 1, 2.0, 0, 0, 0, 42) == Approx(std::exp(-2.0)));
  CHECK(proj.receptor_ring_array == 7);
  CHECK(proj.row_pointer_array == 8);
  CHECK(proj.column_array == 9);
  CHECK(proj.column_pointer_array == UINT32_MAX);
  CHECK(proj.delay_array == UINT32_MAX);
  CHECK(proj.constant_delay_steps == 4);

  REQUIRE(model.synapse_init_kernel_count == 2);
  CHECK(model.synapse_init_kernels[0](3, 1, 1.5, 0, 0, 0, 42) == 6.0);

  REQUIRE(model.injection_count == 1);
  CHECK(str(model.injections[0].name) == "dc0");
  CHECK(str(model.injections[0].model) == "DCSource");
  CHECK(model.injections[0].target.count == 8);

  REQUIRE(model.recording_count == 2);
  CHECK(model.recordings[0].kind == GENNC_RECORD_SPIKES);
  CHECK(str(model.recordings[0].variable) == "spikes");
  CHECK(model.recordings[1].kind == GENNC_RECORD_VARIABLE);
  CHECK(model.recordings[1].array == 6);
  CHECK(model.recordings[1].interval_steps == 4);
  CHECK(str(model.recordings[1].unit) == "mV");

  REQUIRE(model.kernel_count == 2);
  CHECK(str(model.kernels[1].name) == "proj.pre");
  CHECK(model.kernels[1].kind == GENNC_KERNEL_SYNAPSE_PRE);
  CHECK(model.kernels[0].host != nullptr);
  CHECK(model.kernels[0].ptx_entry == nullptr);
  REQUIRE(model.step_schedule_length == 2);
  CHECK((model.step_schedule[0] == 1 && model.step_schedule[1] == 0));
  CHECK(model.init_schedule_length == 0);
  CHECK(model.init_schedule == nullptr);
}
