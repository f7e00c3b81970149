// libFuzzer entry point: arbitrary bytes through the front end in process, as
// `gennc --verify-diagnostics` runs it: parse, check (with the embedded standard library)
// and, when the input is a correct network, lower it to the IR. Malformed input must end
// as diagnostics; a crash, a sanitizer report, a timeout or an out-of-memory is a bug.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "diag/diagnostics.h"
#include "diag/source_manager.h"
#include "lower/lower_program.h"
#include "parse/parse.h"
#include "sema/program.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gennc;
  diag::SourceManager sources;
  diag::FileId file = sources.add_file("fuzz.gdsl", std::string(reinterpret_cast<const char*>(data), size));
  diag::Diagnostics diags(sources, nullptr);
  std::unique_ptr<ast::Module> module = parse::parse_module(file, diags);
  std::unique_ptr<sema::Program> program = sema::check(std::move(module), sources, diags, {});
  if (diags.has_errors() || program->networks.empty()) return 0;
  lower::lower_program(*program, *program->networks.front(), sources, {});
  return 0;
}
