// The IR's builders, folder, printer and verifier.
#include <catch2/catch.hpp>

#include <string>

#include "ir/fold.h"
#include "ir/ir.h"
#include "ir/printer.h"
#include "ir/verifier.h"

using namespace gennc::ir;

namespace {

ExprPtr f32(double v) { return fconst(Type::F32, v); }
ExprPtr args(ExprPtr a) {
  std::vector<ExprPtr> v;
  v.push_back(std::move(a));
  return call(MathFn::Exp, std::move(v));
}

// One population of 4 neurons with a state array, and an update kernel that reads it.
Module small_module() {
  Module m;
  m.network_name = "small";
  m.real = Type::F32;
  Array v;
  v.name = "p.v";
  v.unit = "mV";
  v.flags = GENNC_ARRAY_STATE;
  v.init.kind = GENNC_INIT_CONSTANT;
  v.init.params[0] = -65;
  ArrayId va = m.add_array(v);
  Array count;
  count.name = "p.spike_count";
  count.dtype = GENNC_U32;
  count.scope = GENNC_SCOPE_SCALAR;
  Array list = count;
  list.name = "p.spike_list";
  list.scope = GENNC_SCOPE_NEURON;
  Array depth = count;
  depth.name = "p.ring_depth";
  Population p;
  p.name = "p";
  p.model = "M";
  p.size = 4;
  p.spike_count_array = m.add_array(count);
  p.spike_list_array = m.add_array(list);
  p.ring_depth_array = m.add_array(depth);
  m.populations.push_back(p);
  Kernel k;
  k.name = "p.update";
  LocalId x = k.add_local("v", Type::F32);
  k.body.push_back(let(x, load(va, Type::F32, input(Input::Index))));
  k.body.push_back(assign(x, binary(BinaryOp::Mul, local(x, Type::F32), f32(0.5))));
  Block spike;
  spike.push_back(emit_spike(0, input(Input::Index)));
  k.body.push_back(if_(binary(BinaryOp::Ge, local(x, Type::F32), f32(-50)), std::move(spike)));
  k.body.push_back(store(va, input(Input::Index), local(x, Type::F32)));
  m.kernels.push_back(std::move(k));
  m.step_schedule.push_back(0);
  m.stage = Stage::Lowered;
  return m;
}

}  // namespace

TEST_CASE("the printer shows arrays, populations and kernels in a stable form", "[ir][printer]") {
  Module m = small_module();
  std::string text = print(m);
  CHECK(text.find("module small dt=0.1 duration=0 seed=0 real=f32 stage=lowered\n") == 0);
  CHECK(text.find("array 0 p.v f32 neuron(0) \"mV\" [state] = -65\n") != std::string::npos);
  CHECK(text.find("population 0 p = M(4) spikes @p.spike_count @p.spike_list ring_depth @p.ring_depth\n") !=
        std::string::npos);
  CHECK(text.find("kernel 0 p.update neuron(0) {\n"
                  "  let %v: f32 = @p.v[index]\n"
                  "  %v = (%v * 0.5)\n"
                  "  if (%v >= -50) {\n"
                  "    emit_spike p[index]\n"
                  "  }\n"
                  "  store @p.v[index] = %v\n"
                  "}\n") != std::string::npos);
  CHECK(print(m) == text);
}

TEST_CASE("the verifier accepts a well-formed module and names each problem", "[ir][verifier]") {
  CHECK(verify(small_module()).empty());
  struct Case {
    const char* what;
    void (*mutate)(Module&);
  };
  const Case cases[] = {
      {"operands of add disagree", [](Module& m) {
         m.kernels[0].body[1]->value = binary(BinaryOp::Add, local(0, Type::F32), fconst(Type::F64, 1));
       }},
      {"load from missing array", [](Module& m) { m.kernels[0].body[0]->value->array = 99; }},
      {"use of undeclared local", [](Module& m) { m.kernels[0].body.erase(m.kernels[0].body.begin()); }},
      {"store index has type f32", [](Module& m) { m.kernels[0].body[3]->index = f32(1); }},
      {"integrate statement after solve_odes", [](Module& m) {
         auto s = std::make_unique<Stmt>();
         s->kind = StmtKind::Integrate;
         m.kernels[0].body.push_back(std::move(s));
       }},
      {"if condition has type f32", [](Module& m) { m.kernels[0].body[2]->cond = f32(1); }},
      {"used at two draw sites", [](Module& m) {
         m.next_stream = 2;
         for (int i = 0; i < 2; ++i) {
           std::vector<ExprPtr> p;
           p.push_back(fconst(Type::F64, 0));
           p.push_back(fconst(Type::F64, 1));
           m.kernels[0].body.push_back(store(0, input(Input::Index),
                                             cast(Type::F32, random(Distribution::Uniform, 1, input(Input::Step),
                                                                    input(Input::Index), iconst(Type::U32, 0),
                                                                    std::move(p)))));
         }
       }},
      {"is a derived kernel", [](Module& m) { m.kernels[0].kind = GENNC_KERNEL_DERIVED; }},
  };
  for (const Case& c : cases) {
    Module m = small_module();
    c.mutate(m);
    auto problems = verify(m);
    INFO(c.what);
    REQUIRE(!problems.empty());
    bool found = false;
    for (const auto& p : problems) found = found || p.find(c.what) != std::string::npos;
    INFO(problems.front());
    CHECK(found);
  }
}

TEST_CASE("folding computes in the value's type and keeps only exact identities", "[ir][fold]") {
  // f32 arithmetic is rounded to float once per operation.
  ExprPtr third = fold(binary(BinaryOp::Div, f32(1), f32(3)));
  REQUIRE(is_const(*third));
  CHECK(third->number == static_cast<double>(1.0f / 3.0f));
  ExprPtr e = fold(args(f32(0)));
  CHECK(const_value(*e) == 1.0);
  // x * 1 -> x, x + 0 -> x; 0 + x stays for floats (-0 + 0 is +0).
  ExprPtr x = local(0, Type::F32);
  CHECK(fold(binary(BinaryOp::Mul, clone(*x), f32(1)))->kind == ExprKind::Local);
  CHECK(fold(binary(BinaryOp::Add, clone(*x), f32(0)))->kind == ExprKind::Local);
  CHECK(fold(binary(BinaryOp::Add, f32(0), clone(*x)))->kind == ExprKind::Binary);
  // select with a constant condition, integer wrap-around, casts.
  CHECK(fold(select(bconst(false), f32(1), clone(*x)))->kind == ExprKind::Local);
  CHECK(fold(binary(BinaryOp::Add, iconst(Type::U32, 0xFFFFFFFF), iconst(Type::U32, 2)))->integer == 1);
  CHECK(fold(cast(Type::I32, f32(-2.7)))->integer == -2);
  CHECK(fold(binary(BinaryOp::Lt, iconst(Type::I32, -1), iconst(Type::I32, 0)))->integer == 1);
  // Division by an integer zero is left for the target.
  CHECK(fold(binary(BinaryOp::Div, iconst(Type::I32, 1), iconst(Type::I32, 0)))->kind == ExprKind::Binary);
}
