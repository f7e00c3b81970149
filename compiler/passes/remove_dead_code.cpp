#include "passes/remove_dead_code.h"

#include <set>

namespace gennc::passes {

using namespace ir;

namespace {

std::set<LocalId> read_locals(const Block& body) {
  std::set<LocalId> read;
  for_each_expr(body, [&](const Expr& e) {
    if (e.kind == ExprKind::Local) read.insert(e.local);
  });
  return read;
}

bool prune(Block& b, const std::set<LocalId>& read) {
  bool changed = false;
  Block out;
  for (StmtPtr& s : b) {
    changed = prune(s->body, read) || changed;
    changed = prune(s->otherwise, read) || changed;
    bool dead = ((s->kind == StmtKind::Let || s->kind == StmtKind::Assign) && !read.count(s->local)) ||
                (s->kind == StmtKind::If && s->body.empty() && s->otherwise.empty()) ||
                (s->kind == StmtKind::For && s->body.empty());
    if (dead) {
      changed = true;
      continue;
    }
    out.push_back(std::move(s));
  }
  b = std::move(out);
  return changed;
}

}  // namespace

bool remove_dead_code(Module& m, const Options&, diag::Diagnostics&) {
  bool changed = false;
  for (Kernel& k : m.kernels)
    while (prune(k.body, read_locals(k.body))) changed = true;
  return changed;
}

}  // namespace gennc::passes
