#include "codegen/emit_kernels.h"

#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/StructuralHash.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "codegen/merge_called_bodies.h"
#include "gennc/connect_rows.h"
#include "ir/internal_error.h"

namespace gennc::codegen {

namespace {

[[noreturn]] void internal_error(const std::string& what) { ir::internal_error("codegen", what); }

llvm::Type* value_type(llvm::LLVMContext& c, ir::Type t) {
  switch (t) {
    case ir::Type::Bool: return llvm::Type::getInt1Ty(c);
    case ir::Type::I32:
    case ir::Type::U32: return llvm::Type::getInt32Ty(c);
    case ir::Type::U64: return llvm::Type::getInt64Ty(c);
    case ir::Type::F32: return llvm::Type::getFloatTy(c);
    case ir::Type::F64: return llvm::Type::getDoubleTy(c);
  }
  internal_error("unknown IR type");
}

llvm::Type* storage_type(llvm::LLVMContext& c, GenncDType d) {
  switch (d) {
    case GENNC_F32: return llvm::Type::getFloatTy(c);
    case GENNC_F64: return llvm::Type::getDoubleTy(c);
    case GENNC_I32:
    case GENNC_U32: return llvm::Type::getInt32Ty(c);
    case GENNC_U8: return llvm::Type::getInt8Ty(c);
  }
  internal_error("unknown array element type");
}

// Every array a block reads or writes, spike lists and counters included, each once, in
// the order of a fixed walk of the block: kernels of the same structure list the arrays of
// the same roles at the same places.
void collect_arrays(const ir::Module& m, const ir::Block& block, std::vector<std::uint32_t>& out,
                    std::set<std::uint32_t>& seen) {
  auto add = [&](std::uint32_t array) {
    if (seen.insert(array).second) out.push_back(array);
  };
  ir::for_each_expr(block, [&](const ir::Expr& e) {
    if (e.kind == ir::ExprKind::Load) add(e.array);
  });
  for (const ir::StmtPtr& s : block) {
    if (s->kind == ir::StmtKind::Store || s->kind == ir::StmtKind::AtomicAdd) add(s->array);
    if (s->kind == ir::StmtKind::EmitSpike) {
      add(m.populations.at(s->population).spike_count_array);
      add(m.populations.at(s->population).spike_list_array);
      if (s->value) add(m.populations.at(s->population).spike_multiplicity_array);
      if (s->time) add(m.populations.at(s->population).spike_time_array);
    }
    collect_arrays(m, s->body, out, seen);
    collect_arrays(m, s->otherwise, out, seen);
  }
}

// The populations a block emits spikes on the grid for (EmitSpike without a time): those
// a target recording spikes at emission records (precise populations are recorded from
// their lists).
void collect_spike_rows(const ir::Block& block, std::vector<std::uint32_t>& out) {
  ir::for_each_stmt(block, [&](const ir::Stmt& s) {
    if (s.kind == ir::StmtKind::EmitSpike && !s.time) out.push_back(s.population);
  });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
}

// Whether a block regenerates procedural rows, which read GenncKernelEnv::post_ranges.
bool regenerates_rows(const ir::Block& block) {
  bool found = false;
  ir::for_each_stmt(block, [&](const ir::Stmt& s) { found = found || s.kind == ir::StmtKind::ForRow; });
  return found;
}

// Counts, per population, the EmitSpike statements of a block and notes those inside a loop,
// with a time, or with a count unless `counts` (which it stores at its own slot, so it is
// not buffered), and those with a count.
void count_spike_statements(const ir::Block& block, bool in_loop, bool counts, std::map<std::uint32_t, int>& count,
                            std::set<std::uint32_t>& looped, std::set<std::uint32_t>& counted) {
  for (const ir::StmtPtr& s : block) {
    if (s->kind == ir::StmtKind::EmitSpike) {
      ++count[s->population];
      if (in_loop || (s->value && !counts) || s->time) looped.insert(s->population);
      if (s->value) counted.insert(s->population);
    }
    const bool loop = in_loop || s->kind == ir::StmtKind::For || s->kind == ir::StmtKind::While;
    count_spike_statements(s->body, loop, counts, count, looped, counted);
    count_spike_statements(s->otherwise, loop, counts, count, looped, counted);
  }
}

// The populations a kernel emits spikes for from exactly one statement outside any loop,
// so at most once per element: the target may buffer those appends (Target::emit_range).
// Each maps to whether its spike has a count, which only a target whose ranges vectorise
// buffers (`counts`): its sources then append without an atomic add per spike.
std::map<std::uint32_t, bool> buffered_spikes(const ir::Block& body, bool counts) {
  std::map<std::uint32_t, int> count;
  std::set<std::uint32_t> looped, counted;
  count_spike_statements(body, false, counts, count, looped, counted);
  std::map<std::uint32_t, bool> once;
  for (const auto& [population, statements] : count)
    if (statements == 1 && looped.count(population) == 0) once[population] = counted.count(population) != 0;
  return once;
}

bool at_own_index(const ir::Expr* index) { return index != nullptr && ir::is_index(*index); }

// Calls `on` for every expression node of `s` and of the statements inside it.
template <typename F> void for_each_expr_in(const ir::Stmt& s, F&& on) {
  for (const ir::Expr* e : {s.cond.get(), s.index.get(), s.value.get(), s.begin.get(), s.end.get(), s.time.get()})
    ir::detail::visit_node(e, on);
  ir::for_each_expr(s.body, on);
  ir::for_each_expr(s.otherwise, on);
}

// Calls `on` for `s` and every statement inside it.
template <typename F> void for_each_stmt_in(const ir::Stmt& s, F&& on) {
  on(s);
  ir::for_each_stmt(s.body, on);
  ir::for_each_stmt(s.otherwise, on);
}

// The kernel's fault checks (passes/check_finite_states.h) that may run after the whole
// range instead of after each element: the top-level statements that end the kernel, each
// an `if` that stores only to fault arrays and reads no local, reading what the rest of the
// kernel writes only at the element's own index, which the rest writes only there; nothing
// else touches the fault arrays. Each element's checks then see the same state whenever
// they run, and running them in element order keeps the first fault found the same.
std::set<const ir::Stmt*> deferrable_fault_checks(const ir::Module& m, const ir::Kernel& kernel) {
  std::set<const ir::Stmt*> checks;
  for (auto last = kernel.body.rbegin(); last != kernel.body.rend(); ++last) {
    const ir::StmtPtr& s = *last;
    if (s->kind != ir::StmtKind::If) break;
    bool only_fault_stores = true;
    for_each_stmt_in(*s, [&](const ir::Stmt& inner) {
      if (&inner == s.get()) return;
      const bool fault_store =
          inner.kind == ir::StmtKind::Store && (m.arrays.at(inner.array).flags & GENNC_ARRAY_FAULT) != 0;
      if (inner.kind != ir::StmtKind::If && !fault_store) only_fault_stores = false;
    });
    bool reads_local = false;
    for_each_expr_in(*s, [&](const ir::Expr& e) { reads_local = reads_local || e.kind == ir::ExprKind::Local; });
    if (!only_fault_stores || reads_local) break;
    checks.insert(s.get());
  }
  if (checks.empty()) return checks;

  std::map<std::uint32_t, bool> rest_writes;  // array -> written only at the own index
  std::set<std::uint32_t> rest_reads, check_writes;
  for (const ir::StmtPtr& s : kernel.body) {
    const bool check = checks.count(s.get()) != 0;
    for_each_stmt_in(*s, [&](const ir::Stmt& inner) {
      if (inner.kind != ir::StmtKind::Store && inner.kind != ir::StmtKind::AtomicAdd) return;
      if (check) {
        check_writes.insert(inner.array);
        return;
      }
      auto it = rest_writes.emplace(inner.array, true).first;
      it->second = it->second && inner.kind == ir::StmtKind::Store && at_own_index(inner.index.get());
    });
    if (!check)
      for_each_expr_in(*s, [&](const ir::Expr& e) {
        if (e.kind == ir::ExprKind::Load) rest_reads.insert(e.array);
      });
  }
  bool movable = true;
  for (const ir::Stmt* s : checks)
    for_each_expr_in(*s, [&](const ir::Expr& e) {
      if (e.kind != ir::ExprKind::Load) return;
      auto written = rest_writes.find(e.array);
      if (written != rest_writes.end() && !(written->second && at_own_index(e.operands[0].get()))) movable = false;
    });
  for (std::uint32_t array : check_writes)
    if (rest_reads.count(array) != 0 || rest_writes.count(array) != 0) movable = false;
  if (!movable) checks.clear();
  return checks;
}

// The device library's entry for a distribution (runtime/include/gennc/random.h).
const char* random_function(ir::Distribution d) {
  switch (d) {
    case ir::Distribution::Uniform: return "gennc_rand_uniform";
    case ir::Distribution::Normal: return "gennc_rand_normal";
    case ir::Distribution::NormalSingle: return "gennc_rand_normal_single";
    case ir::Distribution::NormalClipped: return "gennc_rand_normal_clipped";
    case ir::Distribution::NormalClippedToBoundary: return "gennc_rand_normal_clipped_to_boundary";
    case ir::Distribution::Exponential: return "gennc_rand_exponential";
    case ir::Distribution::Gamma: return "gennc_rand_gamma";
    case ir::Distribution::Lognormal: return "gennc_rand_lognormal";
    case ir::Distribution::Poisson: return "gennc_rand_poisson";
    case ir::Distribution::Binomial: return "gennc_rand_binomial";
    case ir::Distribution::UniformInt: return "gennc_rand_uniform_int";
  }
  internal_error("unknown distribution");
}

// A math function as an LLVM intrinsic where one exists and every target lowers it, else
// the libm name (double; `f` suffix for float), which the host resolves from libm.
struct MathLowering {
  llvm::Intrinsic::ID intrinsic;
  const char* libm;
};

MathLowering math_lowering(ir::MathFn fn) {
  using llvm::Intrinsic::ID;
  switch (fn) {
    case ir::MathFn::Exp: return {llvm::Intrinsic::exp, nullptr};
    case ir::MathFn::Expm1: return {llvm::Intrinsic::not_intrinsic, "expm1"};
    case ir::MathFn::Log: return {llvm::Intrinsic::log, nullptr};
    case ir::MathFn::Log1p: return {llvm::Intrinsic::not_intrinsic, "log1p"};
    case ir::MathFn::Log10: return {llvm::Intrinsic::log10, nullptr};
    case ir::MathFn::Sqrt: return {llvm::Intrinsic::sqrt, nullptr};
    case ir::MathFn::Pow: return {llvm::Intrinsic::pow, nullptr};
    case ir::MathFn::Sin: return {llvm::Intrinsic::sin, nullptr};
    case ir::MathFn::Cos: return {llvm::Intrinsic::cos, nullptr};
    case ir::MathFn::Tan: return {llvm::Intrinsic::not_intrinsic, "tan"};
    case ir::MathFn::Sinh: return {llvm::Intrinsic::not_intrinsic, "sinh"};
    case ir::MathFn::Cosh: return {llvm::Intrinsic::not_intrinsic, "cosh"};
    case ir::MathFn::Tanh: return {llvm::Intrinsic::not_intrinsic, "tanh"};
    case ir::MathFn::Fabs: return {llvm::Intrinsic::fabs, nullptr};
    case ir::MathFn::Fmin: return {llvm::Intrinsic::minnum, nullptr};
    case ir::MathFn::Fmax: return {llvm::Intrinsic::maxnum, nullptr};
    case ir::MathFn::Floor: return {llvm::Intrinsic::floor, nullptr};
    case ir::MathFn::Ceil: return {llvm::Intrinsic::ceil, nullptr};
    case ir::MathFn::Round: return {llvm::Intrinsic::round, nullptr};
  }
  internal_error("unknown math function");
}

// Lowers the statements and expressions of one function. Locals live in allocas of the
// entry block (mem2reg promotes them); arrays and inputs are values set up by the caller.
class FunctionEmitter {
 public:
  FunctionEmitter(const LoweringContext& context, llvm::Function* fn, const std::vector<ir::LocalInfo>& locals)
      : ctx_(context), fn_(fn), c_(fn->getContext()), b_(llvm::BasicBlock::Create(c_, "entry", fn)) {
    // Only `contract`: fusing a*b+c rounds once instead of twice, which stays within the
    // models' tolerance; reassociation, reciprocal tricks and approximate functions could
    // change results by more, and NaN/infinity must keep their meaning. Not even that in
    // entries for another CPU (LoweringContext::cpu), which must round as the module's
    // CPU does. --fast-math gives up that equality: it adds reassociation, reciprocals and
    // signed zeros, and `contract` everywhere, never the NaN and infinity flags (the
    // finite-state checks need them).
    llvm::FastMathFlags flags;
    flags.setAllowContract(context.cpu.empty() || context.fast_math);
    if (context.fast_math) {
      flags.setAllowReassoc();
      flags.setAllowReciprocal();
      flags.setNoSignedZeros();
    }
    b_.setFastMathFlags(flags);
    for (const ir::LocalInfo& local : locals)
      locals_.push_back(b_.CreateAlloca(value_type(c_, local.type), nullptr, local.name));
  }

