// Internal to lower/: the Lowerer, which builds the IR module of one network. Its members
// are defined by topic: lower_program.cpp (the module and its arrays and kernels),
// instances.cpp (a model instance's arrays and the bindings of its names), populations.cpp,
// current_sources.cpp, projections.cpp (the plan of each projection part),
// synapse_kernels.cpp (synapse code and the presynaptic kernel), plasticity.cpp (post
// spikes, traces and the kernels that read them), connectivity.cpp (connectors, row forms,
// per-synapse arrays) and recordings.cpp.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "ir/internal_error.h"
#include "ir/ir.h"
#include "lower/lower_code.h"
#include "lower/lower_program.h"
#include "sema/program.h"

namespace gennc::lower {

inline constexpr const char* kWhere = "lowering to IR";

// The array element type that stores values of type t.
GenncDType dtype_for(Type t);
// A dimension as the plan writes units ("" for dimensionless).
std::string unit_text(const sema::Dimension& dim);

// ---- Model instances ------------------------------------------------------------------

// A list parameter: its values (one list for all elements, or one per element,
// concatenated with an offsets array of count + 1 entries).
struct ListArrays {
  ArrayId values = kNone;
  ArrayId offsets = kNone;   // kNone: one list shared by every element
  std::uint32_t length = 0;  // shared list: its length
};

// One instance of a model (a population's neuron, one of its receptors, an injection's
// current source, a projection's synapse or slot component) and the arrays that hold its
// parameters, state and derived quantities.
struct Instance {
  const sema::Model* model = nullptr;
  const std::map<std::string, sema::Value>* values = nullptr;
  std::string prefix;  // array names: prefix + variable name
  GenncArrayScope scope = GENNC_SCOPE_NEURON;
  std::uint32_t owner = 0;
  std::uint32_t count = 0;  // elements (neurons, targets); 0 when unknown (synapses)
  sema::Dimension weight_dim;  // synapse-side models: what `weight` stands for
  std::map<const sema::Symbol*, ArrayId> arrays;  // parameters, state, derived
  std::map<const sema::Symbol*, const ast::Expr*> aliases;  // parameters given as expressions
  std::map<const sema::Symbol*, ListArrays> lists;
  // Procedural projections: per-synapse values computed where they are used (a constant,
  // or the draw the stored array's element would get) instead of arrays.
  std::map<const sema::Symbol*, Init> computed;
  // A from_host projection's synapse: the variables the host may give per synapse.
  const std::vector<sema::HostColumn>* host_columns = nullptr;
};

// A precise neuron population's ring of timed events for one receptor (docs/ir.md,
// Precise steps): per (slot, neuron) a count, and `capacity` weights and offsets.
struct EventArrays {
  ArrayId count = kNone, weight = kNone, offset = kNone;
};

struct PopInfo {
  std::map<std::string, ArrayId> recordable;  // "v", "excitatory.isyn"
  std::vector<ArrayId> rings;                 // by receptor index
  std::vector<EventArrays> events;            // by receptor index; kNone where no precise spikes arrive
  ArrayId fault = kNone, fault_step = kNone;  // a precise population's fault report (event overflow)
  std::map<std::string, ArrayId> injected;    // neuron input -> current-source accumulator
  std::map<std::string, ArrayId> state;       // neuron state by name (for pre./post. access)
  std::uint32_t update_kernel = kNone;
  std::uint32_t derived_kernel = kNone;
};

class Lowerer {
 public:
  // `forms`: each of the network's projections' storage form (choose_connectivity).
  Lowerer(const sema::Program& p, const sema::Network& n, const std::vector<sema::Connectivity>& forms,
          const diag::SourceManager& sources, const LowerOptions& o)
      : p_(p), net_(n), forms_(forms), sources_(sources), opts_(o) {}
  std::unique_ptr<Module> run();

