// The entry of lowering: chooses each projection's storage form, then builds the module
// (its arrays and kernels) and the step's kernel schedule.
#include "lower/lowerer.h"

#include <fmt/format.h>

#include "lower/choose_connectivity.h"
#include "sema/units.h"

namespace gennc::lower {

GenncDType dtype_for(Type t) {
  auto d = storage_type(t);
  GENNC_IR_ASSERT(d.has_value(), kWhere, "no array type stores a u64");
  return *d;
}

std::string unit_text(const sema::Dimension& dim) {
  return dim.dimensionless() ? std::string() : sema::format_dimension(dim);
}

namespace {

GenncInitKind init_kind(sema::Builtin b) {
  switch (b) {
    case sema::Builtin::Uniform: return GENNC_INIT_UNIFORM;
    case sema::Builtin::Normal: return GENNC_INIT_NORMAL;
    case sema::Builtin::NormalClipped: return GENNC_INIT_NORMAL_CLIPPED;
    case sema::Builtin::Exponential: return GENNC_INIT_EXPONENTIAL;
    case sema::Builtin::Gamma: return GENNC_INIT_GAMMA;
    case sema::Builtin::Lognormal: return GENNC_INIT_LOGNORMAL;
    case sema::Builtin::Poisson: return GENNC_INIT_POISSON;
    case sema::Builtin::Binomial: return GENNC_INIT_BINOMIAL;
    case sema::Builtin::UniformInt: return GENNC_INIT_UNIFORM_INT;
    default: internal_error(kWhere, "distribution without an initialiser kind");
  }
}

}  // namespace

std::unique_ptr<Module> Lowerer::run() {
  m_ = std::make_unique<Module>();
  m_->network_name = net_.name;
  if (net_.decl && net_.decl->range.valid()) m_->source_path = sources_.path(net_.decl->range.begin.file);
  m_->dt = net_.settings.dt;
  m_->duration = net_.settings.duration;
  m_->seed = net_.settings.seed;
  m_->real = opts_.real;

  pops_.resize(net_.populations.size());
  for (std::size_t i = 0; i < net_.populations.size(); ++i) declare_population(i);
  for (const sema::Injection& inj : net_.injections)
    for (const sema::IndexSet& set : inj.targets) declare_injected(set.population, inj.target_input);
  declare_synapse_outputs();
  std::vector<std::uint32_t> cs_kernels, neuron_kernels;
  ProjectionKernels projection_kernels;
  for (std::size_t i = 0; i < net_.injections.size(); ++i) lower_injection(i, cs_kernels);
  for (std::size_t i = 0; i < net_.populations.size(); ++i) {
    lower_population(i);
    neuron_kernels.push_back(pops_[i].update_kernel);
    if (pops_[i].derived_kernel != kNone) m_->init_schedule.push_back(pops_[i].derived_kernel);
  }
  for (std::size_t i = 0; i < net_.projections.size(); ++i) lower_projection(i, projection_kernels);
  for (const sema::Recording& r : net_.recordings) lower_recording(r);
  // Plastic synapses: the post spikes and trace values of the step are kept first; the `on
  // post` and `on pre` handlers of one step both read the traces as they were before that
  // step's spikes (NEST's stdp_synapse), so the post handlers run before the pre kernels and
  // the post traces count their spikes after them.
  for (auto* list : {&cs_kernels, &neuron_kernels, &projection_kernels.traces, &projection_kernels.post_spikes,
                     &projection_kernels.post, &projection_kernels.pre, &projection_kernels.post_traces,
                     &projection_kernels.continuous})
    m_->step_schedule.insert(m_->step_schedule.end(), list->begin(), list->end());
  return std::move(m_);
}

Type Lowerer::type_of(const sema::Type& t) const {
  if (t.kind == sema::TypeKind::Bool) return Type::Bool;
  if (t.kind == sema::TypeKind::Int) return Type::I32;
  return m_->real;
}

std::uint32_t Lowerer::add_kernel(std::string name, GenncKernelKind kind, std::uint32_t owner, SourceRange range) {
  Kernel k;
  k.name = std::move(name);
  k.kind = kind;
  k.owner = owner;
  k.range = range;
  m_->kernels.push_back(std::move(k));
  return static_cast<std::uint32_t>(m_->kernels.size() - 1);
}

ArrayId Lowerer::add_array(std::string name, std::string unit, Type t, GenncArrayScope scope, std::uint32_t owner,
                           std::uint32_t flags, Init init, std::uint64_t length) {
  Array a;
  a.name = std::move(name);
  a.unit = std::move(unit);
  a.dtype = dtype_for(t);
  a.scope = scope;
  a.owner = owner;
  a.length = length;
  a.flags = flags;
  a.init = std::move(init);
  return m_->add_array(std::move(a));
}

Selection Lowerer::selection_of(const sema::IndexSet& s) const {
  Selection out;
  out.population = static_cast<std::uint32_t>(s.population);
  auto size = net_.populations[s.population].size;
  out.count = static_cast<std::uint32_t>(s.size());
  if (s.is_slice) {
    if (s.start == 0 && s.stop == size && s.step == 1) {
      out.kind = GENNC_SELECT_ALL;
    } else {
      out.kind = GENNC_SELECT_SLICE;
      out.start = static_cast<std::uint32_t>(s.start);
      out.stop = static_cast<std::uint32_t>(s.stop);
      out.step = static_cast<std::uint32_t>(s.step);
    }
  } else {
    out.kind = GENNC_SELECT_LIST;
    for (auto i : s.indices) out.indices.push_back(static_cast<std::uint32_t>(i));
  }
  return out;
}

Init Lowerer::init_of(const sema::Value& v) {
  Init in;
  switch (v.kind) {
    case sema::ValueKind::Constant:
      in.kind = GENNC_INIT_CONSTANT;
      in.params[0] = v.numbers.empty() ? 0.0 : v.numbers[0];
      break;
    case sema::ValueKind::PerElement:
      in.kind = GENNC_INIT_LIST;
      in.values = v.numbers;
      break;
    case sema::ValueKind::Distribution:
      in.kind = init_kind(v.distribution.kind);
      for (std::size_t k = 0; k < v.distribution.args.size() && k < 4; ++k) in.params[k] = v.distribution.args[k];
      in.stream = m_->new_stream();
      break;
    case sema::ValueKind::Expression: internal_error(kWhere, "expression value has no initialiser");
  }
  return in;
}

std::unique_ptr<Module> lower_program(const sema::Program& program, const sema::Network& network,
                                      const diag::SourceManager& sources, const LowerOptions& options) {
  std::vector<sema::Connectivity> forms = choose_connectivity(network, options.procedural_where_possible);
  return Lowerer(program, network, forms, sources, options).run();
}

}  // namespace gennc::lower
