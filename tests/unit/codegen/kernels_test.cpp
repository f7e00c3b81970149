// Kernels built by hand in the IR, compiled by codegen and run in-process on arrays.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <numeric>
#include <vector>

#include "gennc/random.h"
#include "jit.h"

using namespace gennc;
using codegen::testing::add_array;
using codegen::testing::JitModel;
using codegen::testing::one_population;

namespace {

template <typename... E>
std::vector<ir::ExprPtr> exprs(E... e) {
  std::vector<ir::ExprPtr> out;
  (out.push_back(std::move(e)), ...);
  return out;
}

ir::ExprPtr index() { return ir::input(ir::Input::Index); }
ir::ExprPtr f32(double v) { return ir::fconst(ir::Type::F32, v); }
ir::ExprPtr u32(std::int64_t v) { return ir::iconst(ir::Type::U32, v); }

ir::Kernel& add_kernel(ir::Module& m, const std::string& name) {
  ir::Kernel k;
  k.name = name;
  k.kind = GENNC_KERNEL_NEURON;
  m.kernels.push_back(std::move(k));
  m.step_schedule.push_back(static_cast<std::uint32_t>(m.kernels.size() - 1));
  return m.kernels.back();
}

std::vector<void*> storage(const ir::Module& m) { return std::vector<void*>(m.arrays.size(), nullptr); }

}  // namespace

TEST_CASE("an element-wise kernel computes every element of its range only", "[codegen][kernels]") {
  const int opt_level = GENERATE(0, 1, 2, 3);
  INFO("-O" << opt_level);
  ir::Module m = one_population(40);
  const ir::ArrayId a = add_array(m, "pop.a", GENNC_F32);
  const ir::ArrayId b = add_array(m, "pop.b", GENNC_F32);
  const ir::ArrayId y = add_array(m, "pop.y", GENNC_F32);
  // y[i] = a[i] * 2 + exp(b[i])
  add_kernel(m, "pop.update")
      .body.push_back(ir::store(
          y, index(),
          ir::binary(ir::BinaryOp::Add, ir::binary(ir::BinaryOp::Mul, ir::load(a, ir::Type::F32, index()), f32(2)),
                     ir::call(ir::MathFn::Exp, exprs(ir::load(b, ir::Type::F32, index()))))));
  const JitModel jit(m, opt_level);

  std::vector<float> av(40), bv(40), yv(40, -1.0f);
  for (int i = 0; i < 40; ++i) {
    av[i] = 0.25f * static_cast<float>(i);
    bv[i] = -0.1f * static_cast<float>(i);
  }
  std::vector<void*> arrays = storage(m);
  arrays[a] = av.data();
  arrays[b] = bv.data();
  arrays[y] = yv.data();
  jit.run(0, arrays, 3, 37);
  for (int i = 0; i < 40; ++i) {
    INFO("element " << i);
    if (i < 3 || i >= 37)
      CHECK(yv[i] == -1.0f);
    else
      CHECK(yv[i] == Approx(av[i] * 2.0f + std::exp(bv[i])).epsilon(1e-6));
  }
}

TEST_CASE("element-wise kernels are vectorised at -O2", "[codegen][kernels]") {
  ir::Module m = one_population(1000);
  const ir::ArrayId v = add_array(m, "pop.v", GENNC_F32);
  const ir::ArrayId i_syn = add_array(m, "pop.i_syn", GENNC_F32);
  // v[i] = v[i] * 0.99 + i_syn[i] * 0.1: arrays in distinct noalias arguments, no runtime checks needed.
  add_kernel(m, "pop.update")
      .body.push_back(ir::store(
          v, index(),
          ir::binary(ir::BinaryOp::Add, ir::binary(ir::BinaryOp::Mul, ir::load(v, ir::Type::F32, index()), f32(0.99)),
                     ir::binary(ir::BinaryOp::Mul, ir::load(i_syn, ir::Type::F32, index()), f32(0.1)))));
  const JitModel jit(m, 2);
  CHECK(jit.optimized_ir().find("<4 x float>") != std::string::npos);

  std::vector<float> vv(1000, 1.0f), iv(1000, 2.0f);
  std::vector<void*> arrays = storage(m);
  arrays[v] = vv.data();
  arrays[i_syn] = iv.data();
  jit.run(0, arrays, 0, 1000);
  for (float x : vv) CHECK(x == Approx(0.99f + 0.2f));
}

