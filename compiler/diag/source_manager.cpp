#include "diag/source_manager.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>

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

namespace {

// Source text is addressed by 32-bit offsets (SourceLoc); a model is far smaller than this.
constexpr off_t kLargestSource = off_t{64} << 20;

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "something else";
}

// Reads a regular file whole. Opened without blocking and checked with fstat before a
// byte is read, so a FIFO, a device that never ends (/dev/zero) or a folder is refused.
bool read_regular_file(const std::string& path, std::string* text, std::string* error) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    *error = std::strerror(errno);
    return false;
  }
  struct stat info {};
  bool readable = false;
  if (::fstat(fd, &info) != 0)
    *error = std::strerror(errno);
  else if (!S_ISREG(info.st_mode))
    *error = std::string("it is ") + kind_of(info.st_mode) + ", not a regular file";
  else if (info.st_size > kLargestSource)
    *error = "it has " + std::to_string(info.st_size) + " bytes; a source file may have at most " +
             std::to_string(kLargestSource);
  else
    readable = true;
  if (readable) {
    // One byte more than fstat gave notices a file that grows while it is read.
    text->assign(static_cast<std::size_t>(info.st_size) + 1, '\0');
    std::size_t got = 0;
    while (got < text->size()) {
      ssize_t n = ::read(fd, text->data() + got, text->size() - got);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        if (n < 0) *error = std::strerror(errno), readable = false;
        break;
      }
      got += static_cast<std::size_t>(n);
    }
    if (readable && got > static_cast<std::size_t>(info.st_size)) *error = "it grew while it was read", readable = false;
    text->resize(got);
  }
  ::close(fd);
  return readable;
}

}  // namespace

std::optional<FileId> SourceManager::load_file(const std::string& path, std::string* error) {
  std::string text, why;
  if (!read_regular_file(path, &text, &why)) {
    if (error) *error = why;
    return std::nullopt;
  }
  return add_file(path, std::move(text));
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
