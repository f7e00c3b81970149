// The diagnostics sink. Every user-facing message is declared once in diagnostics.def;
// passes call report() and carry on (or return), they never print or throw.
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "diag/source_manager.h"

namespace gennc::diag {

enum class Severity { Note, Warning, Error };

enum class DiagId {
#define DIAG(id, severity, flag, format) id,
#include "diag/diagnostics.def"
#undef DIAG
};

struct DiagInfo {
  Severity severity;
  std::string_view flag;    // the name shown in brackets, e.g. "unit-mismatch"
  std::string_view format;  // fmt format string
};
const DiagInfo& info(DiagId id);

// One emitted message, kept so that tests and --verify-diagnostics can inspect it.
struct Diagnostic {
  DiagId id;
  Severity severity;
  SourceRange range;                 // primary location (may be invalid: no location)
  std::vector<SourceRange> extra;    // further ranges to underline
  std::string message;
  std::vector<Diagnostic> notes;     // attached notes (Severity::Note)
};

class Diagnostics;

// Returned by Diagnostics::report; lets the caller attach notes and extra ranges. The
// diagnostic is committed (printed) when the builder goes out of scope.
class DiagBuilder {
 public:
  DiagBuilder(Diagnostics* sink, Diagnostic diag) : sink_(sink), diag_(std::move(diag)) {}
  DiagBuilder(DiagBuilder&& other) noexcept;
  DiagBuilder(const DiagBuilder&) = delete;
  ~DiagBuilder();

  DiagBuilder& range(SourceRange extra);
  template <typename... Args>
  DiagBuilder& note(DiagId id, SourceRange where, Args&&... args);

 private:
  Diagnostics* sink_;
  Diagnostic diag_;
};

class Diagnostics {
 public:
  // Prints to `out` as diagnostics are committed unless `out` is null (tests collect only).
  Diagnostics(const SourceManager& sources, std::ostream* out);

  template <typename... Args>
  DiagBuilder report(DiagId id, SourceRange where, Args&&... args) {
    return DiagBuilder(this, make(id, where, format(id, std::forward<Args>(args)...)));
  }

  std::size_t error_count() const { return errors_; }
  std::size_t warning_count() const { return warnings_; }
  bool has_errors() const { return errors_ != 0; }
  const std::vector<Diagnostic>& all() const { return emitted_; }
  const SourceManager& sources() const { return sources_; }

  // Stop printing after this many errors (0 = no limit); later ones are still counted.
  void set_error_limit(std::size_t limit) { error_limit_ = limit; }
  void set_color(bool on) { color_ = on; }

  template <typename... Args>
  static std::string format(DiagId id, Args&&... args) {
    return fmt::vformat(info(id).format, fmt::make_format_args(args...));
  }
  Diagnostic make(DiagId id, SourceRange where, std::string message) const;

 private:
  friend class DiagBuilder;
  void commit(Diagnostic diag);
  void print(const Diagnostic& diag) const;

  const SourceManager& sources_;
  std::ostream* out_;
  std::vector<Diagnostic> emitted_;
  std::size_t errors_ = 0;
  std::size_t warnings_ = 0;
  std::size_t error_limit_ = 0;
  bool color_ = false;
};

template <typename... Args>
DiagBuilder& DiagBuilder::note(DiagId id, SourceRange where, Args&&... args) {
  diag_.notes.push_back(sink_->make(id, where, Diagnostics::format(id, std::forward<Args>(args)...)));
  return *this;
}

}  // namespace gennc::diag