  llvm::IRBuilder<>& builder() { return b_; }
  void set_input(ir::Input in, llvm::Value* v) { inputs_[in] = v; }
  // Spikes of the populations in `lists` (population -> list number) go through `sink`.
  void set_spike_sink(const SpikeSink* sink, const std::map<std::uint32_t, unsigned>* lists) {
    spike_sink_ = sink;
    spike_lists_ = lists;
  }
  void set_array(std::uint32_t id, llvm::Value* v) { arrays_[id] = v; }
  void set_spike_row(std::uint32_t population, llvm::Value* v) { spike_rows_[population] = v; }
  void set_post_ranges(llvm::Value* v) { post_ranges_ = v; }
  // Loads the scalar parameters and derived values `stmts` reads and never writes, once,
  // here. LLVM would not hoist a load out of conditional code (a spike's reset values under
  // --runtime-parameters) without knowing the pointer dereferenceable, and such a load in
  // the element loop keeps that loop from being vectorised.
  void load_settled_scalars(const ir::Block& stmts) {
    std::set<std::uint32_t> written;
    ir::for_each_stmt(stmts, [&](const ir::Stmt& s) {
      if (s.kind == ir::StmtKind::Store || s.kind == ir::StmtKind::AtomicAdd) written.insert(s.array);
    });
    for (const auto& [id, pointer] : arrays_) {
      const ir::Array& array = ctx_.ir.arrays.at(id);
      if (array.scope != GENNC_SCOPE_SCALAR || written.count(id) != 0 ||
          (array.flags & (GENNC_ARRAY_PARAMETER | GENNC_ARRAY_DERIVED)) == 0)
        continue;
      settled_[id] = b_.CreateLoad(storage_type(c_, array.dtype), pointer, array.name);
    }
  }
  // Takes the Poisson draws of `stmts` that can be made for a whole block of a range at
  // once (Target::range_block): keyed by the element's index, with a mean and a step the
  // same for every element (constants, the step's inputs, settled scalars). The range's
  // draws for a block are then made by draw_block, before its elements' code, in loops that
  // vectorise (gennc_rng_poisson_block: each draw bitwise the one made element by element),
  // and the elements read them. Call after load_settled_scalars; returns whether any.
  bool take_block_draws(const ir::Block& stmts, unsigned block) {
    llvm::IRBuilder<> entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    llvm::Type* buffer = llvm::ArrayType::get(b_.getDoubleTy(), block);
    ir::for_each_expr(stmts, [&](const ir::Expr& e) {
      if (e.kind != ir::ExprKind::Random || e.dist != ir::Distribution::Poisson) return;
      const ir::Expr& index = *e.operands[1];
      if (index.kind != ir::ExprKind::Input || index.input != ir::Input::Index) return;
      if (e.operands[2]->kind != ir::ExprKind::Const || !invariant(*e.operands[0]) || !invariant(*e.operands[3]))
        return;
      block_draws_[&e] = {entry.CreateAlloca(buffer, nullptr, "draws.u"), entry.CreateAlloca(buffer, nullptr, "draws")};
    });
    return !block_draws_.empty();
  }
  // The block's draws for elements first .. first + count - 1 (i32 values).
  void draw_block(llvm::Value* first, llvm::Value* count) {
    block_first_ = first;
    for (const auto& [e, buffers] : block_draws_) {
      std::vector<llvm::Value*> args = {input(ir::Input::Seed), b_.getInt32(e->stream), expr(*e->operands[0]),
                                        first, count, expr(*e->operands[2]), expr(*e->operands[3]),
                                        buffers.u, buffers.out};
      std::vector<llvm::Type*> params;
      for (llvm::Value* arg : args) params.push_back(arg->getType());
      llvm::FunctionCallee callee = ctx_.module.getOrInsertFunction(
          "gennc_rand_poisson_block", llvm::FunctionType::get(b_.getVoidTy(), params, false));
      b_.CreateCall(callee, args);
    }
  }
  // Later code draws element by element again (a pass over the range without blocks).
  void forget_block_draws() { block_draws_.clear(); }

