// File output that never leaves a half-written file looking whole: everything is written
// to a temporary name and renamed into place once complete and flushed to disk.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "status.h"

namespace gennc::runtime {

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
