#include "compile_ir.h"

#include <stdexcept>

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

std::unique_ptr<Compiled> compile_module(const std::string& source, const CompileSettings& settings) {
  auto c = compile_ir(source, settings);
  if (!c->module) throw std::logic_error("the source did not compile:\n" + c->messages.str());
  return c;
}

bool has_array(const ir::Module& m, const std::string& name) {
  for (const ir::Array& a : m.arrays)
    if (a.name == name) return true;
  return false;
}

ir::ArrayId array(const ir::Module& m, const std::string& name) {
  for (ir::ArrayId a = 0; a < m.arrays.size(); ++a)
    if (m.arrays[a].name == name) return a;
  throw std::logic_error("no array " + name);
}

const ir::Kernel& kernel(const ir::Module& m, const std::string& name) {
  for (const ir::Kernel& k : m.kernels)
    if (k.name == name) return k;
  throw std::logic_error("no kernel " + name);
}

ir::Kernel& kernel(ir::Module& m, const std::string& name) {
  return const_cast<ir::Kernel&>(kernel(static_cast<const ir::Module&>(m), name));
}

}  // namespace gennc::testing
