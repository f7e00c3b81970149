// libFuzzer entry point for the files the runtime reads: checkpoints (gennc_load_checkpoint)
// of a sparse, a bitmask and a procedural network, and PyNN connection files (from_file,
// read by gennc_create). The first byte of an input chooses what the rest is:
//
//   byte % 4  0 sparse, 1 bitmask, 2 procedural checkpoint; 3 a connection file
//   byte & 4  a checkpoint's header length and CRC are recomputed over the rest (the rest
//             then ends before the checksum), so that mutations reach the checks behind
//             the checksum; without it the bytes are the file as it is
//
// A file the runtime takes is then run for a few steps, so that connectivity it accepted
// is used; a simulation that refused a checkpoint must be unchanged, and one that took a
// checkpoint is restored from the intact one, so that each input starts from the same state.
// GENNC_FUZZ_SEEDS=DIR writes one seed per kind into DIR at start-up.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "gennc/runtime.h"

extern "C" const GenncModel gennc_model_sparse;
extern "C" const GenncModel gennc_model_bitmask;
extern "C" const GenncModel gennc_model_procedural;
extern "C" const GenncModel gennc_model_from_file;

namespace {

constexpr std::uint64_t kStepsBeforeSave = 200;  // rings, traces and the snapshot filled
constexpr std::uint64_t kStepsAfterLoad = 20;
constexpr std::size_t kHeaderBytes = 8 + 4 + 8;  // "GENNCCKP", version, body length
constexpr std::size_t kTrailerBytes = 4;         // CRC-32

[[noreturn]] void fail(const std::string& what) {
  std::fprintf(stderr, "fuzz_runtime_files: %s: %s\n", what.c_str(), gennc_last_error());
  std::abort();
}

// CRC-32 (IEEE, reflected, as zlib's crc32), a byte at a time from a table.
std::uint32_t crc32(const std::string& bytes) {
  static const std::vector<std::uint32_t> table = [] {
    std::vector<std::uint32_t> t(256);
    for (std::uint32_t i = 0; i < 256; ++i) {
      std::uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
      t[i] = c;
    }
    return t;
  }();
  std::uint32_t c = 0xFFFFFFFFu;
  for (unsigned char b : bytes) c = table[(c ^ b) & 0xFF] ^ (c >> 8);
  return c ^ 0xFFFFFFFFu;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

void write_file(const std::string& path, const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || (size != 0 && std::fwrite(data, 1, size, f) != size) || std::fclose(f) != 0)
    fail("cannot write " + path);
}

GenncOptions options() {
  GenncOptions o;
  gennc_default_options(&o);
  o.threads = 1;
  o.backend = "cpu";
  return o;
}

// One checkpointed network: a live simulation and the checkpoint it saved.
struct Checkpointed {
  GenncSim* sim = nullptr;
  std::string intact_path;
  std::string intact;  // its bytes
};

struct State {
  std::string folder;
  std::string input_path;
  Checkpointed networks[3];
  GenncModel from_file;  // gennc_model_from_file with its connector pointed at input_path
  std::vector<GenncProjectionInfo> from_file_projections;
};

State* state = nullptr;

void clean_up() {
  std::remove(state->input_path.c_str());
  for (const Checkpointed& c : state->networks) std::remove(c.intact_path.c_str());
  rmdir(state->folder.c_str());
}

void set_up() {
  state = new State;
  const char* tmp = std::getenv("TMPDIR");
  std::string base = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : tmp != nullptr ? tmp : "/tmp";
  std::string folder = base + "/gennc-fuzz-XXXXXX";
  if (mkdtemp(folder.data()) == nullptr) fail("cannot make a folder in " + base);
  state->folder = folder;
  state->input_path = folder + "/input";
  std::atexit(clean_up);
  const GenncModel* models[3] = {&gennc_model_sparse, &gennc_model_bitmask, &gennc_model_procedural};
  GenncOptions o = options();
  for (int n = 0; n < 3; ++n) {
    Checkpointed& c = state->networks[n];
    if (gennc_create(models[n], &o, &c.sim) != GENNC_OK) fail("gennc_create");
    if (gennc_run(c.sim, kStepsBeforeSave) != GENNC_OK) fail("gennc_run");
    c.intact_path = folder + "/intact" + std::to_string(n);
    if (gennc_save_checkpoint(c.sim, c.intact_path.c_str()) != GENNC_OK) fail("gennc_save_checkpoint");
    c.intact = read_file(c.intact_path);
  }
  state->from_file = gennc_model_from_file;
  state->from_file_projections.assign(gennc_model_from_file.projections,
                                      gennc_model_from_file.projections + gennc_model_from_file.projection_count);
  for (GenncProjectionInfo& p : state->from_file_projections)
    if (p.connector.kind == GENNC_CONNECT_FROM_FILE) p.connector.path = state->input_path.c_str();
  state->from_file.projections = state->from_file_projections.data();

  if (const char* seeds = std::getenv("GENNC_FUZZ_SEEDS")) {
    auto seed = [&](const std::string& name, char kind, const std::string& bytes) {
      std::string file = kind + bytes;
      write_file(std::string(seeds) + "/" + name, reinterpret_cast<const std::uint8_t*>(file.data()), file.size());
    };
    const char* names[3] = {"sparse", "bitmask", "procedural"};
    for (int n = 0; n < 3; ++n) {
      const std::string& bytes = state->networks[n].intact;
      seed(std::string("checkpoint-") + names[n], static_cast<char>(n), bytes);
      seed(std::string("resealed-") + names[n], static_cast<char>(n | 4),
           bytes.substr(kHeaderBytes, bytes.size() - kHeaderBytes - kTrailerBytes));
    }
    seed("connections", 3, read_file(gennc_model_from_file.projections[0].connector.path));
  }
}

void load_checkpoint(Checkpointed& c, const std::uint8_t* data, std::size_t size, bool reseal) {
  if (reseal) {
    // The rest is a body: give it the header and checksum of an intact file.
    std::string file = c.intact.substr(0, kHeaderBytes - 8);
    std::uint64_t body = size;
    file.append(reinterpret_cast<const char*>(&body), sizeof body);
    file.append(reinterpret_cast<const char*>(data), size);
    std::uint32_t crc = crc32(file);
    file.append(reinterpret_cast<const char*>(&crc), sizeof crc);
    write_file(state->input_path, reinterpret_cast<const std::uint8_t*>(file.data()), file.size());
  } else {
    write_file(state->input_path, data, size);
  }
  if (gennc_load_checkpoint(c.sim, state->input_path.c_str()) != GENNC_OK) {
    // Refused: nothing applied.
    if (gennc_step(c.sim) != kStepsBeforeSave) fail("a refused checkpoint changed the step");
    return;
  }
  // Taken: run on what was accepted, then go back to the intact state.
  (void)gennc_run(c.sim, kStepsAfterLoad);
  if (gennc_load_checkpoint(c.sim, c.intact_path.c_str()) != GENNC_OK) fail("reloading the intact checkpoint");
}

void read_connections(const std::uint8_t* data, std::size_t size) {
  write_file(state->input_path, data, size);
  GenncOptions o = options();
  GenncSim* sim = nullptr;
  if (gennc_create(&state->from_file, &o, &sim) != GENNC_OK) return;
  (void)gennc_run(sim, kStepsAfterLoad);
  gennc_destroy(sim);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  set_up();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned kind = data[0] % 4;
  const bool reseal = (data[0] & 4) != 0;
  if (kind == 3)
    read_connections(data + 1, size - 1);
  else
    load_checkpoint(state->networks[kind], data + 1, size - 1, reseal);
  return 0;
}
