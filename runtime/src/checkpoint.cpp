// Checkpoints: the whole state of a simulation in one binary file.
//
//   "GENNCCKP" u32 format-version (2)  u64 body-length
//   body: string network  u64 seed  u64 step
//         u32 array-count, then per array: string name  u32 dtype  u64 length  bytes
//         u8 snapshot-valid, then per array: u64 length  bytes   (the reset snapshot)
//   u32 CRC-32 (IEEE, as zlib's crc32) of every byte before it
//
// Strings are u32 length + bytes; integers little-endian. Every array is saved, so the
// file restores connectivity (including from files or other seeds) as well as state.
// Version 1 files (no body length, no checksum) are still read. Loading checks the
// checksum, then the network and array table, then every structural array
// (NetworkState::structure_problem) before anything is applied.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "files.h"
#include "network_state.h"
#include "positions.h"

namespace gennc::runtime {
namespace {

constexpr char kMagic[8] = {'G', 'E', 'N', 'N', 'C', 'C', 'K', 'P'};
constexpr uint32_t kFormatVersion = 2;
// magic, version, body length before the body; the checksum after it.
constexpr size_t kHeaderBytes = sizeof kMagic + 4 + 8;
constexpr size_t kTrailerBytes = 4;

// CRC-32 (IEEE 802.3, reflected, as zlib's crc32), eight bytes at a time.
class Crc32 {
 public:
  Crc32() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      table_[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i)
      for (size_t t = 1; t < 8; ++t) table_[t][i] = (table_[t - 1][i] >> 8) ^ table_[0][table_[t - 1][i] & 0xFF];
  }
  uint32_t operator()(const char* data, size_t n) const {
    auto p = reinterpret_cast<const unsigned char*>(data);
    uint32_t c = 0xFFFFFFFFu;
    for (; n >= 8; n -= 8, p += 8) {
      uint32_t lo = c ^ (uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24);
      c = table_[7][lo & 0xFF] ^ table_[6][(lo >> 8) & 0xFF] ^ table_[5][(lo >> 16) & 0xFF] ^ table_[4][lo >> 24] ^
          table_[3][p[4]] ^ table_[2][p[5]] ^ table_[1][p[6]] ^ table_[0][p[7]];
    }
    for (; n > 0; --n, ++p) c = table_[0][(c ^ *p) & 0xFF] ^ (c >> 8);
    return c ^ 0xFFFFFFFFu;
  }

