// fuse_current_injection: a current source injected into a whole population moves into the
// population's update (its body first, its draws at their addresses, its add a plain
// read-add-write before the update reads the input); its inject kernel goes. Any
// condition failing leaves the kernel in place.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "compile_ir.h"
#include "passes/fuse_current_injection.h"
#include "passes/plan_stages.h"

using namespace gennc;
using namespace gennc::testing;

namespace {

std::string network(const std::string& items) {
  return R"gdsl(
import pynn
network injected {
  dt = 0.1 ms
  population a = IF_curr_exp(100)
  population b = IF_curr_exp(20)
  projection ab = a -> b via fixed_probability(0.1) synapse StaticSynapse(weight = 0.2 nA, delay = 1 ms) onto excitatory
)gdsl" + items + "\n}\n";
}

const char* const kNoise = "inject noise = NoisyCurrentSource(mean = 0.5 nA, stdev = 0.2 nA) into a";

std::unique_ptr<Compiled> compile(const std::string& source, bool fuse = true) {
  CompileSettings settings;
  settings.real = ir::Type::F64;
  settings.passes.fuse = fuse;
  auto c = compile_ir(source, settings);
  INFO(c->messages.str());
  REQUIRE(c->module);
  return c;
}

std::unique_ptr<Compiled> compile_unplanned(const std::string& source) {
  CompileSettings settings;
  settings.real = ir::Type::F64;
  settings.run_passes = false;
  auto c = compile_ir(source, settings);
  INFO(c->messages.str());
  REQUIRE(c->module);
  return c;
}

// The pass alone (then plan_stages) on the module lowered without the pipeline: later
// passes would take the fused input out of its array (localise_cleared_arrays).
std::unique_ptr<Compiled> fuse_alone(const std::string& source) {
  auto c = compile_unplanned(source);
  passes::Options options;
  REQUIRE(passes::fuse_current_injection(*c->module, options, *c->diags));
  passes::plan_stages(*c->module, options, *c->diags);
  return c;
}

bool has_kernel(const ir::Module& m, const std::string& name) {
  for (std::uint32_t k : m.step_schedule)
    if (m.kernels[k].name == name) return true;
  return false;
}

std::uint32_t kernel_index(const ir::Module& m, const std::string& name) {
  for (std::uint32_t k = 0; k < m.kernels.size(); ++k)
    if (m.kernels[k].name == name) return k;
  FAIL("no kernel " << name);
  return 0;
}

// The streams of the kernel's random draws.
std::vector<std::uint32_t> streams(const ir::Kernel& k) {
  std::vector<std::uint32_t> out;
  for_each_expr(k.body, [&](const ir::Expr& e) {
    if (e.kind == ir::ExprKind::Random) out.push_back(e.stream);
  });
  return out;
}

int count_atomic_adds(const ir::Kernel& k) {
  int n = 0;
  for_each_stmt(k.body, [&](const ir::Stmt& s) { n += s.kind == ir::StmtKind::AtomicAdd; });
  return n;
}

}  // namespace