  // The outermost loops' iterations are spread over `lanes` threads (i32 values): this one
  // runs lane, lane + lanes, ...
  void set_lanes(llvm::Value* lane, llvm::Value* lanes) {
    lane_ = lane;
    lanes_ = lanes;
  }

  void locate(diag::SourceRange range) {
    if (ctx_.debug != nullptr) b_.SetCurrentDebugLocation(ctx_.debug->location(*fn_, range));
  }

  void block(const ir::Block& stmts) {
    for (const ir::StmtPtr& s : stmts) stmt(*s);
  }
  // The statements of `stmts` in `only`, or with `only` false those not in `set`.
  void block_part(const ir::Block& stmts, const std::set<const ir::Stmt*>& set, bool only) {
    for (const ir::StmtPtr& s : stmts)
      if ((set.count(s.get()) != 0) == only) stmt(*s);
  }

  llvm::Value* expr(const ir::Expr& e) {
    switch (e.kind) {
      case ir::ExprKind::Const: return constant(e);
      case ir::ExprKind::Input: return input(e.input);
      case ir::ExprKind::Local: return b_.CreateLoad(value_type(c_, e.type), locals_.at(e.local));
      case ir::ExprKind::Load: {
        auto settled = settled_.find(e.array);
        const ir::Array& array = ctx_.ir.arrays.at(e.array);
        llvm::Value* v = settled != settled_.end() ? settled->second
                                                   : b_.CreateLoad(storage_type(c_, array.dtype),
                                                                   element(e.array, *e.operands[0]), array.name);
        return e.type == ir::Type::Bool ? b_.CreateICmpNE(v, llvm::ConstantInt::get(v->getType(), 0)) : v;
      }
      case ir::ExprKind::Unary: {
        llvm::Value* x = expr(*e.operands[0]);
        if (e.unary == ir::UnaryOp::Not) return b_.CreateNot(x);
        return ir::is_float(e.type) ? b_.CreateFNeg(x) : b_.CreateNeg(x);
      }
      case ir::ExprKind::Binary: return binary(e);
      case ir::ExprKind::Select: {
        llvm::Value* cond = expr(*e.operands[0]);
        if (draws(*e.operands[1]) || draws(*e.operands[2])) return select_by_branch(cond, e);
        llvm::Value* a = expr(*e.operands[1]);
        return b_.CreateSelect(cond, a, expr(*e.operands[2]));
      }
      case ir::ExprKind::Call: return math(e);
      case ir::ExprKind::Cast: return convert(expr(*e.operands[0]), e.operands[0]->type, e.type);
      case ir::ExprKind::Random: return random(e);
    }
    internal_error("unknown expression kind");
  }

  llvm::Value* expr_as(const ir::Expr& e, ir::Type to) { return convert(expr(e), e.type, to); }

 private:
  llvm::Value* input(ir::Input in) {
    auto it = inputs_.find(in);
    if (it == inputs_.end()) internal_error(std::string("input '") + ir::to_string(in) + "' unavailable here");
    return it->second;
  }

  bool draws(const ir::Expr& e) const {
    bool found = false;
    auto note = [&](const ir::Expr& x) {
      found = found || (x.kind == ir::ExprKind::Random && block_draws_.count(&x) == 0);
    };
    ir::detail::visit_node(&e, note);
    return found;
  }

  // Whether `e` has one value over a kernel's range: no element's index, local or state.
  bool invariant(const ir::Expr& e) const {
    switch (e.kind) {
      case ir::ExprKind::Const: return true;
      case ir::ExprKind::Input:
        return e.input == ir::Input::Time || e.input == ir::Input::Dt || e.input == ir::Input::Step ||
               e.input == ir::Input::Seed;
      case ir::ExprKind::Load: return settled_.count(e.array) != 0;
      case ir::ExprKind::Local:
      case ir::ExprKind::Random: return false;
      default:
        return std::all_of(e.operands.begin(), e.operands.end(), [&](const ir::ExprPtr& op) { return invariant(*op); });
    }
  }

  // A select with a random draw in an arm, as a branch: the draw (a call LLVM keeps, being
  // no cheaper to skip than to make as far as it knows) is made only when its arm is taken;
  // a Poisson source outside its active window then costs no draw per step. Draws are
  // counter-based, so skipping one changes no other.
  llvm::Value* select_by_branch(llvm::Value* cond, const ir::Expr& e) {
    llvm::BasicBlock* then = llvm::BasicBlock::Create(c_, "select.then", fn_);
    llvm::BasicBlock* otherwise = llvm::BasicBlock::Create(c_, "select.else", fn_);
    llvm::BasicBlock* merge = llvm::BasicBlock::Create(c_, "select.end", fn_);
    b_.CreateCondBr(cond, then, otherwise);
    b_.SetInsertPoint(then);
    llvm::Value* a = expr(*e.operands[1]);
    llvm::BasicBlock* then_end = b_.GetInsertBlock();
    b_.CreateBr(merge);
    b_.SetInsertPoint(otherwise);
    llvm::Value* x = expr(*e.operands[2]);
    llvm::BasicBlock* otherwise_end = b_.GetInsertBlock();
    b_.CreateBr(merge);
    b_.SetInsertPoint(merge);
    llvm::PHINode* phi = b_.CreatePHI(a->getType(), 2);
    phi->addIncoming(a, then_end);
    phi->addIncoming(x, otherwise_end);
    return phi;
  }

