// Bounded input from regular files only, and file output that never leaves a half-written file looking whole: everything is written
// to a temporary name and renamed into place once complete and flushed to disk.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "status.h"

namespace gennc::runtime {

// Reads a whole regular file of at most `largest` bytes into *bytes. Anything else (a
// folder, a FIFO that would block, a device such as /dev/zero that never ends) is refused
// before a byte is read: the file is opened without blocking and checked with fstat.
// Messages name the file as `what` 'path' ("connection file '/x/c.txt'").
Status read_regular_file(const std::string& what, const std::string& path, uint64_t largest, std::string* bytes);

// Writes `bytes` to `path` in full (no rename), flushing it to disk.
Status write_file(const std::string& path, const std::string& bytes);

// Flushes a folder's entries (renames into it) to disk; best effort.
void sync_folder(const std::string& folder);

// Writes `bytes` to a temporary file beside `path`, then renames it over `path`.
Status write_file_atomically(const std::string& path, const std::string& bytes);

// A NumPy .npy (format 1.0) image: little-endian `descr` ("<f8", "<f4", "<i8"), C order.
std::string npy_image(const std::string& descr, const std::vector<uint64_t>& shape, const void* data,
                      size_t bytes);

}  // namespace gennc::runtime