 private:
  // ---- the module: arrays, kernels, values (lower_program.cpp) ----------------------------
  Type type_of(const sema::Type& t) const;
  std::uint32_t add_kernel(std::string name, GenncKernelKind kind, std::uint32_t owner, SourceRange range);
  ArrayId add_array(std::string name, std::string unit, Type t, GenncArrayScope scope, std::uint32_t owner,
                    std::uint32_t flags, Init init = {}, std::uint64_t length = 0);
  Selection selection_of(const sema::IndexSet& s) const;
  Init init_of(const sema::Value& v);

  // ---- model instances (instances.cpp) ------------------------------------------------------
  const sema::Value* value_of(const Instance& inst, const sema::Symbol* s) const;
  std::string unit_of(const Instance& inst, const sema::Symbol* s) const;
  void declare_instance(Instance& inst);
  std::uint64_t scope_length(const Instance& inst) const { return inst.scope == GENNC_SCOPE_LIST ? inst.count : 0; }
  void declare_list(Instance& inst, const sema::Symbol* s, const sema::Value& v);
  Init state_init(Instance& inst, const sema::Symbol* s);
  void bind_parameters(CodeLowerer& cl, Instance& inst, const Expr& idx);
  void bind_derived_loads(CodeLowerer& cl, Instance& inst, const Expr& idx);
  void load_state(CodeLowerer& cl, Instance& inst, const Expr& idx, const std::string& local_prefix, Block& out,
                  Block& stores);
  void bind_state_arrays(CodeLowerer& cl, Instance& inst, const Expr& idx);
  void compute_derived(CodeLowerer& cl, Instance& inst, const Expr& idx, Block& out);

  // ---- populations (populations.cpp) ----------------------------------------------------
  void declare_population(std::size_t pi);
  Structure structure_of(const sema::Structure& s);
  void declare_injected(std::size_t pi, const std::string& input_name);
  void lower_population(std::size_t pi);
  std::vector<const sema::Symbol*> threshold_state(const ast::Expr* e, const sema::Model& model);
  LocalId count_event_spikes(CodeLowerer& cl, const ast::ModelBody& body, Block& out, StmtPtr emit_each = nullptr);
  static Solver solver_of(sema::Solver s);
  void add_equations(CodeLowerer& cl, const sema::Model& model, Stmt& integrate);
  void bind_receptor(CodeLowerer& cl, Instance& r, Instance& neuron, const Expr& idx);
  void rebind_receptor_state(CodeLowerer& cl, Instance& r, Kernel& k, const std::string& prefix);
  void receive_spikes(CodeLowerer& cl, Instance& r, const std::string& rname, ArrayId ring, LocalId slot,
                      std::uint32_t size, Block& out);
  bool receives_precise_spikes(std::size_t pi, std::size_t receptor) const;
  void declare_event_rings(std::size_t pi);
  StmtPtr precise_step(CodeLowerer& cl, std::size_t pi, Stmt& integrate, Block& out);

  // ---- current sources (current_sources.cpp) --------------------------------------------
  void lower_injection(std::size_t ii, std::vector<std::uint32_t>& kernels);
  ExprPtr target_of(const Selection& s, const std::string& name);

  // ---- projections (projections.cpp) ----------------------------------------------------

  // The kernels of the step that projections add, in schedule order.
  struct ProjectionKernels {
    std::vector<std::uint32_t> traces, pre, post, post_traces, post_spikes, continuous;
  };