 private:
  std::array<std::array<uint32_t, 256>, 8> table_;
};

uint32_t crc32(const std::string& bytes, size_t n) {
  static const Crc32 crc;
  return crc(bytes.data(), n);
}

// A name read from a file, for a message: bytes outside printable ASCII as \xHH, at most
// 80 characters.
std::string printable(const std::string& s) {
  std::string out;
  for (unsigned char c : s.substr(0, 80)) {
    if (c >= 0x20 && c < 0x7F && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02X", c);
      out += hex;
    }
  }
  return s.size() > 80 ? out + "..." : out;
}

// The whole of a regular file; anything else (a FIFO, a device, a folder) is refused
// rather than read without end.
Status read_regular_file(const std::string& path, std::string* bytes) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return io_error("cannot open checkpoint '" + path + "': " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return io_error("cannot read checkpoint '" + path + "': not a regular file");
  }
  bytes->resize(static_cast<size_t>(st.st_size));
  size_t done = 0;
  errno = 0;
  while (done < bytes->size()) {
    ssize_t n = ::read(fd, bytes->data() + done, bytes->size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  int error = errno;
  ::close(fd);
  if (done != bytes->size())
    return io_error("cannot read checkpoint '" + path + "': " +
                    (error != 0 ? std::string(std::strerror(error)) : std::string("it shrank while being read")));
  return ok();
}

class Writer {
 public:
  template <typename T>
  void put(T value) {
    out_.append(reinterpret_cast<const char*>(&value), sizeof value);
  }
  void put_string(const std::string& s) {
    put<uint32_t>(static_cast<uint32_t>(s.size()));
    out_ += s;
  }
  void put_buffer(const Buffer& b) {
    put<uint64_t>(b.length());
    if (b.bytes()) out_.append(static_cast<const char*>(b.data()), b.bytes());
  }
  const std::string& bytes() const { return out_; }
  std::string& bytes() { return out_; }

 private:
  std::string out_;
};

class Reader {
 public:
  // Reads bytes[at, end).
  Reader(const std::string& bytes, size_t at, size_t end) : in_(bytes), at_(at), end_(end) {}
  template <typename T>
  bool get(T* value) {
    if (end_ - at_ < sizeof(T)) return false;
    std::memcpy(value, in_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return true;
  }
  bool get_string(std::string* s) {
    uint32_t n;
    if (!get(&n) || end_ - at_ < n) return false;
    s->assign(in_.data() + at_, n);
    at_ += n;
    return true;
  }
  bool get_buffer(GenncDType dtype, Buffer* b) {
    uint64_t n;
    if (!get(&n) || n > (end_ - at_) / dtype_size(dtype)) return false;
    *b = Buffer(dtype, n);
    if (b->bytes()) std::memcpy(b->data(), in_.data() + at_, b->bytes());
    at_ += b->bytes();
    return true;
  }
  bool at_end() const { return at_ == end_; }

 private:
  const std::string& in_;
  size_t at_;
  size_t end_;
};

}  // namespace

Status NetworkState::save_checkpoint(const std::string& path) const {
  Writer w;
  w.bytes().append(kMagic, sizeof kMagic);
  w.put<uint32_t>(kFormatVersion);
  w.put<uint64_t>(0);  // the body's length, filled in below
  w.put_string(model_.network_name ? model_.network_name : "");
  w.put<uint64_t>(seed_);
  w.put<uint64_t>(step_);
  w.put<uint32_t>(model_.array_count);
  for (uint32_t a = 0; a < model_.array_count; ++a) {
    w.put_string(model_.arrays[a].name);
    w.put<uint32_t>(arrays_[a].dtype());
    w.put_buffer(arrays_[a]);
  }
  w.put<uint8_t>(snapshot_valid_ ? 1 : 0);
  if (snapshot_valid_)
    for (uint32_t a = 0; a < model_.array_count; ++a) w.put_buffer(snapshot_[a]);
  uint64_t body = w.bytes().size() - kHeaderBytes;
  std::memcpy(&w.bytes()[sizeof kMagic + 4], &body, sizeof body);
  w.put<uint32_t>(crc32(w.bytes(), w.bytes().size()));
  Status status = write_file_atomically(path, w.bytes());
  if (!status.ok()) return {status.code(), "cannot save checkpoint: " + status.message()};
  return ok();
}

Status NetworkState::load_checkpoint(const std::string& path) {
  std::string bytes;
  GENNC_TRY(read_regular_file(path, &bytes));
  auto bad = [&](const std::string& why) { return model_error("checkpoint '" + path + "': " + why); };
  if (bytes.size() < sizeof kMagic + 4 || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    return bad("not a gennc checkpoint");
  uint32_t version = 0;
  std::memcpy(&version, bytes.data() + sizeof kMagic, sizeof version);
  size_t begin = sizeof kMagic + 4, end = bytes.size();
  if (version == kFormatVersion) {
    uint64_t body = 0;
    if (bytes.size() < kHeaderBytes + kTrailerBytes) return bad("truncated (" + std::to_string(bytes.size()) + " bytes)");
    std::memcpy(&body, bytes.data() + sizeof kMagic + 4, sizeof body);
    uint64_t expected = bytes.size() - kHeaderBytes - kTrailerBytes;
    if (body > expected)
      return bad("truncated: " + std::to_string(bytes.size()) + " bytes, its header says " +
                 (body > UINT64_MAX - kHeaderBytes - kTrailerBytes ? std::string("more")
                                                                    : std::to_string(body + kHeaderBytes + kTrailerBytes)));
    if (body < expected)
      return bad(std::to_string(expected - body) + " bytes after the end its header gives");
    uint32_t stored = 0;
    std::memcpy(&stored, bytes.data() + bytes.size() - kTrailerBytes, sizeof stored);
    if (stored != crc32(bytes, bytes.size() - kTrailerBytes)) return bad("checksum mismatch: the file is damaged");
    begin = kHeaderBytes;
    end = bytes.size() - kTrailerBytes;
  } else if (version != 1) {
    return bad("unsupported format version " + std::to_string(version) + " (this gennc reads 1 and " +
               std::to_string(kFormatVersion) + ")");
  }
  Reader r(bytes, begin, end);
  uint32_t count = 0;
  std::string network;
  uint64_t seed = 0, step = 0;
  if (!r.get_string(&network) || !r.get(&seed) || !r.get(&step) || !r.get(&count)) return bad("truncated");
  if (network != (model_.network_name ? model_.network_name : ""))
    return bad("written for network '" + printable(network) + "', not this one");
  if (count != model_.array_count) return bad("written for a model with a different array table");

  // Everything is read and checked before the simulation is touched.
  std::vector<Buffer> arrays(count);
  for (uint32_t a = 0; a < count; ++a) {
    std::string name;
    uint32_t dtype = 0;
    if (!r.get_string(&name) || !r.get(&dtype)) return bad("truncated");
    const GenncArrayInfo& info = model_.arrays[a];
    if (name != info.name || dtype != static_cast<uint32_t>(info.dtype))
      return bad("array " + std::to_string(a) + " is '" + printable(name) + "' of dtype " + std::to_string(dtype) +
                 ", the model has '" + info.name + "' of dtype " + std::to_string(info.dtype));
    if (!r.get_buffer(info.dtype, &arrays[a])) return bad("truncated");
    // Only connectivity-dependent lengths may differ (another seed or connection file).
    bool variable = info.scope == GENNC_SCOPE_SYNAPSE || info.scope == GENNC_SCOPE_RING;
    if (!variable && arrays[a].length() != arrays_[a].length())
      return bad("array '" + name + "' has " + std::to_string(arrays[a].length()) + " elements, the model " +
                 std::to_string(arrays_[a].length()));
  }
  uint8_t has_snapshot = 0;
  std::vector<Buffer> snapshot(count);
  if (!r.get(&has_snapshot)) return bad("truncated");
  if (has_snapshot)
    for (uint32_t a = 0; a < count; ++a)
      if (!r.get_buffer(model_.arrays[a].dtype, &snapshot[a])) return bad("truncated");
  if (!r.at_end()) return bad("unexpected data at the end");
  if (std::string why = structure_problem(arrays, has_snapshot ? &snapshot : nullptr, seed); !why.empty())
    return bad(why);

  // Positions follow the seed (random structures); compute them before committing.
  std::vector<std::vector<double>> positions = positions_;
  if (seed != seed_)
    for (uint32_t p = 0; p < model_.population_count; ++p)
      GENNC_TRY(compute_positions(model_.populations[p].structure, model_.populations[p].size, seed,
                                  model_.populations[p].name ? model_.populations[p].name : "?", &positions[p]));

  arrays_ = std::move(arrays);
  // A fault report describes the run that wrote it, not a state to resume from.
  for (uint32_t a = 0; a < model_.array_count; ++a)
    if (model_.arrays[a].flags & GENNC_ARRAY_FAULT) std::memset(arrays_[a].data(), 0, arrays_[a].bytes());
  positions_ = std::move(positions);
  seed_ = seed;
  snapshot_ = std::move(snapshot);
  snapshot_valid_ = has_snapshot != 0;
  step_ = step;
  recompute_sizes();
  // The file holds the whole network; a state holding a share takes it at its next run.
  holds_share_ = false;
  recorder_.clear();
  return ok();
}

}  // namespace gennc::runtime
