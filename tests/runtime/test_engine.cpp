// The engine end to end on the hand-written LIF network (models/lif_net.cpp): spike
// delivery with delays, determinism, checkpoints, reset, parameters and derived values,
// recordings and the results folder, and bad input.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "gennc/random.h"
#include "gennc/runtime.h"
#include "models.h"
#include "npy_reader.h"

using gennc::runtime::test::read_npy;
namespace fs = std::filesystem;

namespace {

// Recording indices of lif_net.
constexpr uint32_t kStimSpikes = 0, kExcSpikes = 1, kExcV = 2, kExcVSampled = 3, kNoiseSpikes = 4;

class Sim {
 public:
  explicit Sim(unsigned threads = 1, const GenncModel* model = &gennc_test_lif_net) {
    GenncOptions o;
    gennc_default_options(&o);
    o.threads = threads;
    GenncStatus status = gennc_create(model, &o, &sim_);
    INFO(gennc_last_error());
    REQUIRE(status == GENNC_OK);
  }
  Sim(unsigned threads, uint64_t seed) {
    GenncOptions o;
    gennc_default_options(&o);
    o.threads = threads;
    o.override_seed = 1;
    o.seed = seed;
    REQUIRE(gennc_create(&gennc_test_lif_net, &o, &sim_) == GENNC_OK);
  }
  ~Sim() { gennc_destroy(sim_); }
  Sim(const Sim&) = delete;
  Sim& operator=(const Sim&) = delete;
  GenncSim* get() const { return sim_; }

  void run(uint64_t steps) {
    GenncStatus status = gennc_run(sim_, steps);
    INFO(gennc_last_error());
    REQUIRE(status == GENNC_OK);
  }

  std::vector<std::pair<uint32_t, double>> spikes(uint32_t recording) const {
    GenncRecordingDesc desc;
    REQUIRE(gennc_recording_info(sim_, recording, &desc) == GENNC_OK);
    std::vector<uint32_t> neurons(desc.spike_count);
    std::vector<double> times(desc.spike_count);
    REQUIRE(gennc_get_spikes(sim_, recording, neurons.data(), times.data(), desc.spike_count) == GENNC_OK);
    std::vector<std::pair<uint32_t, double>> out;
    for (size_t k = 0; k < neurons.size(); ++k) out.emplace_back(neurons[k], times[k]);
    return out;
  }

  template <typename T>
  std::vector<T> array(const std::string& name) const {
    GenncArrayDesc desc;
    REQUIRE(gennc_array_info(sim_, name.c_str(), &desc) == GENNC_OK);
    std::vector<T> values(desc.length);
    REQUIRE(gennc_get_array(sim_, name.c_str(), values.data(), desc.length) == GENNC_OK);
    return values;
  }

