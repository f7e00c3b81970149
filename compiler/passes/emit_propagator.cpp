#include "passes/emit_propagator.h"

#include <fmt/format.h>

#include "passes/local_builder.h"
#include "passes/propagator.h"

namespace gennc::passes {

using namespace ir;

namespace {

class PropagatorEmitter : private LocalBuilder {
 public:
  PropagatorEmitter(Kernel& k, SourceRange r) : LocalBuilder(k, r) {}

  static ExprPtr sum(ExprPtr a, ExprPtr b) {
    if (!a) return b;
    if (!b) return a;
    return binary(BinaryOp::Add, std::move(a), std::move(b));
  }

  // x y, skipping structural zeros, into new locals of `into`.
  LocalMatrix product(Block& into, const LocalMatrix& x, const LocalMatrix& y, const char* tag) {
    const std::size_t n = x.size();
    LocalMatrix p(n, std::vector<LocalId>(n, kNone));
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        ExprPtr v;
        for (std::size_t q = 0; q < n; ++q)
          if (x[i][q] != kNone && y[q][j] != kNone)
            v = sum(std::move(v), binary(BinaryOp::Mul, get(x[i][q]), get(y[q][j])));
        if (v) p[i][j] = declare(into, fmt::format("{}.{}.{}", tag, i, j), std::move(v));
      }
    return p;
  }

  void emit(Block& out, const LocalMatrix& a, LocalId scaled_h, ExprPtr doublings, const LocalMatrix& e,
            const LocalMatrix& phi) {
    const std::size_t n = a.size();
    LocalMatrix mm(n, std::vector<LocalId>(n, kNone)), s = mm;
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        if (a[i][j] != kNone)
          mm[i][j] = declare(out, fmt::format("M.{}.{}", i, j), binary(BinaryOp::Mul, get(a[i][j]), get(scaled_h)));
        if (e[i][j] != kNone) s[i][j] = declare(out, fmt::format("S.{}.{}", i, j), fconst(Type::F64, i == j ? 1.0 : 0.0));
      }
    // Horner: for k = K..1, S = I + M S / (k + 1).
    LocalId term = k_.add_local("horner", Type::U32);
    Block horner;
    LocalMatrix ms = product(horner, mm, s, "MS");
    ExprPtr divisor = binary(BinaryOp::Sub, fconst(Type::F64, kSeriesOrder + 1.0), cast(Type::F64, local(term, Type::U32)));
    LocalId r = declare(horner, "horner.reciprocal", binary(BinaryOp::Div, fconst(Type::F64, 1.0), std::move(divisor)));
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        if (s[i][j] == kNone) continue;
        ExprPtr v = ms[i][j] == kNone ? nullptr : binary(BinaryOp::Mul, get(ms[i][j]), get(r));
        if (i == j) v = sum(fconst(Type::F64, 1.0), std::move(v));
        set(horner, s[i][j], v ? std::move(v) : fconst(Type::F64, 0.0));
      }
    out.push_back(for_(term, iconst(Type::U32, 0), iconst(Type::U32, kSeriesOrder), std::move(horner), r_));
    LocalMatrix ems = product(out, mm, s, "MS");
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        if (e[i][j] == kNone) continue;
        set(out, e[i][j], ems[i][j] == kNone ? fconst(Type::F64, 0.0) : get(ems[i][j]));
        set(out, phi[i][j], binary(BinaryOp::Mul, get(scaled_h), get(s[i][j])));
      }
    // Doublings: Phi(2h) = 2 Phi + E Phi, E(2h) = 2 E + E E.
    LocalId q = k_.add_local("doubling", Type::U32);
    Block doubling;
    LocalMatrix ephi = product(doubling, e, phi, "EPhi");
    LocalMatrix ee = product(doubling, e, e, "EE");
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        if (e[i][j] == kNone) continue;
        set(doubling, phi[i][j],
            sum(binary(BinaryOp::Mul, fconst(Type::F64, 2.0), get(phi[i][j])), ephi[i][j] == kNone ? nullptr : get(ephi[i][j])));
        set(doubling, e[i][j],
            sum(binary(BinaryOp::Mul, fconst(Type::F64, 2.0), get(e[i][j])), ee[i][j] == kNone ? nullptr : get(ee[i][j])));
      }
    out.push_back(for_(q, iconst(Type::U32, 0), std::move(doublings), std::move(doubling), r_));
  }

};

}  // namespace

void emit_propagator(Kernel& k, Block& out, const LocalMatrix& a, LocalId scaled_h, ExprPtr doublings,
                     const LocalMatrix& e, const LocalMatrix& phi, SourceRange range) {
  PropagatorEmitter(k, range).emit(out, a, scaled_h, std::move(doublings), e, phi);
}

}  // namespace gennc::passes
