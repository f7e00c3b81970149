#include "diag/diagnostics.h"

#include <algorithm>
#include <ostream>

namespace gennc::diag {

namespace {

const DiagInfo kInfos[] = {
#define DIAG(id, severity, flag, format) {Severity::severity, flag, format},
#include "diag/diagnostics.def"
#undef DIAG
};

const char* severity_name(Severity s) {
  switch (s) {
    case Severity::Note: return "note";
    case Severity::Warning: return "warning";
    case Severity::Error: return "error";
  }
  return "error";
}

// ANSI escapes as clang uses them: bold location and message, coloured severity and caret.
constexpr const char* kBold = "\033[1m";
constexpr const char* kReset = "\033[0m";
const char* severity_color(Severity s) {
  switch (s) {
    case Severity::Note: return "\033[1;30m";
    case Severity::Warning: return "\033[1;35m";
    case Severity::Error: return "\033[1;31m";
  }
  return "";
}
constexpr const char* kCaretColor = "\033[1;32m";

// Source lines longer than this are shown as a window around the caret.
constexpr std::size_t kMaxLineShown = 160;

// Marks the bytes of `line` (which starts at `line_start`) that `range` covers; the first
// covered byte of the primary range gets '^'. Returns false if nothing on the line is covered.
bool mark(std::string& marks, std::uint32_t line_start, std::size_t line_length, SourceRange range,
          bool primary) {
  if (!range.valid()) return false;
  std::uint32_t line_end = line_start + static_cast<std::uint32_t>(line_length);
  std::uint32_t begin = std::max(range.begin.offset, line_start);
  std::uint32_t end = std::min(std::max(range.end.offset, range.begin.offset), line_end);
  if (begin > line_end || range.end.offset < line_start) return false;
  if (range.begin.offset < line_start && range.end.offset <= line_start) return false;
  if (marks.size() < line_length + 1) marks.resize(line_length + 1, ' ');
  for (std::uint32_t o = begin; o < end; ++o)
    if (marks[o - line_start] == ' ') marks[o - line_start] = '~';
  if (primary && range.begin.offset >= line_start) marks[range.begin.offset - line_start] = '^';
  return true;
}

}  // namespace

const DiagInfo& info(DiagId id) { return kInfos[static_cast<std::size_t>(id)]; }

DiagBuilder::DiagBuilder(DiagBuilder&& other) noexcept
    : sink_(other.sink_), diag_(std::move(other.diag_)) {
  other.sink_ = nullptr;
}

DiagBuilder::~DiagBuilder() {
  if (sink_) sink_->commit(std::move(diag_));
}

DiagBuilder& DiagBuilder::range(SourceRange extra) {
  diag_.extra.push_back(extra);
  return *this;
}

Diagnostics::Diagnostics(const SourceManager& sources, std::ostream* out) : sources_(sources), out_(out) {}

Diagnostic Diagnostics::make(DiagId id, SourceRange where, std::string message) const {
  Diagnostic d;
  d.id = id;
  d.severity = info(id).severity;
  d.range = where;
  d.message = std::move(message);
  return d;
}

void Diagnostics::commit(Diagnostic diag) {
  bool over_limit = error_limit_ != 0 && errors_ >= error_limit_;
  if (diag.severity == Severity::Error) ++errors_;
  if (diag.severity == Severity::Warning) ++warnings_;
  if (out_ && !over_limit) {
    print(diag);
    if (error_limit_ != 0 && errors_ == error_limit_) {
      if (color_) *out_ << kBold << severity_color(Severity::Error);
      *out_ << "error: ";
      if (color_) *out_ << kReset << kBold;
      *out_ << "too many errors emitted, stopping now";
      if (color_) *out_ << kReset;
      *out_ << '\n';
    }
  }
  emitted_.push_back(std::move(diag));
}

void Diagnostics::print(const Diagnostic& diag) const {
  std::ostream& os = *out_;
  if (color_) os << kBold;
  if (diag.range.valid()) {
    LineCol lc = sources_.line_col(diag.range.begin);
    os << sources_.path(diag.range.begin.file) << ':' << lc.line << ':' << lc.column << ": ";
  } else {
    os << "gennc: ";
  }
  if (color_) os << severity_color(diag.severity);
  os << severity_name(diag.severity) << ": ";
  if (color_) os << kReset << kBold;
  os << diag.message;
  std::string_view flag = info(diag.id).flag;
  if (diag.severity != Severity::Note && !flag.empty()) os << " [" << flag << ']';
  if (color_) os << kReset;
  os << '\n';

  if (diag.range.valid()) {
    FileId file = diag.range.begin.file;
    LineCol lc = sources_.line_col(diag.range.begin);
    std::string_view text = sources_.line_text(file, lc.line);
    std::uint32_t line_start = diag.range.begin.offset - (lc.column - 1);
    std::string marks;
    mark(marks, line_start, text.size(), diag.range, true);
    for (const SourceRange& extra : diag.extra)
      if (extra.valid() && extra.begin.file == file) mark(marks, line_start, text.size(), extra, false);
    marks.resize(std::max(marks.size(), text.size()), ' ');
    // A long line is cut to a window around the caret.
    std::size_t caret = diag.range.begin.offset - line_start;
    std::size_t from = 0, to = text.size();
    if (text.size() > kMaxLineShown) {
      from = caret > kMaxLineShown / 3 ? caret - kMaxLineShown / 3 : 0;
      to = std::min(text.size(), from + kMaxLineShown);
    }
    std::string shown = from > 0 ? "..." : "";
    std::string under = from > 0 ? "   " : "";
    for (std::size_t i = from; i < to; ++i) {
      shown += text[i];
      // One mark per character: UTF-8 continuation bytes take no column, and tabs are
      // copied so that the carets line up under the source as the terminal shows it.
      if ((static_cast<unsigned char>(text[i]) & 0xc0) == 0x80) continue;
      under += marks[i] == ' ' && text[i] == '\t' ? '\t' : marks[i];
    }
    if (caret >= text.size()) under += marks[caret];  // at the end of the line
    if (to < text.size()) shown += "...";
    under.erase(under.find_last_not_of(" \t") + 1);
    os << shown << '\n';
    if (color_) os << kCaretColor;
    os << under;
    if (color_) os << kReset;
    os << '\n';
  }
  for (const Diagnostic& note : diag.notes) print(note);
}

}  // namespace gennc::diag