  // A synapse with its slot components (timing and weight dependence), for one projection.
  struct SynapseParts {
    Instance* synapse = nullptr;
    std::vector<Instance*> components;
    std::vector<const sema::SlotBinding*> bindings;
    std::map<const sema::Symbol*, ArrayId> traces;  // per-neuron trace state, pre or post side
    std::size_t pre_pop = 0, post_pop = 0;
    // The learning rule sees a post spike `lag` steps late (see lag_of): rings of the post
    // population's depth hold which neurons fired in each recent step and the post traces'
    // values then; `post_in_window` counts each neuron's flags in its ring.
    double dendritic_fraction = 1.0;
    ArrayId post_seen = kNone, post_in_window = kNone;
    std::map<const sema::Symbol*, ArrayId> post_history;
    // Onto a precise population: each flagged spike's offset before its step's end (ms),
    // through which the rule sees it at its exact time (lower_post_kernel, post_trace).
    ArrayId post_offset = kNone;
    // Per-synapse state changed by `on post` handlers, held back until the synapse's next pre
    // spike (NEST's stdp_synapse applies a potentiation then): the change not yet applied.
    std::map<const sema::Symbol*, ArrayId> pending;
    std::vector<Instance*> all() const {
      std::vector<Instance*> out{synapse};
      out.insert(out.end(), components.begin(), components.end());
      return out;
    }
  };

  void lower_projection(std::size_t pj, ProjectionKernels& kernels);

  // One (pre population, post population) pair of a projection, and where its neurons
  // start in the projection's pre and post sides (assemblies number their parts' neurons
  // one after the other).
  struct Part {
    const sema::IndexSet& pre;
    const sema::IndexSet& post;
    std::int64_t pre_offset, post_offset;
    std::int64_t post_total;  // neurons on the projection's post side
  };

  void declare_synapse_outputs();
  void lower_projection_part(const sema::Projection& proj, sema::Connectivity form, const std::string& name,
                             const Part& part, std::size_t receptor, ProjectionKernels& kernels);

  // ---- synapse code and the presynaptic kernel (synapse_kernels.cpp) -----------------------
  std::vector<std::pair<Instance*, const ast::Handler*>> handlers_for(const SynapseParts& parts, const char* event);
  std::vector<std::pair<Instance*, const ast::Handler*>> pre_handlers(const SynapseParts& p) { return handlers_for(p, "pre"); }
  std::vector<std::pair<Instance*, const ast::Handler*>> post_handlers(const SynapseParts& p) { return handlers_for(p, "post"); }
  std::vector<const ast::Handler*> trace_handlers(const SynapseParts& parts, sema::Side side);
  bool has_trace_equations(const SynapseParts& parts, sema::Side side);
  void declare_traces(SynapseParts& parts, const std::string& name);
  void bind_synapse_side(CodeLowerer& cl, SynapseParts& parts, const Expr* syn, LocalId pre_id, LocalId post_id);
  static void bind_externals(CodeLowerer& cl, const SynapseParts& parts);
  void declare_pending(SynapseParts& parts, const std::string& name);
  void apply_pending(const SynapseParts& parts, const Expr& syn, Block& out);
  ExprPtr computed_value(const Init& in, LocalId pre_id, LocalId post_id);
  void set_emit(CodeLowerer& cl, const Projection& plan, LocalId syn_id, LocalId pre_id, LocalId post_id,
                LocalId ring_mask, LocalId offset = kNone, LocalId late = kNone);
  void push_event(Kernel& k, std::uint32_t post_pop, const EventArrays& ev, ExprPtr slot, LocalId post_id, ExprPtr w,
                  LocalId offset, SourceRange where, Block& body);
  void apply_trace_spikes(CodeLowerer& cl, SynapseParts& parts, sema::Side side, LocalId who, Block& out);
  std::uint32_t lower_pre_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index,
                                 SourceRange range);


  // ---- connectors, row forms, per-synapse arrays (connectivity.cpp) -------------------------
  // Words per row of a bitmask projection: one bit per post position, padded to whole words.
  static std::uint32_t bitmask_words(const Projection& plan) { return (plan.post.count + 31) / 32; }
  static ExprPtr selected(const Selection& s, ExprPtr pos);
  static ExprPtr in_slice(const Selection& s, const Expr& i);
  static ExprPtr position_in(const Selection& s, const Expr& i);
  StmtPtr regenerated_row(const Projection& plan, LocalId pre_id, LocalId position_id, Block body, SourceRange range);
  LocalId find_pre(Kernel& k, const Projection& plan, LocalId syn_id, Block& out);

