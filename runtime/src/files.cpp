#include "files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace gennc::runtime {

namespace {

const char* kind_of(mode_t mode) {
  if (S_ISDIR(mode)) return "a folder";
  if (S_ISFIFO(mode)) return "a FIFO";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISSOCK(mode)) return "a socket";
  return "something else";
}

}  // namespace

Status read_regular_file(const std::string& what, const std::string& path, uint64_t largest, std::string* bytes) {
  const std::string named = what + " '" + path + "'";
  int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open " + named + ": " + std::strerror(errno));
  struct stat info {};
  if (::fstat(fd, &info) != 0) {
    std::string reason = std::strerror(errno);
    ::close(fd);
    return io_error("cannot read " + named + ": " + reason);
  }
  if (!S_ISREG(info.st_mode)) {
    ::close(fd);
    return io_error("cannot read " + named + ": it is " + kind_of(info.st_mode) + ", not a regular file");
  }
  if (static_cast<uint64_t>(info.st_size) > largest) {
    ::close(fd);
    return io_error("cannot read " + named + ": it has " + std::to_string(info.st_size) + " bytes, more than the " +
                    std::to_string(largest) + " allowed");
  }
  // The size fstat gave, plus one byte to notice a file that grows while it is read.
  bytes->assign(static_cast<size_t>(info.st_size) + 1, '\0');
  size_t got = 0;
  while (got < bytes->size()) {
    ssize_t n = ::read(fd, bytes->data() + got, bytes->size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      std::string reason = std::strerror(errno);
      ::close(fd);
      return io_error("cannot read " + named + ": " + reason);
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  if (got > static_cast<size_t>(info.st_size))
    return io_error("cannot read " + named + ": it grew while it was read");
  bytes->resize(got);
  return ok();
}

Status write_file(const std::string& path, const std::string& bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return io_error("cannot create '" + path + "': " + std::strerror(errno));
  const char* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      std::string reason = std::strerror(errno);
      ::close(fd);
      return io_error("cannot write '" + path + "': " + reason);
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0)
    return io_error("cannot write '" + path + "': " + std::strerror(errno));
  return ok();
}

void sync_folder(const std::string& folder) {
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

Status write_file_atomically(const std::string& path, const std::string& bytes) {
  std::string temporary = path + ".tmp-" + std::to_string(::getpid());
  Status written = write_file(temporary, bytes);
  if (!written.ok()) {
    ::unlink(temporary.c_str());
    return written;
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    std::string reason = std::strerror(errno);
    ::unlink(temporary.c_str());
    return io_error("cannot write '" + path + "': " + reason);
  }
  return ok();
}

std::string npy_image(const std::string& descr, const std::vector<uint64_t>& shape, const void* data,
                      size_t bytes) {
  std::string dims;
  for (uint64_t d : shape) dims += std::to_string(d) + ",";
  if (shape.size() > 1) dims.pop_back();
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + dims + "), }";
  // Magic (6) + version (2) + length (2) + header + '\n' is padded to a multiple of 64.
  size_t total = 10 + header.size() + 1;
  header.append((64 - total % 64) % 64, ' ');
  header.push_back('\n');
  std::string out = "\x93NUMPY";
  out.push_back('\x01');
  out.push_back('\x00');
  out.push_back(static_cast<char>(header.size() & 0xFF));
  out.push_back(static_cast<char>(header.size() >> 8));
  out += header;
  out.append(static_cast<const char*>(data), bytes);
  return out;
}

}  // namespace gennc::runtime
