#include "diag/verify.h"

#include <fmt/format.h>

#include <cctype>
#include <ostream>

namespace gennc::diag {

namespace {

const char* severity_word(Severity s) {
  switch (s) {
    case Severity::Note: return "note";
    case Severity::Warning: return "warning";
    case Severity::Error: return "error";
  }
  return "error";
}

// Reads an unsigned decimal number at `s[i]`, advancing `i`.
std::optional<std::uint32_t> read_number(std::string_view s, std::size_t& i) {
  std::size_t begin = i;
  std::uint64_t v = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && v < 0xffffffffu) v = v * 10 + (s[i++] - '0');
  if (i == begin || v > 0xffffffffu) return std::nullopt;
  return static_cast<std::uint32_t>(v);
}

// Parses one directive after `expected-`, `s` holding the rest of the comment line.
// Returns the problem, if any.
std::optional<std::string> parse_directive(std::string_view s, std::uint32_t line, ExpectationSet& set) {
  Expectation e;
  e.written_at = line;
  e.line = line;
  std::size_t i = 0;
  auto starts = [&](std::string_view word) { return s.substr(i, word.size()) == word; };
  if (starts("no-diagnostics")) {
    set.no_diagnostics = true;
    return std::nullopt;
  }
  if (starts("error")) {
    e.severity = Severity::Error;
    i += 5;
  } else if (starts("warning")) {
    e.severity = Severity::Warning;
    i += 7;
  } else if (starts("note")) {
    e.severity = Severity::Note;
    i += 4;
  } else {
    return std::string("unknown directive 'expected-") + std::string(s.substr(0, s.find_first_of(" @{"))) + "'";
  }
  if (i < s.size() && s[i] == '@') {
    ++i;
    char sign = i < s.size() && (s[i] == '+' || s[i] == '-') ? s[i++] : 0;
    auto n = read_number(s, i);
    if (!n) return std::string("expected a line after '@'");
    if (sign == '+') e.line = line + *n;
    else if (sign == '-') e.line = *n < line ? line - *n : 0;
    else e.line = *n;
    if (e.line == 0) return std::string("the line offset points before the first line");
    if (i < s.size() && s[i] == ':') {
      ++i;
      auto col = read_number(s, i);
      if (!col || *col == 0) return std::string("expected a column after ':'");
      e.column = *col;
    }
  }
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
  if (!starts("{{")) return std::string("expected '{{' after the directive");
  std::size_t close = s.find("}}", i + 2);
  if (close == std::string_view::npos) return std::string("missing '}}'");
  e.text = std::string(s.substr(i + 2, close - i - 2));
  set.expectations.push_back(std::move(e));
  return std::nullopt;
}

bool matches(const Expectation& e, const Diagnostic& d, const SourceManager& sources, FileId file) {
  if (e.severity != d.severity || !d.range.valid() || d.range.begin.file != file) return false;
  LineCol lc = sources.line_col(d.range.begin);
  return lc.line == e.line && (!e.column || *e.column == lc.column) &&
         d.message.find(e.text) != std::string::npos;
}

}  // namespace

ExpectationSet read_expectations(const SourceManager& sources, FileId file) {
  ExpectationSet set;
  std::string_view text = sources.contents(file);
  // Directives live in `//` comments; a comment may hold several.
  for (std::size_t at = text.find("expected-"); at != std::string_view::npos; at = text.find("expected-", at + 1)) {
    LineCol lc = sources.line_col({file, static_cast<std::uint32_t>(at)});
    std::string_view line = sources.line_text(file, lc.line);
    std::size_t column = lc.column - 1;
    std::size_t comment = line.find("//");
    if (comment == std::string_view::npos || comment > column) continue;
    if (auto problem = parse_directive(line.substr(column + 9), lc.line, set))
      set.problems.push_back(fmt::format("line {}: {}", lc.line, *problem));
  }
  return set;
}

bool verify(const SourceManager& sources, FileId file, const std::vector<Diagnostic>& emitted, std::ostream& out) {
  ExpectationSet set = read_expectations(sources, file);
  const std::string& path = sources.path(file);
  bool ok = true;
  for (const std::string& p : set.problems) {
    out << path << ": error: malformed expectation, " << p << '\n';
    ok = false;
  }
  if (set.expectations.empty() && !set.no_diagnostics && set.problems.empty()) {
    out << path << ": error: no expected-* directives found (write 'expected-no-diagnostics' if none are expected)\n";
    ok = false;
  }

  // Notes count like any other diagnostic.
  std::vector<const Diagnostic*> all;
  for (const Diagnostic& d : emitted) {
    all.push_back(&d);
    for (const Diagnostic& n : d.notes) all.push_back(&n);
  }
  std::vector<bool> used(set.expectations.size(), false);
  std::vector<const Diagnostic*> unexpected;
  for (const Diagnostic* d : all) {
    bool found = false;
    for (std::size_t i = 0; i < set.expectations.size() && !found; ++i) {
      if (!used[i] && matches(set.expectations[i], *d, sources, file)) used[i] = found = true;
    }
    if (!found) unexpected.push_back(d);
  }

  for (const Diagnostic* d : unexpected) {
    ok = false;
    out << "seen but not expected: ";
    if (d->range.valid()) {
      LineCol lc = sources.line_col(d->range.begin);
      out << sources.path(d->range.begin.file) << ':' << lc.line << ':' << lc.column << ": ";
    }
    out << severity_word(d->severity) << ": " << d->message << '\n';
  }
  for (std::size_t i = 0; i < set.expectations.size(); ++i) {
    if (used[i]) continue;
    ok = false;
    const Expectation& e = set.expectations[i];
    out << "expected but not seen: " << path << ':' << e.line;
    if (e.column) out << ':' << *e.column;
    out << ": " << severity_word(e.severity) << ": {{" << e.text << "}} (written on line " << e.written_at << ")\n";
  }
  return ok;
}

}  // namespace gennc::diag