TEST_CASE("atomic adds accumulate contributions of every element", "[codegen][kernels]") {
  ir::Module m = one_population(100);
  const ir::ArrayId w = add_array(m, "pop.w", GENNC_F32);
  const ir::ArrayId total = add_array(m, "pop.total", GENNC_F32, GENNC_SCOPE_SCALAR);
  const ir::ArrayId count = add_array(m, "pop.count", GENNC_U32, GENNC_SCOPE_SCALAR);
  ir::Kernel& k = add_kernel(m, "pop.sum");
  k.body.push_back(ir::atomic_add(total, u32(0), ir::load(w, ir::Type::F32, index())));
  k.body.push_back(ir::atomic_add(count, u32(0), u32(1)));
  const JitModel jit(m);

  std::vector<float> wv(100);
  std::iota(wv.begin(), wv.end(), 1.0f);
  float sum = 0.5f;
  std::uint32_t n = 7;
  std::vector<void*> arrays = storage(m);
  arrays[w] = wv.data();
  arrays[total] = &sum;
  arrays[count] = &n;
  jit.run(0, arrays, 0, 100);
  CHECK(sum == 0.5f + 5050.0f);
  CHECK(n == 107);
}

TEST_CASE("threshold crossings append to the population's spike list", "[codegen][kernels]") {
  ir::Module m = one_population(10);
  const ir::ArrayId v = add_array(m, "pop.v", GENNC_F32);
  // if (v[i] >= 0.5) { emit_spike(i); v[i] = -1 }
  ir::Block reset;
  reset.push_back(ir::emit_spike(0, index()));
  reset.push_back(ir::store(v, index(), f32(-1)));
  add_kernel(m, "pop.update")
      .body.push_back(ir::if_(ir::binary(ir::BinaryOp::Ge, ir::load(v, ir::Type::F32, index()), f32(0.5)),
                              std::move(reset)));
  const JitModel jit(m);

  std::vector<float> vv = {0.1f, 0.7f, 0.5f, 0.49f, 2.0f, 0.0f, 0.0f, 0.9f, 0.3f, 0.6f};
  std::uint32_t spike_count = 0;
  std::vector<std::uint32_t> spikes(10, 99);
  std::vector<void*> arrays = storage(m);
  arrays[v] = vv.data();
  arrays[m.populations[0].spike_count_array] = &spike_count;
  arrays[m.populations[0].spike_list_array] = spikes.data();
  jit.run(0, arrays, 0, 10);
  REQUIRE(spike_count == 5);
  CHECK(std::vector<std::uint32_t>(spikes.begin(), spikes.begin() + 5) == std::vector<std::uint32_t>{1, 2, 4, 7, 9});
  CHECK(vv[1] == -1.0f);
  CHECK(vv[3] == 0.49f);
}

