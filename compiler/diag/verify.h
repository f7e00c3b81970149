// `gennc --verify-diagnostics FILE`: checks the diagnostics a run emitted against
// expectations written in the file's comments, as clang's -verify does:
//
//   x = a + b  // expected-error {{cannot add}}          on this line, any column
//   // expected-error@+1:9 {{cannot add}}               on the next line, column 9
//   // expected-warning@-2 {{unused}}                   two lines up
//   // expected-note@12 {{declared here}}               on line 12
//   // expected-no-diagnostics                          the file must produce none
//
// Every diagnostic (notes included) must match one expectation (same severity and line,
// same column if one is given, message containing the text) and every expectation must
// match one diagnostic.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "diag/diagnostics.h"

namespace gennc::diag {

struct Expectation {
  Severity severity = Severity::Error;
  std::uint32_t line = 0;                 // 1-based target line
  std::optional<std::uint32_t> column;    // 1-based; any column when absent
  std::string text;                       // must occur in the message
  std::uint32_t written_at = 0;           // line of the comment
};

struct ExpectationSet {
  std::vector<Expectation> expectations;
  bool no_diagnostics = false;            // `expected-no-diagnostics` was written
  std::vector<std::string> problems;      // malformed directives, `line N: what`
};

// Reads the expectations from the comments of a registered file.
ExpectationSet read_expectations(const SourceManager& sources, FileId file);

// Compares; prints every mismatch to `out` and returns true when everything matched.
bool verify(const SourceManager& sources, FileId file, const std::vector<Diagnostic>& emitted, std::ostream& out);

}  // namespace gennc::diag
