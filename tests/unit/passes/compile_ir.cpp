#include "compile_ir.h"

#include "lower/lower_program.h"
#include "parse/parse.h"
#include "passes/pipeline.h"

namespace gennc::testing {

std::unique_ptr<Compiled> compile_ir(const std::string& source, const CompileSettings& settings) {
  auto c = std::make_unique<Compiled>();
  c->sources = std::make_unique<diag::SourceManager>();
  c->diags = std::make_unique<diag::Diagnostics>(*c->sources, &c->messages);
  diag::FileId file = c->sources->add_file("test.gdsl", source);
  auto ast = parse::parse_module(file, *c->diags);
  c->program = sema::check(std::move(ast), *c->sources, *c->diags, {});
  if (c->diags->has_errors() || c->program->networks.empty()) return c;
  lower::LowerOptions lower;
  lower.real = settings.real;
  auto m = lower::lower_program(*c->program, *c->program->networks.front(), *c->sources, lower);
  if (settings.run_passes) {
    passes::PipelineOptions pipeline;
    pipeline.passes = settings.passes;
    if (!passes::run_pipeline(*m, pipeline, *c->diags)) return c;
  }
  c->module = std::move(m);
  return c;
}

}  // namespace gennc::testing
