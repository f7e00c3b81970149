// Owns the text of every file the compiler reads and maps byte offsets to lines and
// columns. Every AST node and diagnostic refers to source through SourceLoc/SourceRange.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gennc::diag {

using FileId = std::uint32_t;  // 0 means "no file"

struct SourceLoc {
  FileId file = 0;
  std::uint32_t offset = 0;  // byte offset into the file's text
  bool valid() const { return file != 0; }
};

// A half-open byte range [begin, end) inside one file.
struct SourceRange {
  SourceLoc begin;
  SourceLoc end;
  bool valid() const { return begin.valid(); }
  // The smallest range covering both (same file assumed; an invalid side is ignored).
  static SourceRange cover(SourceRange a, SourceRange b);
};

struct LineCol {
  std::uint32_t line = 0;    // 1-based
  std::uint32_t column = 0;  // 1-based, counted in bytes
};

class SourceManager {
 public:
  SourceManager();
  ~SourceManager();
  SourceManager(const SourceManager&) = delete;
  SourceManager& operator=(const SourceManager&) = delete;

  // Registers text under a display path; returns its id (>= 1).
  FileId add_file(std::string path, std::string contents);
  // Reads a regular file of at most 64 MiB from disk (never a FIFO, device or folder); on
  // failure returns nullopt and sets *error to the reason.
  std::optional<FileId> load_file(const std::string& path, std::string* error);

  const std::string& path(FileId file) const;
  // Files registered so far; their ids are 1 .. file_count().
  FileId file_count() const { return static_cast<FileId>(files_.size()); }
  std::string_view contents(FileId file) const;
  LineCol line_col(SourceLoc loc) const;
  // The text of a 1-based line, without its line terminator.
  std::string_view line_text(FileId file, std::uint32_t line) const;
  // The file already registered under this path, if any (imports read each file once).
  std::optional<FileId> find(const std::string& path) const;

 private:
  struct File {
    std::string path;
    std::string contents;
    std::vector<std::uint32_t> line_starts;
  };
  std::vector<std::unique_ptr<File>> files_;  // index = FileId - 1
  const File& file(FileId id) const;
};

}  // namespace gennc::diag