  // ---- post spikes, traces and the kernels that read them (plasticity.cpp) ------------------
  void declare_post_rings(SynapseParts& parts, const std::string& name);
  static Init constant(double value);
  ExprPtr lag_of(const SynapseParts& parts, const Projection& plan, const Expr& syn);
  ExprPtr post_slot(const SynapseParts& parts, LocalId mask, ExprPtr back, LocalId who);
  LocalId post_ring_mask(Kernel& k, const SynapseParts& parts);
  void bind_post_history(CodeLowerer& cl, const SynapseParts& parts, LocalId mask, const Expr& lag, LocalId post_id);
  ExprPtr trace_shift(CodeLowerer& cl, const SynapseParts& parts, const sema::Symbol* trace, ExprPtr by);
  void apply_precise_post_spikes(CodeLowerer& cl, SynapseParts& parts, LocalId mask, LocalId post_id, Block& out);
  std::uint32_t lower_post_spike_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index,
                                        SourceRange range);
  std::uint32_t lower_post_history_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index,
                                          SourceRange range);
  std::uint32_t lower_post_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index,
                                  SourceRange range);
  std::uint32_t lower_post_trace_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index,
                                        SourceRange range);
  std::uint32_t lower_trace_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index,
                                   sema::Side side, SourceRange range);
  std::uint32_t lower_continuous_kernel(SynapseParts& parts, const std::string& name, std::uint32_t index,
                                        SourceRange range);
  void bind_sides(CodeLowerer& cl, Instance&, std::size_t pre_pop, std::size_t post_pop, LocalId pre_id,
                  LocalId post_id);
  // (connectivity.cpp)
  void declare_synapse(Instance& syn, Projection& plan);
  ArrayId synapse_array(Instance& syn, const sema::Symbol* s, const sema::Value& v, std::uint32_t flags,
                        Projection& plan);
  static bool carries_weights(const Connector& c);
  static bool carries_delays(const Connector& c);
  Init synapse_function_init(const ast::Expr* e, const std::string& name);
  std::uint32_t synapse_function(const ast::Expr* e, const std::string& name);
  bool uses_connection(const ast::Expr* e);
  void visit_names(const ast::Expr* e, const std::function<void(const sema::Symbol*)>& f);
  void bind_connection_symbols(CodeLowerer& cl, const ast::Expr* e);
  std::uint32_t delay_steps(double ms) const;
  Connector connector_of(const sema::Connector& c, const std::string& name, const Part& part);

  // ---- recordings (recordings.cpp) ------------------------------------------------------
  void lower_recording(const sema::Recording& r);
  bool counts_spikes(const sema::Model& m) const;
  const sema::Program& p_;
  const sema::Network& net_;
  const std::vector<sema::Connectivity>& forms_;
  const diag::SourceManager& sources_;
  LowerOptions opts_;
  std::unique_ptr<Module> m_;
  std::vector<PopInfo> pops_;
  // Deques: instances are referenced by address while more are added.
  std::deque<Instance> neurons_;
  std::deque<std::deque<Instance>> receptors_;
  std::deque<Instance> sources_list_;
  // By sema injection: (IR injection index, current-source instance) per target set.
  std::map<std::size_t, std::vector<std::pair<std::uint32_t, Instance*>>> injection_parts_;
  // Each network projection's IR projections (one per population pair) and their synapses.
  std::map<const sema::Projection*, std::vector<std::pair<std::uint32_t, Instance*>>> synapse_parts_;
  std::deque<Instance> synapses_;
  std::map<std::uint32_t, Init> procedural_delays_;  // by projection: delays drawn per synapse
  std::map<ArrayId, std::pair<std::size_t, EventArrays>> event_rings_;  // by receptor ring: (population, events)
  std::map<const sema::Symbol*, std::pair<ListArrays, ExprPtr>> lists_;
};

}  // namespace gennc::lower