  llvm::Value* constant(const ir::Expr& e) {
    llvm::Type* type = value_type(c_, e.type);
    if (ir::is_float(e.type)) return llvm::ConstantFP::get(type, e.number);
    if (e.type == ir::Type::Bool) return b_.getInt1(e.integer != 0);
    return llvm::ConstantInt::get(type, static_cast<std::uint64_t>(e.integer), ir::is_signed(e.type));
  }

  // The address of arrays[array][index], the index widened to 64 bits by its signedness.
  llvm::Value* element(std::uint32_t array, const ir::Expr& index) {
    llvm::Value* i = b_.CreateIntCast(expr(index), b_.getInt64Ty(), ir::is_signed(index.type));
    return b_.CreateInBoundsGEP(storage_type(c_, ctx_.ir.arrays.at(array).dtype), arrays_.at(array), i);
  }

  llvm::Value* binary(const ir::Expr& e) {
    const ir::Type operand = e.operands[0]->type;
    llvm::Value* a = expr(*e.operands[0]);
    llvm::Value* x = expr(*e.operands[1]);
    const bool fp = ir::is_float(operand);
    const bool sign = ir::is_signed(operand);
    using Op = ir::BinaryOp;
    using P = llvm::CmpInst::Predicate;
    switch (e.binary) {
      case Op::Add: return fp ? b_.CreateFAdd(a, x) : b_.CreateAdd(a, x);
      case Op::Sub: return fp ? b_.CreateFSub(a, x) : b_.CreateSub(a, x);
      case Op::Mul: return fp ? b_.CreateFMul(a, x) : b_.CreateMul(a, x);
      case Op::Div: return fp ? b_.CreateFDiv(a, x) : sign ? b_.CreateSDiv(a, x) : b_.CreateUDiv(a, x);
      case Op::Rem: return fp ? b_.CreateFRem(a, x) : sign ? b_.CreateSRem(a, x) : b_.CreateURem(a, x);
      // Ordered float comparisons (false with a NaN), except != which is true with one, as in C.
      case Op::Lt: return fp ? b_.CreateFCmp(P::FCMP_OLT, a, x) : b_.CreateICmp(sign ? P::ICMP_SLT : P::ICMP_ULT, a, x);
      case Op::Le: return fp ? b_.CreateFCmp(P::FCMP_OLE, a, x) : b_.CreateICmp(sign ? P::ICMP_SLE : P::ICMP_ULE, a, x);
      case Op::Gt: return fp ? b_.CreateFCmp(P::FCMP_OGT, a, x) : b_.CreateICmp(sign ? P::ICMP_SGT : P::ICMP_UGT, a, x);
      case Op::Ge: return fp ? b_.CreateFCmp(P::FCMP_OGE, a, x) : b_.CreateICmp(sign ? P::ICMP_SGE : P::ICMP_UGE, a, x);
      case Op::Eq: return fp ? b_.CreateFCmp(P::FCMP_OEQ, a, x) : b_.CreateICmpEQ(a, x);
      case Op::Ne: return fp ? b_.CreateFCmp(P::FCMP_UNE, a, x) : b_.CreateICmpNE(a, x);
      case Op::And: return b_.CreateAnd(a, x);
      case Op::Or: return b_.CreateOr(a, x);
      case Op::BitAnd: return b_.CreateAnd(a, x);
    }
    internal_error("unknown binary operator");
  }

  llvm::Value* math(const ir::Expr& e) {
    std::vector<llvm::Value*> args;
    for (const ir::ExprPtr& op : e.operands) args.push_back(expr(*op));
    llvm::Type* type = value_type(c_, e.type);
    const MathLowering how = math_lowering(e.fn);
    if (how.intrinsic != llvm::Intrinsic::not_intrinsic) return b_.CreateIntrinsic(how.intrinsic, {type}, args);
    const std::string name = std::string(how.libm) + (e.type == ir::Type::F32 ? "f" : "");
    std::vector<llvm::Type*> params(args.size(), type);
    llvm::FunctionCallee callee = ctx_.module.getOrInsertFunction(name, llvm::FunctionType::get(type, params, false));
    // With math errno ignored these are pure, so they may be hoisted and folded.
    if (auto* decl = llvm::dyn_cast<llvm::Function>(callee.getCallee())) {
      decl->setDoesNotAccessMemory();
      decl->setDoesNotThrow();
      decl->setWillReturn();
    }
    llvm::CallInst* call = b_.CreateCall(callee, args);
    call->setDoesNotAccessMemory();
    return call;
  }

  // A call to the device library: gennc_rand_<name>(seed, stream, step, index, draw, params...).
  llvm::Value* random(const ir::Expr& e) {
    if (auto drawn = block_draws_.find(&e); drawn != block_draws_.end()) {
      llvm::Value* at = b_.CreateZExt(b_.CreateSub(input(ir::Input::Index), block_first_), b_.getInt64Ty());
      return b_.CreateLoad(b_.getDoubleTy(), b_.CreateInBoundsGEP(b_.getDoubleTy(), drawn->second.out, at),
                           ir::to_string(e.dist));
    }
    std::vector<llvm::Value*> args = {input(ir::Input::Seed), b_.getInt32(e.stream)};
    for (const ir::ExprPtr& op : e.operands) args.push_back(expr(*op));
    std::vector<llvm::Type*> params;
    for (llvm::Value* arg : args) params.push_back(arg->getType());
    llvm::FunctionCallee callee = ctx_.module.getOrInsertFunction(
        random_function(e.dist), llvm::FunctionType::get(b_.getDoubleTy(), params, false));
    return b_.CreateCall(callee, args, ir::to_string(e.dist));
  }

  llvm::Value* convert(llvm::Value* v, ir::Type from, ir::Type to) {
    if (from == to) return v;
    llvm::Type* type = value_type(c_, to);
    if (to == ir::Type::Bool) {
      if (ir::is_float(from)) return b_.CreateFCmpUNE(v, llvm::ConstantFP::get(v->getType(), 0.0));
      return b_.CreateICmpNE(v, llvm::ConstantInt::get(v->getType(), 0));
    }
    const bool from_signed = ir::is_signed(from);
    if (ir::is_float(from) && ir::is_float(to)) return b_.CreateFPCast(v, type);
    // Saturating: a float beyond the integer's range (a huge poisson draw counted as spikes)
    // gives the nearest bound, and NaN gives 0, where fptosi gives poison (on x86, INT_MIN:
    // no spike at all).
    if (ir::is_float(from))
      return b_.CreateIntrinsic(ir::is_signed(to) ? llvm::Intrinsic::fptosi_sat : llvm::Intrinsic::fptoui_sat,
                                {type, v->getType()}, {v});
    if (ir::is_float(to)) return from_signed ? b_.CreateSIToFP(v, type) : b_.CreateUIToFP(v, type);
    return b_.CreateIntCast(v, type, from_signed);
  }

