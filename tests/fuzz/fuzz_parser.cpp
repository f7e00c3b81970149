// libFuzzer entry point for the parser alone: arbitrary bytes through ANTLR and the AST
// builder, with no stdlib and no sema, so each run is cheap and the fuzzer's time goes to
// the grammar, error recovery and the AST builder on repaired parse trees. Malformed
// input must end as diagnostics; a crash, a sanitizer report or a timeout is a bug.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "diag/diagnostics.h"
#include "diag/source_manager.h"
#include "parse/parse.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace gennc;
  diag::SourceManager sources;
  diag::FileId file = sources.add_file("fuzz.gdsl", std::string(reinterpret_cast<const char*>(data), size));
  diag::Diagnostics diags(sources, nullptr);
  std::unique_ptr<ast::Module> module = parse::parse_module(file, diags);
  return 0;
}
