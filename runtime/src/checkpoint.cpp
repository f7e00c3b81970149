// Checkpoints: the whole state of a simulation in one binary file.
//
//   "GENNCCKP" u32 format-version  string network  u64 seed  u64 step
//   u32 array-count, then per array: string name  u32 dtype  u64 length  bytes
//   u8 snapshot-valid, then per array: u64 length  bytes   (the reset snapshot)
//
// Strings are u32 length + bytes; integers little-endian. Every array is saved, so the
// file restores connectivity (including from files or other seeds) as well as state.
#include <cstring>
#include <fstream>
#include <iterator>

#include "files.h"
#include "positions.h"
#include "simulation.h"

namespace gennc::runtime {
namespace {

constexpr char kMagic[8] = {'G', 'E', 'N', 'N', 'C', 'C', 'K', 'P'};
constexpr uint32_t kFormatVersion = 1;

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
  explicit Reader(const std::string& bytes) : in_(bytes) {}
  template <typename T>
  bool get(T* value) {
    if (in_.size() - at_ < sizeof(T)) return false;
    std::memcpy(value, in_.data() + at_, sizeof(T));
    at_ += sizeof(T);
    return true;
  }
  bool get_string(std::string* s) {
    uint32_t n;
    if (!get(&n) || in_.size() - at_ < n) return false;
    s->assign(in_.data() + at_, n);
    at_ += n;
    return true;
  }
  bool get_buffer(GenncDType dtype, Buffer* b) {
    uint64_t n;
    if (!get(&n) || n > (in_.size() - at_) / dtype_size(dtype)) return false;
    *b = Buffer(dtype, n);
    if (b->bytes()) std::memcpy(b->data(), in_.data() + at_, b->bytes());
    at_ += b->bytes();
    return true;
  }
  bool at_end() const { return at_ == in_.size(); }

 private:
  const std::string& in_;
  size_t at_ = 0;
};

}  // namespace

Status Simulation::save_checkpoint(const std::string& path) const {
  GENNC_TRY(host_view());
  Writer w;
  w.bytes().append(kMagic, sizeof kMagic);
  w.put<uint32_t>(kFormatVersion);
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
  Status status = write_file_atomically(path, w.bytes());
  if (!status.ok()) return {status.code(), "cannot save checkpoint: " + status.message()};
  return ok();
}

Status Simulation::load_checkpoint(const std::string& path) {
  GENNC_TRY(host_edit());
  std::ifstream in(path, std::ios::binary);
  if (!in) return io_error("cannot open checkpoint '" + path + "': " + std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return io_error("cannot read checkpoint '" + path + "'");
  auto bad = [&](const std::string& why) { return model_error("checkpoint '" + path + "': " + why); };
  if (bytes.size() < sizeof kMagic || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    return bad("not a gennc checkpoint");
  Reader r(bytes);
  char magic[8];
  for (char& c : magic) r.get(&c);
  uint32_t version = 0, count = 0;
  std::string network;
  uint64_t seed = 0, step = 0;
  if (!r.get(&version) || version != kFormatVersion) return bad("unsupported format version");
  if (!r.get_string(&network) || !r.get(&seed) || !r.get(&step) || !r.get(&count)) return bad("truncated");
  if (network != (model_.network_name ? model_.network_name : ""))
    return bad("written for network '" + network + "', not this one");
  if (count != model_.array_count) return bad("written for a model with a different array table");

  // Everything is read and checked before the simulation is touched.
  std::vector<Buffer> arrays(count);
  for (uint32_t a = 0; a < count; ++a) {
    std::string name;
    uint32_t dtype = 0;
    if (!r.get_string(&name) || !r.get(&dtype)) return bad("truncated");
    const GenncArrayInfo& info = model_.arrays[a];
    if (name != info.name || dtype != static_cast<uint32_t>(info.dtype))
      return bad("array " + std::to_string(a) + " is '" + name + "', the model has '" + info.name + "'");
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
  if (std::string why = ring_problem(arrays); !why.empty()) return bad(why);

  // Positions follow the seed (random structures); compute them before committing.
  std::vector<std::vector<double>> positions = positions_;
  if (seed != seed_)
    for (uint32_t p = 0; p < model_.population_count; ++p)
      GENNC_TRY(compute_positions(model_.populations[p].structure, model_.populations[p].size, seed,
                                  model_.populations[p].name ? model_.populations[p].name : "?", &positions[p]));

  arrays_ = std::move(arrays);
  positions_ = std::move(positions);
  seed_ = seed;
  snapshot_ = std::move(snapshot);
  snapshot_valid_ = has_snapshot != 0;
  step_ = step;
  refresh_pointers();
  recompute_sizes();
  recorder_.clear();
  return replace_device_copy();
}

}  // namespace gennc::runtime