  void stmt(const ir::Stmt& s) {
    locate(s.range);
    switch (s.kind) {
      case ir::StmtKind::Let:
      case ir::StmtKind::Assign: b_.CreateStore(expr(*s.value), locals_.at(s.local)); return;
      case ir::StmtKind::Store: {
        llvm::Value* ptr = element(s.array, *s.index);
        llvm::Value* v = expr(*s.value);
        if (s.value->type == ir::Type::Bool) v = b_.CreateZExt(v, b_.getInt8Ty());
        b_.CreateStore(v, ptr);
        return;
      }
      case ir::StmtKind::AtomicAdd: {
        llvm::Value* ptr = element(s.array, *s.index);
        llvm::Value* old = ctx_.target.emit_atomic_add(b_, ptr, expr(*s.value));
        if (s.local != ir::kNone) b_.CreateStore(old, locals_.at(s.local));
        return;
      }
      case ir::StmtKind::If: return if_(s);
      case ir::StmtKind::For: return for_(s);
      case ir::StmtKind::While: return while_(s);
      case ir::StmtKind::ForRow: return for_row(s);
      case ir::StmtKind::ForBits: return for_bits(s);
      case ir::StmtKind::EmitSpike: {
        const ir::Population& pop = ctx_.ir.populations.at(s.population);
        if (s.time) {
          llvm::Value* slot = ctx_.target.emit_spike_slot(b_, arrays_.at(pop.spike_count_array));
          return emit_timed_spike(s, pop, slot);
        }
        llvm::Value* neuron = b_.CreateIntCast(expr(*s.index), b_.getInt32Ty(), false);
        llvm::Value* count = s.value ? b_.CreateIntCast(expr(*s.value), b_.getInt32Ty(), false) : nullptr;
        if (spike_lists_ != nullptr && spike_lists_->count(s.population) != 0) {
          if (count != nullptr)
            spike_sink_->append_counted(b_, spike_lists_->at(s.population), neuron, count);
          else
            spike_sink_->append(b_, spike_lists_->at(s.population), neuron);
        } else {
          llvm::Value* slot = b_.CreateZExt(ctx_.target.emit_spike_slot(b_, arrays_.at(pop.spike_count_array)),
                                            b_.getInt64Ty());
          b_.CreateStore(neuron, b_.CreateInBoundsGEP(b_.getInt32Ty(), arrays_.at(pop.spike_list_array), slot));
          if (count != nullptr)
            b_.CreateStore(count,
                           b_.CreateInBoundsGEP(b_.getInt32Ty(), arrays_.at(pop.spike_multiplicity_array), slot));
        }
        if (ctx_.target.records_spikes_at_emission())
          ctx_.target.emit_spike_record(b_, spike_rows_.at(s.population), neuron, count,
                                        pop.spike_multiplicity_array != ir::kNone);
        return;
      }
      case ir::StmtKind::Integrate:
      case ir::StmtKind::Threshold:
      case ir::StmtKind::PreciseStep: internal_error("high-level statement reached code generation");
    }
    internal_error("unknown statement kind");
  }

  // A precise population's entry: neuron and time at `slot` while the list has room (its
  // length is the population's spike capacity; the count still counts every spike).
  void emit_timed_spike(const ir::Stmt& s, const ir::Population& pop, llvm::Value* slot) {
    const std::uint64_t capacity = ctx_.ir.arrays.at(pop.spike_list_array).length;
    llvm::BasicBlock* room = llvm::BasicBlock::Create(c_, "spike.room", fn_);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(c_, "spike.done", fn_);
    b_.CreateCondBr(b_.CreateICmpULT(slot, b_.getInt32(static_cast<std::uint32_t>(capacity))), room, done);
    b_.SetInsertPoint(room);
    llvm::Value* at = b_.CreateZExt(slot, b_.getInt64Ty());
    b_.CreateStore(b_.CreateIntCast(expr(*s.index), b_.getInt32Ty(), false),
                   b_.CreateInBoundsGEP(b_.getInt32Ty(), arrays_.at(pop.spike_list_array), at));
    b_.CreateStore(expr(*s.time), b_.CreateInBoundsGEP(b_.getDoubleTy(), arrays_.at(pop.spike_time_array), at));
    b_.CreateBr(done);
    b_.SetInsertPoint(done);
  }

  void if_(const ir::Stmt& s) {
    if (s.unguarded && ctx_.target.vectorises_ranges()) {
      block(s.body);
      return;
    }
    llvm::Value* cond = expr(*s.cond);
    llvm::BasicBlock* then = llvm::BasicBlock::Create(c_, "then", fn_);
    llvm::BasicBlock* otherwise = s.otherwise.empty() ? nullptr : llvm::BasicBlock::Create(c_, "else", fn_);
    llvm::BasicBlock* merge = llvm::BasicBlock::Create(c_, "endif", fn_);
    b_.CreateCondBr(cond, then, otherwise != nullptr ? otherwise : merge);
    b_.SetInsertPoint(then);
    block(s.body);
    b_.CreateBr(merge);
    if (otherwise != nullptr) {
      b_.SetInsertPoint(otherwise);
      block(s.otherwise);
      b_.CreateBr(merge);
    }
    b_.SetInsertPoint(merge);
  }

  // for (local = begin; local < end; ++local): `end` is evaluated once, before the loop.
  void for_(const ir::Stmt& s) {
    llvm::AllocaInst* var = locals_.at(s.local);
    llvm::Type* type = var->getAllocatedType();
    const bool sign = ir::is_signed(s.begin->type);
    const bool shared = lane_ != nullptr && loop_depth_ == 0;
    llvm::Value* first = expr(*s.begin);
    if (shared) first = b_.CreateAdd(first, b_.CreateIntCast(lane_, type, false), "lane.first");
    b_.CreateStore(first, var);
    llvm::Value* end = expr(*s.end);
    llvm::BasicBlock* header = llvm::BasicBlock::Create(c_, "for.cond", fn_);
    llvm::BasicBlock* body = llvm::BasicBlock::Create(c_, "for.body", fn_);
    llvm::BasicBlock* exit = llvm::BasicBlock::Create(c_, "for.end", fn_);
    b_.CreateBr(header);
    b_.SetInsertPoint(header);
    llvm::Value* i = b_.CreateLoad(type, var);
    b_.CreateCondBr(sign ? b_.CreateICmpSLT(i, end) : b_.CreateICmpULT(i, end), body, exit);
    b_.SetInsertPoint(body);
    ++loop_depth_;
    block(s.body);
    --loop_depth_;
    locate(s.range);
    llvm::Value* stride = shared ? b_.CreateIntCast(lanes_, type, false) : llvm::ConstantInt::get(type, 1);
    b_.CreateStore(b_.CreateAdd(b_.CreateLoad(type, var), stride), var);
    b_.CreateBr(header);
    b_.SetInsertPoint(exit);
  }

  // Each element runs its own number of passes: never shared between lanes.
  void while_(const ir::Stmt& s) {
    llvm::BasicBlock* header = llvm::BasicBlock::Create(c_, "while.cond", fn_);
    llvm::BasicBlock* body = llvm::BasicBlock::Create(c_, "while.body", fn_);
    llvm::BasicBlock* exit = llvm::BasicBlock::Create(c_, "while.end", fn_);
    b_.CreateBr(header);
    b_.SetInsertPoint(header);
    b_.CreateCondBr(expr(*s.cond), body, exit);
    b_.SetInsertPoint(body);
    ++loop_depth_;
    block(s.body);
    --loop_depth_;
    locate(s.range);
    b_.CreateBr(header);
    b_.SetInsertPoint(exit);
  }

