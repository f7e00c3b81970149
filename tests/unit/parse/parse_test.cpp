// Table-driven parser tests: each input's AST dump (ranges included) or diagnostics.
#include <catch2/catch.hpp>

#include <sstream>

#include "ast/printer.h"
#include "parse/parse.h"

using namespace gennc;

namespace {

struct Parsed {
  std::string ast;
  std::string diagnostics;
  std::size_t errors = 0;
};

Parsed run(const std::string& text) {
  diag::SourceManager sm;
  diag::FileId f = sm.add_file("t.gdsl", text);
  std::ostringstream err;
  diag::Diagnostics diags(sm, &err);
  auto module = parse::parse_module(f, diags);
  return {ast::to_text(*module, sm), err.str(), diags.error_count()};
}

struct AstCase {
  const char* name;
  const char* input;
  const char* ast;
};

// Every grammar construct, with the exact dump it must produce.
const AstCase kAstCases[] = {
    {"imports", "import pynn\nimport \"lib/a.gdsl\";",
     "Module t.gdsl\n"
     "  Import library pynn <1:1-1:12>\n"
     "  Import file \"lib/a.gdsl\" <2:1-2:20>\n"},
    {"declaration sections and types",
     "neuron N {\n"
     "  parameters { cm: nF = 1.0; g: nA/mV; k: 1/ms = 2 / ms; e: ms^-1; n: int = 3; b: bool = true }\n"
     "  state { v: mV = -65 mV }\n"
     "  derived { r: real = 0.5 }\n"
     "  input { i_syn: nA }\n"
     "  parameters { times: ms[] = [1 ms, 2 ms] }\n"
     "}",
     "Module t.gdsl\n"
     "  Neuron N <1:1-7:2>\n"
     "    Parameter cm: nF = Number 1.0 <2:16-2:28>\n"
     "    Parameter g: nA/mV <2:30-2:38>\n"
     "    Parameter k: 1/ms = <2:40-2:56>\n"
     "      Binary / <2:50-2:56>\n"
     "        Number 2 <2:50-2:51>\n"
     "        Name ms <2:54-2:56>\n"
     "    Parameter e: 1/ms <2:58-2:66>\n"
     "    Parameter n: int = Number 3 <2:68-2:78>\n"
     "    Parameter b: bool = Bool true <2:80-2:94>\n"
     "    State v: mV = <3:11-3:25>\n"
     "      Unary - <3:19-3:25>\n"
     "        Quantity 65 mV <3:20-3:25>\n"
     "    Derived r: real = Number 0.5 <4:13-4:26>\n"
     "    Input i_syn: nA <5:11-5:20>\n"
     "    Parameter times: ms[] = <6:16-6:42>\n"
     "      List (2 elements) <6:30-6:42>\n"
     "        Quantity 1 ms <6:31-6:35>\n"
     "        Quantity 2 ms <6:37-6:41>\n"},
};

}  // namespace

TEST_CASE("every construct parses to its AST", "[parse]") {
  for (const AstCase& c : kAstCases) {
    INFO(c.name);
    Parsed p = run(c.input);
    CHECK(p.diagnostics.empty());
    CHECK(p.ast == c.ast);
  }
}