TEST_CASE("loops, locals, branches and casts", "[codegen][kernels]") {
  ir::Module m = one_population(12);
  const ir::ArrayId sum = add_array(m, "pop.sum", GENNC_U32);
  const ir::ArrayId even = add_array(m, "pop.even", GENNC_U8);
  const ir::ArrayId half = add_array(m, "pop.half", GENNC_F64);
  ir::Kernel& k = add_kernel(m, "pop.update");
  const ir::LocalId acc = k.add_local("acc", ir::Type::U32);
  const ir::LocalId j = k.add_local("j", ir::Type::U32);
  // acc = 0; for j in [0, i): acc += j; sum[i] = acc
  k.body.push_back(ir::let(acc, u32(0)));
  ir::Block loop;
  loop.push_back(ir::assign(acc, ir::binary(ir::BinaryOp::Add, ir::local(acc, ir::Type::U32), ir::local(j, ir::Type::U32))));
  k.body.push_back(ir::for_(j, u32(0), index(), std::move(loop)));
  k.body.push_back(ir::store(sum, index(), ir::local(acc, ir::Type::U32)));
  // if (i % 2 == 0) even[i] = true else even[i] = false
  ir::Block then, otherwise;
  then.push_back(ir::store(even, index(), ir::bconst(true)));
  otherwise.push_back(ir::store(even, index(), ir::bconst(false)));
  k.body.push_back(ir::if_(ir::binary(ir::BinaryOp::Eq, ir::binary(ir::BinaryOp::Rem, index(), u32(2)), u32(0)),
                           std::move(then), std::move(otherwise)));
  // half[i] = f64(i) / 2
  k.body.push_back(ir::store(half, index(), ir::binary(ir::BinaryOp::Div, ir::cast(ir::Type::F64, index()),
                                                       ir::fconst(ir::Type::F64, 2))));
  const JitModel jit(m);

  std::vector<std::uint32_t> sv(12);
  std::vector<std::uint8_t> ev(12, 7);
  std::vector<double> hv(12);
  std::vector<void*> arrays = storage(m);
  arrays[sum] = sv.data();
  arrays[even] = ev.data();
  arrays[half] = hv.data();
  jit.run(0, arrays, 0, 12);
  for (std::uint32_t i = 0; i < 12; ++i) {
    INFO("element " << i);
    CHECK(sv[i] == (i == 0 ? 0 : i * (i - 1) / 2));
    CHECK(ev[i] == (i % 2 == 0 ? 1 : 0));
    CHECK(hv[i] == i / 2.0);
  }
}

TEST_CASE("random draws are the device library's, bit for bit", "[codegen][kernels][random]") {
  ir::Module m = one_population(64);
  const ir::ArrayId u = add_array(m, "pop.u", GENNC_F64);
  const ir::ArrayId g = add_array(m, "pop.g", GENNC_F64);
  const ir::ArrayId p = add_array(m, "pop.p", GENNC_F64);
  const ir::ArrayId s = add_array(m, "pop.s", GENNC_F64);
  ir::Kernel& k = add_kernel(m, "pop.draw");
  auto step = [] { return ir::input(ir::Input::Step); };
  const std::uint32_t su = m.new_stream(), sg = m.new_stream(), sp = m.new_stream(), ss = m.new_stream();
  k.body.push_back(ir::store(u, index(), ir::random(ir::Distribution::Uniform, su, step(), index(), u32(0),
                                                    exprs(ir::fconst(ir::Type::F64, -2), ir::fconst(ir::Type::F64, 3)))));
  k.body.push_back(ir::store(g, index(), ir::random(ir::Distribution::Normal, sg, step(), index(), u32(1),
                                                    exprs(ir::fconst(ir::Type::F64, 1), ir::fconst(ir::Type::F64, 0.5)))));
  k.body.push_back(ir::store(p, index(), ir::random(ir::Distribution::Poisson, sp, step(), index(), u32(2),
                                                    exprs(ir::fconst(ir::Type::F64, 25)))));
  k.body.push_back(ir::store(s, index(), ir::random(ir::Distribution::NormalSingle, ss, step(), index(), u32(3),
                                                    exprs(ir::fconst(ir::Type::F64, 1), ir::fconst(ir::Type::F64, 0.5)))));
  const JitModel jit(m);

  std::vector<double> uv(64), gv(64), pv(64), sv(64);
  std::vector<void*> arrays = storage(m);
  arrays[u] = uv.data();
  arrays[g] = gv.data();
  arrays[p] = pv.data();
  arrays[s] = sv.data();
  const std::uint64_t seed = 987654321, at_step = 17;
  jit.run(0, arrays, 0, 64, at_step, seed);
  for (std::uint32_t i = 0; i < 64; ++i) {
    INFO("element " << i);
    CHECK(uv[i] == gennc_rng_uniform(seed, su, at_step, i, 0, -2, 3));
    CHECK(gv[i] == gennc_rng_normal(seed, sg, at_step, i, 1, 1, 0.5));
    CHECK(pv[i] == gennc_rng_poisson(seed, sp, at_step, i, 2, 25));
    CHECK(sv[i] == gennc_rng_normal_single(seed, ss, at_step, i, 3, 1.0f, 0.5f));
  }
}