  // A procedural projection's row, regenerated by the device library's gennc_rand_row_start
  // and gennc_rand_row_following (runtime/device/kernel_helpers.c, gennc/connect_rows.h): the
  // connector and cursor live in a stack slot of the entry block, which inlining turns into
  // registers (no local memory on the GPU).
  // The generator is sequential, so a row is never split over lanes.
  void for_row(const ir::Stmt& s) {
    constexpr unsigned kRowStateBytes = 128;  // GENNC_ROW_STATE_BYTES
    const ir::Connector& c = ctx_.ir.projections.at(s.projection).connector;
    llvm::IRBuilder<> entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    llvm::AllocaInst* state = entry.CreateAlloca(llvm::ArrayType::get(b_.getInt8Ty(), kRowStateBytes), nullptr, "row");
    state->setAlignment(llvm::Align(8));
    llvm::Type* i32 = b_.getInt32Ty();
    llvm::Type* ptr = state->getType();
    llvm::FunctionCallee start = ctx_.module.getOrInsertFunction(
        "gennc_rand_row_start",
        llvm::FunctionType::get(b_.getVoidTy(), {ptr, i32, b_.getInt64Ty(), i32, i32, b_.getDoubleTy(), i32, i32, i32, i32, i32, i32},
                                false));
    llvm::FunctionCallee following =
        ctx_.module.getOrInsertFunction("gennc_rand_row_following", llvm::FunctionType::get(i32, {ptr}, false));
    const ir::Selection& post = ctx_.ir.projections.at(s.projection).post;
    const auto [lo, hi] = post_range(s.projection, post.count);
    b_.CreateCall(start, {state, b_.getInt32(c.kind), input(ir::Input::Seed), b_.getInt32(c.stream),
                          b_.getInt32(post.count), llvm::ConstantFP::get(b_.getDoubleTy(), c.params[0]),
                          b_.getInt32(c.with_replacement ? 1 : 0), expr(*s.index), expr(*s.begin), expr(*s.end), lo, hi});
    llvm::BasicBlock* header = llvm::BasicBlock::Create(c_, "row.next", fn_);
    llvm::BasicBlock* body = llvm::BasicBlock::Create(c_, "row.body", fn_);
    llvm::BasicBlock* exit = llvm::BasicBlock::Create(c_, "row.end", fn_);
    b_.CreateBr(header);
    b_.SetInsertPoint(header);
    llvm::Value* position = b_.CreateCall(following, {state}, "post.position");
    b_.CreateCondBr(b_.CreateICmpNE(position, b_.getInt32(GENNC_ROW_END)), body, exit);
    b_.SetInsertPoint(body);
    b_.CreateStore(position, locals_.at(s.local));
    loop_body(s, header, exit);
  }
  // The post positions [lo, hi) of projection p's rows that this process delivers to: the
  // env's post_ranges pair, or all `count` of them where the env has none.
  std::pair<llvm::Value*, llvm::Value*> post_range(std::uint32_t p, std::uint32_t count) {
    llvm::Type* i32 = b_.getInt32Ty();
    llvm::BasicBlock* from = b_.GetInsertBlock();
    llvm::BasicBlock* given = llvm::BasicBlock::Create(c_, "post.range", fn_);
    llvm::BasicBlock* join = llvm::BasicBlock::Create(c_, "post.range.end", fn_);
    b_.CreateCondBr(b_.CreateIsNull(post_ranges_), join, given);
    b_.SetInsertPoint(given);
    llvm::Value* lo = b_.CreateLoad(i32, b_.CreateConstInBoundsGEP1_64(i32, post_ranges_, 2 * std::uint64_t{p}), "post.lo");
    llvm::Value* hi = b_.CreateLoad(i32, b_.CreateConstInBoundsGEP1_64(i32, post_ranges_, 2 * std::uint64_t{p} + 1), "post.hi");
    b_.CreateBr(join);
    b_.SetInsertPoint(join);
    llvm::PHINode* first = b_.CreatePHI(i32, 2, "row.lo");
    first->addIncoming(b_.getInt32(0), from);
    first->addIncoming(lo, given);
    llvm::PHINode* last = b_.CreatePHI(i32, 2, "row.hi");
    last->addIncoming(b_.getInt32(count), from);
    last->addIncoming(hi, given);
    return {first, last};
  }
  // The rest of a generated loop whose header has branched to the body: the statements,
  // then back to `header`; code after the loop goes at `exit`.
  void loop_body(const ir::Stmt& s, llvm::BasicBlock* header, llvm::BasicBlock* exit) {
    ++loop_depth_;
    block(s.body);
    --loop_depth_;
    locate(s.range);
    b_.CreateBr(header);
    b_.SetInsertPoint(exit);
  }
  // One word of a bitmask row: the body once per set bit, lowest first (count trailing
  // zeros, then clear the lowest set bit), so the work follows the synapses, not the bits.
  void for_bits(const ir::Stmt& s) {
    llvm::Type* i32 = b_.getInt32Ty();
    llvm::IRBuilder<> entry(&fn_->getEntryBlock(), fn_->getEntryBlock().begin());
    llvm::AllocaInst* rest = entry.CreateAlloca(i32, nullptr, "bits.rest");
    b_.CreateStore(b_.CreateIntCast(expr(*s.value), i32, false), rest);
    llvm::BasicBlock* header = llvm::BasicBlock::Create(c_, "bits.next", fn_);
    llvm::BasicBlock* body = llvm::BasicBlock::Create(c_, "bits.body", fn_);
    llvm::BasicBlock* exit = llvm::BasicBlock::Create(c_, "bits.end", fn_);
    b_.CreateBr(header);
    b_.SetInsertPoint(header);
    llvm::Value* word = b_.CreateLoad(i32, rest);
    b_.CreateCondBr(b_.CreateICmpNE(word, b_.getInt32(0)), body, exit);
    b_.SetInsertPoint(body);
    b_.CreateStore(b_.CreateIntrinsic(llvm::Intrinsic::cttz, {i32}, {word, b_.getTrue()}, nullptr, "bit"),
                   locals_.at(s.local));
    b_.CreateStore(b_.CreateAnd(word, b_.CreateSub(word, b_.getInt32(1))), rest);
    loop_body(s, header, exit);
  }


  const LoweringContext& ctx_;
  llvm::Function* fn_;
  llvm::LLVMContext& c_;
  llvm::IRBuilder<> b_;
  std::vector<llvm::AllocaInst*> locals_;
  std::map<ir::Input, llvm::Value*> inputs_;
  std::map<std::uint32_t, llvm::Value*> arrays_;
  std::map<std::uint32_t, llvm::Value*> spike_rows_;  // by population (KernelBody::spike_rows)
  llvm::Value* post_ranges_ = nullptr;                 // KernelBody::post_ranges
  std::map<std::uint32_t, llvm::Value*> settled_;  // loaded at entry (load_settled_scalars)
  struct BlockDraws {
    llvm::AllocaInst* u;    // [block x double] scratch
    llvm::AllocaInst* out;  // [block x double] the block's draws
  };
  std::map<const ir::Expr*, BlockDraws> block_draws_;  // take_block_draws
  llvm::Value* block_first_ = nullptr;                  // the block draw_block drew for
  const SpikeSink* spike_sink_ = nullptr;
  const std::map<std::uint32_t, unsigned>* spike_lists_ = nullptr;
  llvm::Value* lane_ = nullptr;
  llvm::Value* lanes_ = nullptr;
  int loop_depth_ = 0;
};

// The target-independent body of a kernel: arrays as noalias arguments, the range loop
// from the target, the IR statements once per element.
KernelBody emit_body(const LoweringContext& ctx, const ir::Kernel& kernel, bool shared_rows, Spread spread) {
  llvm::LLVMContext& c = ctx.module.getContext();
  KernelBody body;
  std::set<std::uint32_t> used;
  collect_arrays(ctx.ir, kernel.body, body.arrays, used);
  if (ctx.shared_bodies == nullptr) std::sort(body.arrays.begin(), body.arrays.end());
  if (ctx.target.records_spikes_at_emission()) collect_spike_rows(kernel.body, body.spike_rows);
  body.post_ranges = regenerates_rows(kernel.body);

  llvm::Type* array_ptr = llvm::PointerType::get(c, ctx.target.array_address_space());
  std::vector<llvm::Type*> params(body.arrays.size() + body.spike_rows.size() + (body.post_ranges ? 1 : 0), array_ptr);
  llvm::Type* f64 = llvm::Type::getDoubleTy(c);
  llvm::Type* i64 = llvm::Type::getInt64Ty(c);
  llvm::Type* i32 = llvm::Type::getInt32Ty(c);
  params.insert(params.end(), {f64, f64, i64, i64, i32, i32});
  if (shared_rows) params.insert(params.end(), {i32, i32});  // part, parts
  auto* type = llvm::FunctionType::get(llvm::Type::getVoidTy(c), params, false);
  const char* suffix = shared_rows ? ".rows.body" : spread == Spread::Block ? ".block.body" : ".body";
  body.function = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage, kernel.name + suffix, ctx.module);
  llvm::Function* fn = body.function;
  fn->addFnAttr(llvm::Attribute::AlwaysInline);
  fn->addFnAttr(llvm::Attribute::NoUnwind);
  for (std::size_t k = 0; k < body.arrays.size(); ++k) {
    fn->addParamAttr(k, llvm::Attribute::NoAlias);
    fn->addParamAttr(k, llvm::Attribute::NoCapture);
    fn->getArg(k)->setName(ctx.ir.arrays.at(body.arrays[k]).name);
  }
  if (ctx.debug != nullptr) ctx.debug->attach(*fn, kernel.name, kernel.range);