TEST_CASE("a NoisyCurrentSource on a whole population moves into its update", "[passes][fuse]") {
  auto apart = compile_unplanned(network(kNoise));
  passes::Options options;
  passes::plan_stages(*apart->module, options, *apart->diags);
  auto fused = fuse_alone(network(kNoise));
  const ir::Module& before = *apart->module;
  const ir::Module& m = *fused->module;
  REQUIRE(has_kernel(before, "noise.inject"));
  CHECK_FALSE(has_kernel(m, "noise.inject"));
  for (const ir::Kernel& k : m.kernels) CHECK(k.kind != GENNC_KERNEL_CURRENT_SOURCE);
  CHECK(m.step_schedule.size() == before.step_schedule.size() - 1);
  // The injection and its arrays stay: the runtime sizes, records and checkpoints them.
  REQUIRE(m.injections.size() == 1);
  CHECK(m.injections[0].name == "noise");
  const ir::ArrayId amplitude = array(m, "noise.amplitude"), injected = array(m, "a.i_syn.injected");
  // Update, then delivery: the inject stage has gone.
  CHECK(before.step_stages.size() == 3);
  CHECK(m.step_stages.size() == 2);

  // The source's draw keeps its stream; a's own draws (none) are unchanged.
  const ir::Kernel& a = m.kernels[kernel_index(m, "a.update")];
  CHECK(streams(a) == streams(before.kernels[kernel_index(before, "noise.inject")]));
  CHECK(streams(a).size() == 1);
  CHECK(count_atomic_adds(a) == 0);

  // In a's body: the source's state is read and stored at a's own element, its current
  // added into a's injected input by a plain read-add-write of [index], all before a reads
  // (and clears) that input.
  int add_at = -1, read_at = -1, stores_of_state = 0;
  for (std::size_t i = 0; i < a.body.size(); ++i) {
    const ir::Stmt& s = *a.body[i];
    if (s.kind == ir::StmtKind::Store && s.array == injected && !ir::is_const(*s.value)) {
      add_at = static_cast<int>(i);
      CHECK(s.index->kind == ir::ExprKind::Input);
      REQUIRE(s.value->kind == ir::ExprKind::Binary);
      CHECK(s.value->binary == ir::BinaryOp::Add);
      const ir::Expr& cell = *s.value->operands[0];
      REQUIRE(cell.kind == ir::ExprKind::Load);
      CHECK(cell.array == injected);
      CHECK(cell.operands[0]->kind == ir::ExprKind::Input);
    }
    if (s.kind == ir::StmtKind::Let && s.value->kind == ir::ExprKind::Load && s.value->array == injected && read_at < 0)
      read_at = static_cast<int>(i);
    if (s.kind == ir::StmtKind::Store && s.array == amplitude) {
      ++stores_of_state;
      CHECK(s.index->kind == ir::ExprKind::Input);
    }
  }
  CHECK(add_at >= 0);
  CHECK(read_at > add_at);
  CHECK(stores_of_state == 1);
  // The moved locals carry the injection's name.
  bool named = false;
  for (const ir::LocalInfo& l : a.locals) named = named || l.name == "noise.amplitude";
  CHECK(named);
}

TEST_CASE("a DCSource on a whole population fuses too", "[passes][fuse]") {
  auto c = compile(network("inject DCSource(amplitude = 0.4 nA, start = 10 ms, stop = 50 ms) into b"));
  CHECK_FALSE(has_kernel(*c->module, "DCSource0.inject"));
}

TEST_CASE("a source on a subset or view is not fused", "[passes][fuse]") {
  for (const char* target : {"a[0:50]", "a[10:100:3]", "a[[3, 1, 7]]"}) {
    INFO(target);
    auto c = compile(network(std::string("inject noise = NoisyCurrentSource(mean = 0.5 nA, stdev = 0.2 nA) into ") +
                             target));
    CHECK(has_kernel(*c->module, "noise.inject"));
  }
  // Into an assembly: one injection per population, by a slice and by an index list.
  auto c = compile(network("assembly both = a[0:10] + b[[4, 2]]\n"
                           "inject noise = NoisyCurrentSource(mean = 0.5 nA, stdev = 0.2 nA) into both"));
  CHECK(has_kernel(*c->module, "noise.0.inject"));
  CHECK(has_kernel(*c->module, "noise.1.inject"));
}

TEST_CASE("with two sources on one population only the last fuses", "[passes][fuse]") {
  // Declared DC then noise: the noise's kernel adds last before a's update, so it fuses;
  // the DC's stays and adds first, as before.
  auto c = compile(network("inject dc = DCSource(amplitude = 0.4 nA) into a\n" + std::string(kNoise)));
  const ir::Module& m = *c->module;
  CHECK(has_kernel(m, "dc.inject"));
  CHECK_FALSE(has_kernel(m, "noise.inject"));
  CHECK(streams(m.kernels[kernel_index(m, "a.update")]).size() == 1);
  // The other order: the DC fuses and the noise stays.
  auto d = compile(network(std::string(kNoise) + "\ninject dc = DCSource(amplitude = 0.4 nA) into a"));
  CHECK(has_kernel(*d->module, "noise.inject"));
  CHECK_FALSE(has_kernel(*d->module, "dc.inject"));
  // A source on a subset last: it cannot fuse, and the whole-population one before it
  // stays apart too (the subset's adds come between).
  auto e = compile(network(std::string(kNoise) + "\ninject dc = DCSource(amplitude = 0.4 nA) into a[0:10]"));
  CHECK(has_kernel(*e->module, "noise.inject"));
  CHECK(has_kernel(*e->module, "dc.inject"));
  // Sources into different populations fuse each.
  auto f = compile(network(std::string(kNoise) + "\ninject dc = DCSource(amplitude = 0.4 nA) into b"));
  CHECK_FALSE(has_kernel(*f->module, "noise.inject"));
  CHECK_FALSE(has_kernel(*f->module, "dc.inject"));
}