namespace {

// v[i] = v[i] * 0.9 + drive[i]; if (v[i] >= 1) { emit_spike(i); v[i] = 0 }, spikes through
// `emits` EmitSpike statements (1: buffered per block; 2: the same population from both
// branches of an if, appended one atomic at a time).
ir::Module threshold_kernel(std::uint32_t size, int emits) {
  ir::Module m = one_population(size);
  const ir::ArrayId v = add_array(m, "pop.v", GENNC_F32);
  const ir::ArrayId drive = add_array(m, "pop.drive", GENNC_F32);
  ir::Kernel& k = add_kernel(m, "pop.update");
  const ir::LocalId x = k.add_local("v", ir::Type::F32);
  k.body.push_back(ir::let(x, ir::binary(ir::BinaryOp::Add,
                                         ir::binary(ir::BinaryOp::Mul, ir::load(v, ir::Type::F32, index()), f32(0.9)),
                                         ir::load(drive, ir::Type::F32, index()))));
  auto crossed = [&] { return ir::binary(ir::BinaryOp::Ge, ir::local(x, ir::Type::F32), f32(1)); };
  ir::Block reset;
  reset.push_back(ir::emit_spike(0, index()));
  reset.push_back(ir::assign(x, f32(0)));
  if (emits == 1) {
    k.body.push_back(ir::if_(crossed(), std::move(reset)));
  } else {
    ir::Block other;
    other.push_back(ir::emit_spike(0, index()));
    other.push_back(ir::assign(x, f32(0)));
    k.body.push_back(ir::if_(crossed(), std::move(reset),
                             [&] {
                               ir::Block b;
                               b.push_back(ir::if_(ir::binary(ir::BinaryOp::Lt, ir::local(x, ir::Type::F32), f32(-5)),
                                                   std::move(other)));
                               return b;
                             }()));
  }
  k.body.push_back(ir::store(v, index(), ir::local(x, ir::Type::F32)));
  return m;
}

}  // namespace

TEST_CASE("spikes of a long range are appended in order across buffered blocks", "[codegen][kernels][spikes]") {
  const int emits = GENERATE(1, 2);
  const int opt_level = GENERATE(0, 2);
  INFO(emits << " emit statement(s), -O" << opt_level);
  const std::uint32_t n = 1000;
  ir::Module m = threshold_kernel(n, emits);
  const JitModel jit(m, opt_level);

  std::vector<float> v(n, 0.0f), drive(n, 0.0f);
  for (std::uint32_t i = 0; i < n; ++i) drive[i] = i % 7 == 3 ? 2.0f : 0.5f;
  std::uint32_t count = 2;  // spikes already appended by another range
  std::vector<std::uint32_t> list(n, UINT32_MAX);
  std::vector<void*> arrays = storage(m);
  arrays[3] = v.data();
  arrays[4] = drive.data();
  arrays[m.populations[0].spike_count_array] = &count;
  arrays[m.populations[0].spike_list_array] = list.data();
  jit.run(0, arrays, 5, 995);

  std::vector<std::uint32_t> expected;
  for (std::uint32_t i = 5; i < 995; ++i)
    if (i % 7 == 3) expected.push_back(i);
  REQUIRE(count == 2 + expected.size());
  CHECK(std::vector<std::uint32_t>(list.begin() + 2, list.begin() + count) == expected);
  CHECK(list[0] == UINT32_MAX);
  CHECK(list[count] == UINT32_MAX);
  for (std::uint32_t i = 0; i < n; ++i) {
    INFO("element " << i);
    CHECK(v[i] == (i % 7 == 3 || i < 5 || i >= 995 ? 0.0f : 0.5f));
  }
}

TEST_CASE("a neuron update with a threshold is vectorised at -O2", "[codegen][kernels][spikes]") {
  const JitModel jit(threshold_kernel(100, 1), 2);
  CHECK(jit.optimized_ir().find("<4 x float>") != std::string::npos);
}