  FunctionEmitter emit(ctx, fn, kernel.locals);
  for (std::size_t k = 0; k < body.arrays.size(); ++k) emit.set_array(body.arrays[k], fn->getArg(k));
  for (std::size_t k = 0; k < body.spike_rows.size(); ++k) {
    llvm::Argument* row = fn->getArg(body.arrays.size() + k);
    row->setName(ctx.ir.populations.at(body.spike_rows[k]).name + ".spike_row");
    emit.set_spike_row(body.spike_rows[k], row);
  }
  if (body.post_ranges) {
    const unsigned k = body.arrays.size() + body.spike_rows.size();
    fn->addParamAttr(k, llvm::Attribute::NoAlias);
    fn->addParamAttr(k, llvm::Attribute::ReadOnly);
    fn->getArg(k)->setName("post_ranges");
    emit.set_post_ranges(fn->getArg(k));
  }
  emit.load_settled_scalars(kernel.body);
  const unsigned scalars = body.arrays.size() + body.spike_rows.size() + (body.post_ranges ? 1 : 0);
  const char* names[] = {"t", "dt", "step", "seed", "begin", "end"};
  for (unsigned k = 0; k < kBodyScalarCount; ++k) fn->getArg(scalars + k)->setName(names[k]);
  emit.set_input(ir::Input::Time, fn->getArg(scalars + 0));
  emit.set_input(ir::Input::Dt, fn->getArg(scalars + 1));
  emit.set_input(ir::Input::Step, fn->getArg(scalars + 2));
  emit.set_input(ir::Input::Seed, fn->getArg(scalars + 3));

  std::vector<SpikeList> lists;
  std::map<std::uint32_t, unsigned> list_of;
  auto array_arg = [&](std::uint32_t array) {
    return fn->getArg(std::find(body.arrays.begin(), body.arrays.end(), array) - body.arrays.begin());
  };
  for (const auto& [population, counted] : buffered_spikes(kernel.body, ctx.target.vectorises_ranges())) {
    const ir::Population& pop = ctx.ir.populations.at(population);
    list_of[population] = static_cast<unsigned>(lists.size());
    lists.push_back({array_arg(pop.spike_count_array), array_arg(pop.spike_list_array),
                     counted ? array_arg(pop.spike_multiplicity_array) : nullptr});
  }

  emit.locate(kernel.range);
  llvm::IRBuilder<>& b = emit.builder();
  if (shared_rows) {
    // Part `part` of `parts` blocks sharing each row: its threads are lanes part * lanes()
    // to (part + 1) * lanes() - 1 of parts * lanes().
    llvm::Value* part = fn->getArg(scalars + kBodyScalarCount);
    llvm::Value* parts = fn->getArg(scalars + kBodyScalarCount + 1);
    part->setName("part");
    parts->setName("parts");
    llvm::Value* width = b.getInt32(ctx.target.lanes());
    llvm::Value* lanes = b.CreateMul(parts, width, "lanes");
    llvm::Value* first_lane = b.CreateMul(part, width, "part.first.lane");
    ctx.target.emit_shared_range(b, fn->getArg(scalars + 4), fn->getArg(scalars + 5),
                                 [&](llvm::IRBuilder<>&, llvm::Value* index, llvm::Value* lane) {
                                   emit.set_input(ir::Input::Index, index);
                                   emit.set_lanes(b.CreateAdd(first_lane, lane, "lane"), lanes);
                                   emit.block(kernel.body);
                                   emit.locate(kernel.range);
                                 },
                                 spread);
    b.CreateRetVoid();
    return body;
  }
  llvm::Value* begin = fn->getArg(scalars + 4);
  llvm::Value* end = fn->getArg(scalars + 5);
  const std::set<const ir::Stmt*> checks =
      ctx.target.vectorises_ranges() ? deferrable_fault_checks(ctx.ir, kernel) : std::set<const ir::Stmt*>{};
  llvm::AllocaInst* any_fault = nullptr;  // whether an element's check fired (an OR over the range)
  if (!checks.empty()) {
    llvm::IRBuilder<> entry(&fn->getEntryBlock(), fn->getEntryBlock().begin());
    any_fault = entry.CreateAlloca(b.getInt1Ty(), nullptr, "fault.any");
    b.CreateStore(b.getFalse(), any_fault);
  }
  // Only a population of at least a block draws by blocks: for fewer elements the block's
  // loops save nothing and cost compile time (a PyNN script's stimulus of 50 sources).
  Target::BlockFn before_block;
  const bool whole_blocks = kernel.kind == GENNC_KERNEL_NEURON && ctx.target.range_block() > 0 &&
                            ctx.ir.populations.at(kernel.owner).size >= ctx.target.range_block();
  if (whole_blocks && emit.take_block_draws(kernel.body, ctx.target.range_block()))
    before_block = [&](llvm::IRBuilder<>&, llvm::Value* first, llvm::Value* count) { emit.draw_block(first, count); };
  ctx.target.emit_range(b, begin, end, lists,
                        [&](llvm::IRBuilder<>&, llvm::Value* index, const SpikeSink& spikes) {
                          emit.set_input(ir::Input::Index, index);
                          emit.set_spike_sink(&spikes, &list_of);
                          emit.block_part(kernel.body, checks, /*only=*/false);
                          for (const ir::Stmt* check : checks) {
                            emit.locate(check->range);
                            b.CreateStore(b.CreateOr(b.CreateLoad(b.getInt1Ty(), any_fault), emit.expr(*check->cond)),
                                          any_fault);
                          }
                          emit.locate(kernel.range);
                        },
                        spread, before_block);
  emit.forget_block_draws();
  if (any_fault != nullptr) {
    // The checks in full, element by element, only after a range in which one fired.
    llvm::BasicBlock* again = llvm::BasicBlock::Create(c, "fault.checks", fn);
    llvm::BasicBlock* done = llvm::BasicBlock::Create(c, "fault.checked", fn);
    b.CreateCondBr(b.CreateLoad(b.getInt1Ty(), any_fault), again, done);
    b.SetInsertPoint(again);
    ctx.target.emit_range(b, begin, end, {},
                          [&](llvm::IRBuilder<>&, llvm::Value* index, const SpikeSink&) {
                            emit.set_input(ir::Input::Index, index);
                            emit.block_part(kernel.body, checks, /*only=*/true);
                            emit.locate(kernel.range);
                          },
                          spread, {});
    b.CreateBr(done);
    b.SetInsertPoint(done);
  }
  b.CreateRetVoid();
  return body;
}

// Whether a block assigns (or loops over) any of `outer`, or emits spikes.
bool writes_outer(const ir::Block& block, const std::set<ir::LocalId>& outer) {
  for (const ir::StmtPtr& s : block) {
    if ((s->kind == ir::StmtKind::Assign || s->kind == ir::StmtKind::For) && outer.count(s->local) != 0) return true;
    if (s->kind == ir::StmtKind::EmitSpike) return true;
    if (writes_outer(s->body, outer) || writes_outer(s->otherwise, outer)) return true;
  }
  return false;
}

}  // namespace