TEST_CASE("a recorded source fuses: recordings sample its arrays after the step", "[passes][fuse]") {
  auto c = compile(network(std::string(kNoise) + "\nrecord noise.amplitude every 1 ms"));
  CHECK_FALSE(has_kernel(*c->module, "noise.inject"));
  REQUIRE(c->module->recordings.size() == 1);
  CHECK(c->module->arrays[c->module->recordings[0].array].name == "noise.amplitude");
}

// The pass on a module that went through the pipeline unfused, after `edit`; whether it
// fused. The stages are planned again by plan_stages, after the pass.
bool fuses_after(const std::string& source, void (*edit)(ir::Module&)) {
  auto c = compile(source, false);
  ir::Module& m = *c->module;
  edit(m);
  m.step_stages.clear();
  passes::Options options;
  return passes::fuse_current_injection(m, options, *c->diags) && !has_kernel(m, "noise.inject");
}

TEST_CASE("a source whose arrays another kernel reads is not fused", "[passes][fuse]") {
  const std::string source = network(kNoise);
  CHECK(fuses_after(source, [](ir::Module&) {}));
  // b's update reads the source's state (no GDSL says so; the IR could).
  CHECK_FALSE(fuses_after(source, [](ir::Module& m) {
    ir::Kernel& b = m.kernels[kernel_index(m, "b.update")];
    ir::LocalId x = b.add_local("x", ir::Type::F64);
    b.body.insert(b.body.begin(), ir::let(x, ir::load(array(m, "noise.amplitude"), ir::Type::F64,
                                                       ir::iconst(ir::Type::U32, 0))));
  }));
  // The delivery after a's update writes the source's state.
  CHECK_FALSE(fuses_after(source, [](ir::Module& m) {
    m.kernels[kernel_index(m, "ab.pre")].body.push_back(
        ir::store(array(m, "noise.n_draws"), ir::iconst(ir::Type::U32, 0), ir::fconst(ir::Type::F64, 1)));
  }));
  // A kernel between the source and a's update reads a's injected input.
  CHECK_FALSE(fuses_after(source, [](ir::Module& m) {
    ir::Kernel& b = m.kernels[kernel_index(m, "b.update")];
    ir::LocalId x = b.add_local("x", ir::Type::F64);
    b.body.insert(b.body.begin(), ir::let(x, ir::load(array(m, "a.i_syn.injected"), ir::Type::F64,
                                                       ir::iconst(ir::Type::U32, 0))));
    std::swap(m.step_schedule[1], m.step_schedule[2]);  // noise, b, a, ab
    REQUIRE(m.kernels[m.step_schedule[2]].name == "a.update");
  }));
  // The source adds somewhere other than its own element's input.
  CHECK_FALSE(fuses_after(source, [](ir::Module& m) {
    int adds = 0;
    for (ir::StmtPtr& s : m.kernels[kernel_index(m, "noise.inject")].body) {
      if (s->kind != ir::StmtKind::AtomicAdd) continue;
      s->index = ir::binary(ir::BinaryOp::Add, ir::input(ir::Input::Index), ir::iconst(ir::Type::U32, 1));
      ++adds;
    }
    REQUIRE(adds == 1);
  }));
}

TEST_CASE("--no-fuse keeps every source apart", "[passes][fuse]") {
  auto c = compile(network(std::string(kNoise) + "\ninject dc = DCSource(amplitude = 0.4 nA) into b"), false);
  CHECK(has_kernel(*c->module, "noise.inject"));
  CHECK(has_kernel(*c->module, "dc.inject"));
}