 private:
  GenncSim* sim_ = nullptr;
};

std::string scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("gennc-engine-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("a spike sent with delay d arrives exactly d steps later", "[engine]") {
  Sim sim;
  sim.run(200);
  // stim neuron i fires at step 5 (i + 1) (stamped at the end of that step) and reaches
  // exc neuron i after (i + 1) steps; the 100 mV jump makes it fire in the arrival step.
  auto stim = sim.spikes(kStimSpikes);
  REQUIRE(stim.size() == 10);
  std::vector<double> first_exc(10, -1);
  for (auto [neuron, time] : sim.spikes(kExcSpikes))
    if (neuron < 10 && first_exc[neuron] < 0) first_exc[neuron] = time;
  for (auto [neuron, time] : stim) {
    // Times are the doubles nearest the decimal step ends (step / 10, not step x 0.1).
    CHECK(time == (5.0 * (neuron + 1) + 1) / 10.0);
    CHECK(first_exc[neuron] - time == Approx(0.1 * (neuron + 1)));
  }
  // Delays are stored in steps; the ring is the longest incoming delay + 1 rounded up to a
  // power of two.
  CHECK(sim.array<uint32_t>("stim_exc.delay") == std::vector<uint32_t>{1, 2, 3, 4, 5, 6, 7, 8, 9, 10});
  std::vector<float> recurrent = sim.array<float>("exc_exc.delay");
  float longest = *std::max_element(recurrent.begin(), recurrent.end());
  uint32_t needed = std::max(15u, static_cast<uint32_t>(longest)) + 1;
  uint32_t depth = sim.array<uint32_t>("exc.ring_depth")[0];
  CHECK((depth & (depth - 1)) == 0);
  CHECK(depth >= needed);
  CHECK(depth / 2 < needed);
  CHECK(sim.array<uint32_t>("stim.ring_depth")[0] == 1);
}

TEST_CASE("the same seed gives the same run; another seed other connectivity", "[engine]") {
  Sim a, b;
  a.run(1000);
  b.run(1000);
  CHECK(a.spikes(kExcSpikes) == b.spikes(kExcSpikes));
  CHECK(a.spikes(kNoiseSpikes) == b.spikes(kNoiseSpikes));
  CHECK(a.spikes(kExcSpikes).size() > 20);
  Sim c(1, 99);
  CHECK(c.array<uint32_t>("noise_exc.column") != a.array<uint32_t>("noise_exc.column"));
  CHECK(gennc_seed(c.get()) == 99);
}

TEST_CASE("threads split the work without changing the spikes", "[engine]") {
  Sim one(1), four(4);
  one.run(1000);
  four.run(1000);
  CHECK(one.spikes(kExcSpikes) == four.spikes(kExcSpikes));
  CHECK(one.spikes(kNoiseSpikes) == four.spikes(kNoiseSpikes));
}

TEST_CASE("checkpoint, load, continue: the same spikes as an uninterrupted run", "[engine][checkpoint]") {
  std::string path = scratch("run.ckpt");
  std::vector<std::pair<uint32_t, double>> uninterrupted;
  {
    Sim sim;
    sim.run(500);
    REQUIRE(gennc_save_checkpoint(sim.get(), path.c_str()) == GENNC_OK);
    REQUIRE(gennc_clear_recordings(sim.get()) == GENNC_OK);
    sim.run(700);
    uninterrupted = sim.spikes(kExcSpikes);
  }
  REQUIRE(uninterrupted.size() > 10);
  // A fresh simulation with another seed: the checkpoint brings back seed and connectivity.
  Sim resumed(1, 777);
  REQUIRE(gennc_load_checkpoint(resumed.get(), path.c_str()) == GENNC_OK);
  CHECK(gennc_step(resumed.get()) == 500);
  CHECK(gennc_seed(resumed.get()) == 1234);
  resumed.run(700);
  CHECK(resumed.spikes(kExcSpikes) == uninterrupted);

  // A damaged or foreign checkpoint is refused and leaves the simulation as it was.
  std::string damaged = scratch("damaged.ckpt");
  std::string bytes = slurp(path);
  std::ofstream(damaged, std::ios::binary) << bytes.substr(0, bytes.size() / 2);
  CHECK(gennc_load_checkpoint(resumed.get(), damaged.c_str()) == GENNC_ERROR_MODEL);
  CHECK(std::string(gennc_last_error()).find("truncated") != std::string::npos);
  CHECK(gennc_load_checkpoint(resumed.get(), scratch("missing.ckpt").c_str()) == GENNC_ERROR_IO);
  CHECK(gennc_step(resumed.get()) == 1200);
}

TEST_CASE("reset returns to the initial state, keeping initialize()d values and parameters", "[engine][reset]") {
  Sim sim;
  // PyNN's initialize(): set state before the first run.
  std::vector<double> v(100, -60.0);
  REQUIRE(gennc_set_array_f64(sim.get(), "exc.v", v.data(), v.size()) == GENNC_OK);
  sim.run(300);
  auto first = sim.spikes(kExcSpikes);
  auto first_v = sim.array<double>("exc.v");
  REQUIRE(gennc_reset(sim.get()) == GENNC_OK);
  CHECK(gennc_time(sim.get()) == 0.0);
  CHECK(sim.spikes(kExcSpikes).empty());
  CHECK(sim.array<double>("exc.v") == v);
  sim.run(300);
  CHECK(sim.spikes(kExcSpikes) == first);
  CHECK(sim.array<double>("exc.v") == first_v);
}

TEST_CASE("setting a parameter re-runs the derived kernels", "[engine]") {
  Sim sim;
  CHECK(sim.array<double>("noise.p")[0] == Approx(200.0 * 0.1 / 1000.0));
  double rate = 0.0;
  REQUIRE(gennc_set_array(sim.get(), "noise.rate", &rate, 1) == GENNC_OK);
  CHECK(sim.array<double>("noise.p")[0] == 0.0);
  sim.run(500);
  CHECK(sim.spikes(kNoiseSpikes).empty());
  // Poisson count over 500 steps x 50 neurons at p = 0.02 after raising the rate again.
  rate = 200.0;
  REQUIRE(gennc_set_array(sim.get(), "noise.rate", &rate, 1) == GENNC_OK);
  sim.run(500);
  double n = sim.spikes(kNoiseSpikes).size(), expected = 500 * 50 * 0.02;
  CHECK(std::fabs(n - expected) < 5 * std::sqrt(expected));
}

TEST_CASE("arrays: descriptions, wrong lengths and read-only connectivity", "[engine]") {
  Sim sim;
  GenncArrayDesc desc;
  REQUIRE(gennc_array_info(sim.get(), "exc.v", &desc) == GENNC_OK);
  CHECK(desc.length == 100);
  CHECK(desc.dtype == GENNC_F64);
  CHECK(std::string(desc.unit) == "mV");
  REQUIRE(gennc_array_info(sim.get(), "noise_exc.weight", &desc) == GENNC_OK);
  CHECK(desc.length == sim.array<uint32_t>("noise_exc.column").size());
  CHECK(gennc_array_info(sim.get(), "exc.nothing", &desc) == GENNC_ERROR_NOT_FOUND);
  double one = 1.0;
  CHECK(gennc_set_array_f64(sim.get(), "exc.v", &one, 1) == GENNC_ERROR_ARGUMENT);
  CHECK_THAT(gennc_last_error(), Catch::Contains("has 100 elements, not 1"));
  std::vector<double> rows(51, 0.0);
  CHECK(gennc_set_array_f64(sim.get(), "noise_exc.row_pointer", rows.data(), rows.size()) == GENNC_ERROR_ARGUMENT);
  std::vector<double> delays(10, 99.0);
  CHECK(gennc_set_array_f64(sim.get(), "stim_exc.delay", delays.data(), delays.size()) == GENNC_ERROR_ARGUMENT);
  CHECK_THAT(gennc_last_error(), Catch::Contains("delay 99"));
}

TEST_CASE("variable recordings sample the initial state and every interval", "[engine][recording]") {
  Sim sim;
  auto v0 = sim.array<double>("exc.v");
  sim.run(100);
  sim.run(100);
  GenncRecordingDesc desc;
  REQUIRE(gennc_recording_info(sim.get(), kExcV, &desc) == GENNC_OK);
  CHECK(std::string(desc.name) == "exc.v");
  CHECK(desc.neuron_count == 10);
  CHECK(desc.sample_count == 201);
  CHECK(desc.interval == Approx(0.1));
  std::vector<double> values(desc.sample_count * 10), times(desc.sample_count);
  std::vector<uint32_t> neurons(10);
  REQUIRE(gennc_get_samples(sim.get(), kExcV, values.data(), values.size(), times.data(), neurons.data()) == GENNC_OK);
  for (uint32_t k = 0; k < 10; ++k) {
    CHECK(neurons[k] == k);
    CHECK(values[k] == v0[k]);
  }
  CHECK(times.back() == Approx(20.0));
  auto v = sim.array<double>("exc.v");
  for (uint32_t k = 0; k < 10; ++k) CHECK(values[200 * 10 + k] == v[k]);

  REQUIRE(gennc_recording_info(sim.get(), kExcVSampled, &desc) == GENNC_OK);
  CHECK(std::string(desc.name) == "exc.v.1");
  CHECK(desc.sample_count == 21);
  CHECK(desc.neuron_count == 3);
}

TEST_CASE("the results folder: manifest and .npy files that read back", "[engine][results]") {
  Sim sim;
  sim.run(1000);
  std::string folder = scratch("results");
  REQUIRE(gennc_write_results(sim.get(), folder.c_str()) == GENNC_OK);
  auto manifest = nlohmann::json::parse(slurp(folder + "/manifest.json"));
  CHECK(manifest["network"] == "lif_net");
  CHECK(manifest["dt"] == 0.1);
  CHECK(manifest["duration"].get<double>() == Approx(100.0));
  CHECK(manifest["seed"] == 1234);
  CHECK(manifest["populations"][2]["name"] == "exc");
  CHECK(manifest["populations"][2]["size"] == 100);
  CHECK(manifest["timings"]["build"] == 0.25);
  CHECK(manifest["timings"].contains("simulate"));
  // The CPU engine's set-up parts, which together take no longer than init.
  const auto& parts = manifest["timings"]["init_parts"];
  REQUIRE(parts.size() == 2);
  CHECK(parts[0]["name"] == "network build");
  CHECK(parts[1]["name"] == "init schedule");
  double parts_seconds = 0.0;
  for (const auto& part : parts) {
    CHECK(part["seconds"].get<double>() >= 0.0);
    parts_seconds += part["seconds"].get<double>();
  }
  CHECK(parts_seconds <= manifest["timings"]["init"].get<double>());
  CHECK(manifest["versions"]["abi"] == GENNC_ABI_VERSION);
  REQUIRE(manifest["recordings"].size() == 5);

  auto spikes_entry = manifest["recordings"][kExcSpikes];
  CHECK(spikes_entry["unit"] == "ms");
  auto table = read_npy(folder + "/" + spikes_entry["file"].get<std::string>());
  REQUIRE(table.ok);
  CHECK(table.descr == "<f8");
  auto spikes = sim.spikes(kExcSpikes);
  REQUIRE(table.shape == std::vector<uint64_t>{spikes.size(), 2});
  for (size_t k = 0; k < spikes.size(); ++k) {
    CHECK(table.values[2 * k] == spikes[k].first);
    CHECK(table.values[2 * k + 1] == spikes[k].second);
    if (k > 0) {
      // Sorted by time, then neuron.
      bool ordered = table.values[2 * k + 1] > table.values[2 * k - 1] ||
                     (table.values[2 * k + 1] == table.values[2 * k - 1] && table.values[2 * k] > table.values[2 * k - 2]);
      CHECK(ordered);
    }
  }
  auto v_entry = manifest["recordings"][kExcVSampled];
  CHECK(v_entry["unit"] == "mV");
  CHECK(v_entry["interval"].get<double>() == Approx(1.0));
  auto v = read_npy(folder + "/" + v_entry["file"].get<std::string>());
  auto times = read_npy(folder + "/" + v_entry["times_file"].get<std::string>());
  auto neurons = read_npy(folder + "/" + v_entry["neurons_file"].get<std::string>());
  REQUIRE((v.ok && times.ok && neurons.ok));
  CHECK(v.shape == std::vector<uint64_t>{101, 3});
  CHECK(times.values.back() == Approx(100.0));
  CHECK(neurons.values == std::vector<double>{3, 50, 99});

  // Writing again replaces the folder whole; no temporary folders stay behind.
  sim.run(10);
  REQUIRE(gennc_write_results(sim.get(), folder.c_str()) == GENNC_OK);
  CHECK(nlohmann::json::parse(slurp(folder + "/manifest.json"))["steps"] == 1010);
  for (const auto& entry : fs::directory_iterator(fs::path(folder).parent_path()))
    CHECK(entry.path().filename().string().find(".tmp-") == std::string::npos);
}

TEST_CASE("bad output folders are refused with a message; earlier contents stay", "[engine][errors]") {
  Sim sim;
  sim.run(10);
  // A folder that is not a results folder.
  std::string foreign = scratch("foreign");
  fs::create_directories(foreign);
  std::ofstream(foreign + "/notes.txt") << "keep me";
  CHECK(gennc_write_results(sim.get(), foreign.c_str()) == GENNC_ERROR_IO);
  CHECK_THAT(gennc_last_error(), Catch::Contains("not a gennc results folder"));
  CHECK(slurp(foreign + "/notes.txt") == "keep me");
  // The same answer before a run, with or without a simulation.
  CHECK(gennc_check_results_folder(nullptr, foreign.c_str()) == GENNC_ERROR_IO);
  CHECK_THAT(gennc_last_error(), Catch::Contains("not a gennc results folder"));
  CHECK(gennc_check_results_folder(sim.get(), foreign.c_str()) == GENNC_ERROR_IO);
  CHECK(gennc_check_results_folder(nullptr, nullptr) == GENNC_ERROR_ARGUMENT);
  // A manifest.json of something else does not make a results folder.
  std::ofstream(foreign + "/manifest.json") << "{\"name\": \"app\"}";
  CHECK(gennc_write_results(sim.get(), foreign.c_str()) == GENNC_ERROR_IO);
  CHECK_THAT(gennc_last_error(), Catch::Contains("does not say \"format\": \"gennc-results\""));
  CHECK(slurp(foreign + "/notes.txt") == "keep me");
  // A file in the way of the folder, and a folder under a file.
  std::string file = scratch("plain-file");
  std::ofstream(file) << "data";
  CHECK(gennc_write_results(sim.get(), file.c_str()) == GENNC_ERROR_IO);
  CHECK(slurp(file) == "data");
  CHECK(gennc_write_results(sim.get(), (file + "/results").c_str()) == GENNC_ERROR_IO);
  CHECK_THAT(gennc_last_error(), Catch::Contains("cannot"));
  // An earlier results folder survives a failed run request.
  std::string results = scratch("kept");
  REQUIRE(gennc_check_results_folder(sim.get(), results.c_str()) == GENNC_OK);
  REQUIRE(gennc_write_results(sim.get(), results.c_str()) == GENNC_OK);
  // A user's file in a results folder stays when the results are written again.
  std::ofstream(results + "/README.md") << "mine";
  REQUIRE(gennc_write_results(sim.get(), results.c_str()) == GENNC_OK);
  CHECK(slurp(results + "/README.md") == "mine");
  CHECK(fs::exists(results + "/exc.spikes.npy"));
  std::string before = slurp(results + "/manifest.json");
  CHECK(gennc_run_for(sim.get(), -5.0) == GENNC_ERROR_ARGUMENT);
  CHECK_THAT(gennc_last_error(), Catch::Contains("must be a finite number >= 0"));
  CHECK(gennc_step(sim.get()) == 10);
  CHECK(slurp(results + "/manifest.json") == before);
}

TEST_CASE("options and models the runtime cannot run are reported", "[engine][errors]") {
  GenncOptions o;
  gennc_default_options(&o);
  GenncSim* sim = nullptr;
  o.backend = "cuda";
  CHECK(gennc_create(&gennc_test_lif_net, &o, &sim) == GENNC_ERROR_BACKEND);
  CHECK_THAT(gennc_last_error(), Catch::Contains("backend 'cuda': the model has no GPU code"));
  o.backend = "tpu";
  CHECK(gennc_create(&gennc_test_lif_net, &o, &sim) == GENNC_ERROR_ARGUMENT);
  CHECK(sim == nullptr);
  // Threads are bounded by the hardware (docs/runtime.md): never 100000.
  o.backend = "cpu";
  o.threads = 100000;
  CHECK(gennc_create(&gennc_test_lif_net, &o, &sim) == GENNC_ERROR_ARGUMENT);
  CHECK_THAT(gennc_last_error(), Catch::Contains("100000 threads requested; at most"));
  CHECK(sim == nullptr);
  GenncModel old = gennc_test_lif_net;
  old.abi_version = 0;
  CHECK(gennc_create(&old, nullptr, &sim) == GENNC_ERROR_MODEL);
  CHECK_THAT(gennc_last_error(), Catch::Contains("model ABI 0"));
  // Cubins (gennc --gpu-sass) come listed, beside PTX, each with bytes and an architecture.
  GenncModel counted = gennc_test_lif_net;
  counted.cubin_count = 1;
  CHECK(gennc_create(&counted, nullptr, &sim) == GENNC_ERROR_MODEL);
  CHECK_THAT(gennc_last_error(), Catch::Contains("counts cubins it does not list"));
  const GenncCubin empty{90, nullptr, 0};
  counted.cubins = &empty;
  counted.ptx = "// PTX";
  CHECK(gennc_create(&counted, nullptr, &sim) == GENNC_ERROR_MODEL);
  CHECK_THAT(gennc_last_error(), Catch::Contains("cubin 0 of the model is empty"));
  CHECK(gennc_run(nullptr, 1) == GENNC_ERROR_ARGUMENT);
}

TEST_CASE("runs stay within the random streams' 2^40 steps", "[engine][errors]") {
  Sim sim;
  const uint64_t limit = uint64_t{1} << GENNC_RANDOM_STEP_BITS;
  CHECK(gennc_run(sim.get(), limit + 1) == GENNC_ERROR_ARGUMENT);
  CHECK_THAT(gennc_last_error(), Catch::Contains("the random streams address steps below 2^40"));
  CHECK(gennc_run_for(sim.get(), 1e300) == GENNC_ERROR_ARGUMENT);
  REQUIRE(gennc_set_step(sim.get(), limit - 2) == GENNC_OK);
  CHECK(gennc_run(sim.get(), 3) == GENNC_ERROR_ARGUMENT);
  CHECK(gennc_step(sim.get()) == limit - 2);
  CHECK(gennc_run(sim.get(), 2) == GENNC_OK);
  CHECK(gennc_step(sim.get()) == limit);
}