// One loop, the row's (Kernel::row_local: not the repetitions of a spike with multiplicity
// around it, nor those around a diagonal row, which is no loop), only declarations beside
// it, and no value carried from one iteration to the next through a local declared outside it.
bool row_parallel(const ir::Kernel& kernel) {
  if (kernel.kind != GENNC_KERNEL_SYNAPSE_PRE) return false;
  std::set<ir::LocalId> outer;
  const ir::Stmt* loop = nullptr;
  for (const ir::StmtPtr& s : kernel.body) {
    if (s->kind == ir::StmtKind::Let && loop == nullptr) {
      outer.insert(s->local);
    } else if (s->kind == ir::StmtKind::For && loop == nullptr) {
      loop = s.get();
    } else {
      return false;
    }
  }
  if (loop == nullptr || loop->local != kernel.row_local) return false;
  return !writes_outer(loop->body, outer);
}

KernelBody emit_block_body(const LoweringContext& ctx, const ir::Kernel& kernel, bool rows) {
  if (rows && (ctx.target.lanes() <= 1 || !row_parallel(kernel)))
    internal_error("kernel '" + kernel.name + "' has no row-parallel form");
  return emit_body(ctx, kernel, rows, Spread::Block);
}

namespace {

llvm::Function* emit_entry(const LoweringContext& ctx, const ir::Kernel& kernel, const std::string& name) {
  KernelBody body = emit_body(ctx, kernel, /*shared_rows=*/false, Spread::Grid);
  const std::string entry_name = ctx.cpu.empty() ? name : name + "." + ctx.cpu;
  body.function->setName(entry_name + ".body");
  // The body, inlined into the entry or shared, is compiled (and vectorised) for the
  // entry's CPU.
  if (!ctx.cpu.empty()) body.function->addFnAttr("target-cpu", ctx.cpu);
  if (!ctx.cpu.empty()) body.function->addFnAttr("prefer-vector-width", "512");
  if (ctx.shared_bodies != nullptr) {
    body.function->addFnAttr(kCalledBodyAttribute);
    body.function = ctx.shared_bodies->share(body.function);
  }
  llvm::Function* entry = ctx.target.emit_entry(ctx.module, entry_name, body);
  if (!ctx.cpu.empty()) entry->addFnAttr("target-cpu", ctx.cpu);
  if (!ctx.cpu.empty()) entry->addFnAttr("prefer-vector-width", "512");
  if (ctx.debug != nullptr) {
    ctx.debug->attach(*entry, kernel.name, kernel.range);
    ctx.debug->fill_missing(*entry);
  }
  return entry;
}

// Whether the kernel makes an atomic add: an AtomicAdd statement, or a spike appended one
// by one (a slot reserved per spike, not a block's spikes buffered: Target::emit_range).
bool adds_atomically(const LoweringContext& ctx, const ir::Kernel& kernel) {
  const std::map<std::uint32_t, bool> buffered = buffered_spikes(kernel.body, ctx.target.vectorises_ranges());
  bool atomic = false;
  ir::for_each_stmt(kernel.body, [&](const ir::Stmt& s) {
    if (s.kind == ir::StmtKind::AtomicAdd) atomic = true;
    if (s.kind == ir::StmtKind::EmitSpike && buffered.count(s.population) == 0) atomic = true;
  });
  return atomic;
}

}  // namespace

llvm::Function* SharedBodies::share(llvm::Function* body) {
  // The comparator is LLVM's MergeFunctions' own: equal means the same instructions on the
  // same types, constants, globals and attributes (debug locations aside), so either body
  // computes what the other does from the same arguments.
  std::vector<llvm::Function*>& same_hash = by_hash_[llvm::StructuralHash(*body)];
  for (llvm::Function* earlier : same_hash) {
    if (llvm::FunctionComparator(earlier, body, &numbers_).compare() != 0) continue;
    body->eraseFromParent();
    return earlier;
  }
  same_hash.push_back(body);
  return body;
}

std::vector<llvm::Function*> emit_kernels(const LoweringContext& ctx, const std::set<std::uint32_t>& staged) {
  if (ctx.ir.stage != ir::Stage::Lowered) internal_error("the IR has not been lowered");
  std::vector<llvm::Function*> entries;
  for (std::uint32_t k = 0; k < ctx.ir.kernels.size(); ++k) {
    const ir::Kernel& kernel = ctx.ir.kernels[k];
    entries.push_back(staged.count(k) != 0 ? nullptr : emit_entry(ctx, kernel, kernel.name));
  }
  return entries;
}

std::vector<llvm::Function*> emit_kernels_alone(const LoweringContext& ctx) {
  if (ctx.ir.stage != ir::Stage::Lowered) internal_error("the IR has not been lowered");
  std::vector<llvm::Function*> entries;
  for (const ir::Kernel& kernel : ctx.ir.kernels)
    entries.push_back(adds_atomically(ctx, kernel) ? emit_entry(ctx, kernel, kernel.name + ".alone") : nullptr);
  return entries;
}

std::vector<llvm::Function*> emit_synapse_functions(const LoweringContext& ctx) {
  llvm::LLVMContext& c = ctx.module.getContext();
  llvm::Type* f64 = llvm::Type::getDoubleTy(c);
  llvm::Type* i32 = llvm::Type::getInt32Ty(c);
  auto* type = llvm::FunctionType::get(f64, {i32, i32, f64, f64, f64, f64, llvm::Type::getInt64Ty(c)}, false);
  std::vector<llvm::Function*> functions;
  for (const ir::SynapseFunction& sf : ctx.ir.synapse_functions) {
    llvm::Function* fn = llvm::Function::Create(type, llvm::GlobalValue::InternalLinkage, sf.name, ctx.module);
    fn->addFnAttr(llvm::Attribute::NoUnwind);
    if (ctx.debug != nullptr) ctx.debug->attach(*fn, sf.name, sf.range);
    FunctionEmitter emit(ctx, fn, {});
    const ir::Input inputs[] = {ir::Input::Pre, ir::Input::Post, ir::Input::Distance, ir::Input::Dx,
                                ir::Input::Dy,  ir::Input::Dz,   ir::Input::Seed};
    for (unsigned k = 0; k < 7; ++k) {
      fn->getArg(k)->setName(ir::to_string(inputs[k]));
      emit.set_input(inputs[k], fn->getArg(k));
    }
    emit.locate(sf.range);
    emit.builder().CreateRet(emit.expr_as(*sf.value, ir::Type::F64));
    functions.push_back(fn);
  }
  return functions;
}

}  // namespace gennc::codegen
