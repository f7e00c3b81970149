#include "diag/source_manager.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace gennc::diag {

SourceRange SourceRange::cover(SourceRange a, SourceRange b) {
  if (!a.valid()) return b;
  if (!b.valid()) return a;
  SourceRange r;
  r.begin = a.begin.offset <= b.begin.offset ? a.begin : b.begin;
  r.end = a.end.offset >= b.end.offset ? a.end : b.end;
  return r;
}

SourceManager::SourceManager() = default;
SourceManager::~SourceManager() = default;

FileId SourceManager::add_file(std::string path, std::string contents) {
  auto f = std::make_unique<File>();
  f->path = std::move(path);
  f->contents = std::move(contents);
  // '\n', "\r\n" and a lone '\r' all end a line.
  f->line_starts.push_back(0);
  const std::string& text = f->contents;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    if (text[i] == '\n' || text[i] == '\r') f->line_starts.push_back(static_cast<std::uint32_t>(i + 1));
  }
  files_.push_back(std::move(f));
  return static_cast<FileId>(files_.size());
}

std::optional<FileId> SourceManager::load_file(const std::string& path, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    if (error) *error = std::strerror(errno);
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) {
    if (error) *error = "read error";
    return std::nullopt;
  }
  return add_file(path, text.str());
}

const SourceManager::File& SourceManager::file(FileId id) const { return *files_.at(id - 1); }

const std::string& SourceManager::path(FileId file_id) const { return file(file_id).path; }

std::string_view SourceManager::contents(FileId file_id) const { return file(file_id).contents; }

LineCol SourceManager::line_col(SourceLoc loc) const {
  if (!loc.valid()) return {};
  const File& f = file(loc.file);
  std::uint32_t offset = std::min<std::uint32_t>(loc.offset, static_cast<std::uint32_t>(f.contents.size()));
  auto it = std::upper_bound(f.line_starts.begin(), f.line_starts.end(), offset);
  auto line = static_cast<std::uint32_t>(it - f.line_starts.begin());
  return {line, offset - f.line_starts[line - 1] + 1};
}

std::string_view SourceManager::line_text(FileId file_id, std::uint32_t line) const {
  const File& f = file(file_id);
  if (line == 0 || line > f.line_starts.size()) return {};
  std::string_view text = f.contents;
  std::size_t begin = f.line_starts[line - 1];
  std::size_t end = begin;
  while (end < text.size() && text[end] != '\n' && text[end] != '\r') ++end;
  return text.substr(begin, end - begin);
}

std::optional<FileId> SourceManager::find(const std::string& path) const {
  for (std::size_t i = 0; i < files_.size(); ++i)
    if (files_[i]->path == path) return static_cast<FileId>(i + 1);
  return std::nullopt;
}

}  // namespace gennc::diag
