// sema's entry point: imports, then models, then networks.
#include "sema/checker.h"

namespace gennc::sema {

std::unique_ptr<Program> check(std::unique_ptr<ast::Module> root, diag::SourceManager& sources,
                               diag::Diagnostics& diags, const CheckOptions& options) {
  auto program = std::make_unique<Program>();
  Context ctx{*program, sources, diags, options, {}, {}, {}, Scope(), {}, {}, {}, {}};
  Symbol& t = ctx.make_symbol(SymbolKind::Time, "t", Type::quantity(Dimension::time()));
  Symbol& dt = ctx.make_symbol(SymbolKind::Dt, "dt", Type::quantity(Dimension::time()));
  ctx.builtins.declare(&t);
  ctx.builtins.declare(&dt);
  load_imports(ctx, std::move(root));
  check_models(ctx);
  check_networks(ctx);
  return program;
}

}  // namespace gennc::sema
