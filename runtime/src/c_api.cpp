// The C ABI (gennc/runtime.h) over Simulation: argument checks, status codes, the
// thread's last error, and a catch-all so no C++ exception crosses the boundary.
#include <sched.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <vector>

#include "gennc/runtime.h"
#include "mpi/world.h"
#include "results.h"
#include "results_folder.h"
#include "simulation.h"
#include "stop_request.h"

using gennc::runtime::Recording;
using gennc::runtime::Simulation;
using gennc::runtime::SimulationOptions;
using gennc::runtime::Status;

struct GenncSim {
  std::unique_ptr<Simulation> sim;
  std::string profile;  // gennc_profile's text
};

namespace {

thread_local std::string last_error;

GenncStatus report(const Status& status) {
  last_error = status.ok() ? "" : status.message();
  return status.code();
}

GenncStatus fail(GenncStatus code, const std::string& message) {
  last_error = message;
  return code;
}

// Runs `body`, turning exceptions (out of memory, thread creation) into status codes.
template <typename Body>
GenncStatus guarded(Body&& body) {
  try {
    return report(body());
  } catch (const std::bad_alloc&) {
    return fail(GENNC_ERROR_INTERNAL, "out of memory");
  } catch (const std::exception& e) {
    return fail(GENNC_ERROR_INTERNAL, std::string("internal error: ") + e.what());
  } catch (...) {
    return fail(GENNC_ERROR_INTERNAL, "internal error");
  }
}

#define GENNC_REQUIRE_SIM(sim)                                           \
  if ((sim) == nullptr || !(sim)->sim) return fail(GENNC_ERROR_ARGUMENT, "no simulation handle")
#define GENNC_REQUIRE_NAME(name) \
  if ((name) == nullptr) return fail(GENNC_ERROR_ARGUMENT, "no array name given")

// Hardware threads this process may run on (its CPU affinity, which containers and
// taskset narrow), at least 1.
unsigned hardware_threads() {
  cpu_set_t set;
  if (::sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0) return static_cast<unsigned>(CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

// The most worker threads a simulation may ask for: 4 x the hardware threads, at least 8.
// Each job is split across every thread and waits for the slowest, so threads beyond the
// hardware's only add wake-ups and stacks; a few times over leaves room to test that a run
// is the same for any thread count on a small machine, while a typo (100000) that would
// starve the host is refused.
unsigned thread_limit() { return std::max(8u, 4 * hardware_threads()); }

const Recording* recording_at(const GenncSim* sim, uint32_t index) {
  const auto& recordings = sim->sim->recorder().recordings();
  return index < recordings.size() ? &recordings[index] : nullptr;
}

}  // namespace

extern "C" {

const char* gennc_last_error(void) { return last_error.c_str(); }

uint32_t gennc_abi_version(void) { return GENNC_ABI_VERSION; }

GenncStatus gennc_process_rank(uint32_t* rank, uint32_t* count) {
  const gennc::runtime::mpi::World& world = gennc::runtime::mpi::World::get();
  if (rank) *rank = world.rank();
  if (count) *count = world.size();
  return report(world.status());
}

void gennc_default_options(GenncOptions* options) {
  if (options == nullptr) return;
  options->threads = 0;
  options->backend = "auto";
  options->override_seed = 0;
  options->seed = 0;
  options->output_folder = "results";
  options->connections = nullptr;
  options->connection_count = 0;
}

namespace {

GenncStatus create_here(const GenncModel* model, const GenncOptions* options, GenncSim** out) {
  if (model == nullptr) return fail(GENNC_ERROR_ARGUMENT, "no model given");
  GenncOptions defaults;
  gennc_default_options(&defaults);
  if (options == nullptr) options = &defaults;
  std::string backend = options->backend ? options->backend : "auto";
  if (backend != "cpu" && backend != "cuda" && backend != "auto")
    return fail(GENNC_ERROR_ARGUMENT, "unknown backend '" + backend + "' (expected cpu, cuda or auto)");
  if (options->threads > thread_limit())
    return fail(GENNC_ERROR_ARGUMENT, std::to_string(options->threads) + " threads requested; at most " +
                                          std::to_string(thread_limit()) + " (the larger of 8 and 4 x the " +
                                          std::to_string(hardware_threads()) +
                                          " hardware threads this process may use)");
  return guarded([&]() -> Status {
    SimulationOptions settings;
    settings.threads = options->threads ? options->threads : hardware_threads();
    settings.seed = options->override_seed ? options->seed : model->seed;
    settings.output_folder = options->output_folder ? options->output_folder : "results";
    settings.backend = backend;
    settings.connections = options->connections;
    settings.connection_count = options->connection_count;
    std::unique_ptr<Simulation> sim;
    GENNC_TRY(Simulation::create(*model, settings, &sim));
    *out = new GenncSim{std::move(sim), {}};
    return gennc::runtime::ok();
  });
}

}  // namespace

GenncStatus gennc_create(const GenncModel* model, const GenncOptions* options, GenncSim** out) {
  if (out == nullptr) return fail(GENNC_ERROR_ARGUMENT, "no place to return the simulation");
  *out = nullptr;
  // Over MPI ranks every rank sets its part up, then all agree (collectively): one rank's
  // failure fails every rank, with its message, before anything runs.
  const GenncStatus code = create_here(model, options, out);
  const Status mine = code == GENNC_OK ? gennc::runtime::ok() : Status(code, last_error);
  Status agreed = gennc::runtime::mpi::World::get().agree(mine);
  // Every rank built its part: the parts settle what they must agree on (collective).
  if (agreed.ok()) agreed = (*out)->sim->settle();
  if (!agreed.ok()) {
    gennc_destroy(*out);
    *out = nullptr;
  }
  return report(agreed);
}

void gennc_destroy(GenncSim* sim) { delete sim; }

GenncStatus gennc_run(GenncSim* sim, uint64_t steps) {
  GENNC_REQUIRE_SIM(sim);
  return guarded([&] { return sim->sim->run(steps); });
}

void gennc_request_stop(int reason) { gennc::runtime::request_stop(reason); }

int gennc_stop_reason(void) { return gennc::runtime::last_stop_reason(); }

GenncStatus gennc_run_for(GenncSim* sim, double duration_ms) {
  GENNC_REQUIRE_SIM(sim);
  if (!std::isfinite(duration_ms) || duration_ms < 0.0)
    return fail(GENNC_ERROR_ARGUMENT, "cannot run for " + std::to_string(duration_ms) +
                                          " ms: the duration must be a finite number >= 0");
  double steps = std::round(duration_ms / sim->sim->state().model().dt);
  if (steps > 9.0e15) return fail(GENNC_ERROR_ARGUMENT, "the duration is too long");
  return gennc_run(sim, static_cast<uint64_t>(steps));
}

const char* gennc_backend(const GenncSim* sim) {
  thread_local std::string name;
  name = sim && sim->sim ? sim->sim->backend() : "";
  return name.c_str();
}

GenncStatus gennc_set_step(GenncSim* sim, uint64_t step) {
  GENNC_REQUIRE_SIM(sim);
  return guarded([&] { return sim->sim->set_step(step); });
}

double gennc_time(const GenncSim* sim) { return sim && sim->sim ? sim->sim->state().time() : 0.0; }
uint64_t gennc_step(const GenncSim* sim) { return sim && sim->sim ? sim->sim->state().step() : 0; }
double gennc_dt(const GenncSim* sim) { return sim && sim->sim ? sim->sim->state().model().dt : 0.0; }
uint64_t gennc_seed(const GenncSim* sim) { return sim && sim->sim ? sim->sim->state().seed() : 0; }

GenncStatus gennc_array_info(const GenncSim* sim, const char* name, GenncArrayDesc* out) {
  GENNC_REQUIRE_SIM(sim);
  GENNC_REQUIRE_NAME(name);
  if (out == nullptr) return fail(GENNC_ERROR_ARGUMENT, "no place to return the description");
  int64_t id = sim->sim->state().find_array(name);
  if (id < 0) return fail(GENNC_ERROR_NOT_FOUND, std::string("no array called '") + name + "'");
  const GenncArrayInfo& info = sim->sim->state().model().arrays[id];
  out->id = static_cast<uint32_t>(id);
  out->dtype = info.dtype;
  // A per-synapse array of the whole network, also where a rank holds a share of it
  // (gennc_get_array gathers it, docs/distributed.md).
  const gennc::runtime::NetworkState& state = sim->sim->state();
  out->length = info.scope == GENNC_SCOPE_SYNAPSE && state.splits(info.owner)
                    ? state.total_synapse_count(info.owner)
                    : state.array(static_cast<uint32_t>(id)).length();
  out->unit = info.unit ? info.unit : "";
  out->flags = info.flags;
  out->scope = info.scope;
  out->owner = info.owner;
  return report(gennc::runtime::ok());
}

GenncStatus gennc_get_array(const GenncSim* sim, const char* name, void* out, uint64_t count) {
  GENNC_REQUIRE_SIM(sim);
  GENNC_REQUIRE_NAME(name);
  return guarded([&] { return sim->sim->get_array(name, out, count); });
}

GenncStatus gennc_set_array(GenncSim* sim, const char* name, const void* values, uint64_t count) {
  GENNC_REQUIRE_SIM(sim);
  GENNC_REQUIRE_NAME(name);
  return guarded([&] { return sim->sim->set_array(name, values, count); });
}

GenncStatus gennc_get_array_f64(const GenncSim* sim, const char* name, double* out, uint64_t count) {
  GENNC_REQUIRE_SIM(sim);
  GENNC_REQUIRE_NAME(name);
  return guarded([&] { return sim->sim->get_array_f64(name, out, count); });
}

GenncStatus gennc_set_array_f64(GenncSim* sim, const char* name, const double* values, uint64_t count) {
  GENNC_REQUIRE_SIM(sim);
  GENNC_REQUIRE_NAME(name);
  return guarded([&] { return sim->sim->set_array_f64(name, values, count); });
}

GenncStatus gennc_positions(const GenncSim* sim, uint32_t population, double* out, uint64_t count) {
  GENNC_REQUIRE_SIM(sim);
  if (population >= sim->sim->state().model().population_count)
    return fail(GENNC_ERROR_NOT_FOUND, "no population " + std::to_string(population));
  const std::vector<double>& xyz = sim->sim->state().positions(population);
  if (count != xyz.size())
    return fail(GENNC_ERROR_ARGUMENT, "positions need " + std::to_string(xyz.size()) + " doubles, not " +
                                          std::to_string(count));
  if (count != 0 && out == nullptr) return fail(GENNC_ERROR_ARGUMENT, "no buffer given");
  std::copy(xyz.begin(), xyz.end(), out);
  return report(gennc::runtime::ok());
}

uint32_t gennc_recording_count(const GenncSim* sim) {
  return sim && sim->sim ? static_cast<uint32_t>(sim->sim->recorder().recordings().size()) : 0;
}

GenncStatus gennc_recording_info(const GenncSim* sim, uint32_t recording, GenncRecordingDesc* out) {
  GENNC_REQUIRE_SIM(sim);
  const Recording* r = recording_at(sim, recording);
  if (r == nullptr) return fail(GENNC_ERROR_NOT_FOUND, "no recording " + std::to_string(recording));
  if (out == nullptr) return fail(GENNC_ERROR_ARGUMENT, "no place to return the description");
  out->kind = r->info->kind;
  out->name = r->name.c_str();
  out->population = r->population.c_str();
  out->variable = r->info->variable ? r->info->variable : "";
  out->unit = r->info->kind == GENNC_RECORD_SPIKES ? "ms" : (r->info->unit ? r->info->unit : "");
  out->neuron_count = r->selection.size();
  out->spike_count = r->spikes.size();
  out->sample_count = r->sample_steps.size();
  out->interval = r->info->kind == GENNC_RECORD_VARIABLE ? sim->sim->state().time_at(r->info->interval_steps) : 0.0;
  return report(gennc::runtime::ok());
}

GenncStatus gennc_get_spikes(const GenncSim* sim, uint32_t recording, uint32_t* neurons, double* times,
                             uint64_t count) {
  GENNC_REQUIRE_SIM(sim);
  const Recording* r = recording_at(sim, recording);
  if (r == nullptr || r->info->kind != GENNC_RECORD_SPIKES)
    return fail(GENNC_ERROR_NOT_FOUND, "no spike recording " + std::to_string(recording));
  if (count != r->spikes.size())
    return fail(GENNC_ERROR_ARGUMENT, "recording '" + r->name + "' holds " + std::to_string(r->spikes.size()) +
                                          " spikes, not " + std::to_string(count));
  if (count != 0 && (neurons == nullptr || times == nullptr)) return fail(GENNC_ERROR_ARGUMENT, "no buffer given");
  for (uint64_t k = 0; k < count; ++k) {
    neurons[k] = r->spikes[k].second;
    times[k] = r->spike_times.empty() ? sim->sim->state().time_at(r->spikes[k].first) : r->spike_times[k];
  }
  return report(gennc::runtime::ok());
}

GenncStatus gennc_get_samples(const GenncSim* sim, uint32_t recording, double* values, uint64_t value_count,
                              double* times, uint32_t* neurons) {
  GENNC_REQUIRE_SIM(sim);
  const Recording* r = recording_at(sim, recording);
  if (r == nullptr || r->info->kind != GENNC_RECORD_VARIABLE)
    return fail(GENNC_ERROR_NOT_FOUND, "no variable recording " + std::to_string(recording));
  if (value_count != r->samples.size())
    return fail(GENNC_ERROR_ARGUMENT, "recording '" + r->name + "' holds " + std::to_string(r->samples.size()) +
                                          " values, not " + std::to_string(value_count));
  if (value_count != 0 && values == nullptr) return fail(GENNC_ERROR_ARGUMENT, "no buffer given");
  std::copy(r->samples.begin(), r->samples.end(), values);
  if (times != nullptr)
    for (size_t k = 0; k < r->sample_steps.size(); ++k) times[k] = sim->sim->state().time_at(r->sample_steps[k]);
  if (neurons != nullptr) std::copy(r->selection.members().begin(), r->selection.members().end(), neurons);
  return report(gennc::runtime::ok());
}

GenncStatus gennc_clear_recordings(GenncSim* sim) {
  GENNC_REQUIRE_SIM(sim);
  sim->sim->recorder().clear();
  return report(gennc::runtime::ok());
}

GenncStatus gennc_reset(GenncSim* sim) {
  GENNC_REQUIRE_SIM(sim);
  return guarded([&] { return sim->sim->reset(); });
}

GenncStatus gennc_save_checkpoint(const GenncSim* sim, const char* path) {
  GENNC_REQUIRE_SIM(sim);
  if (path == nullptr) return fail(GENNC_ERROR_ARGUMENT, "no checkpoint path given");
  return guarded([&] { return sim->sim->save_checkpoint(path); });
}

GenncStatus gennc_load_checkpoint(GenncSim* sim, const char* path) {
  GENNC_REQUIRE_SIM(sim);
  if (path == nullptr) return fail(GENNC_ERROR_ARGUMENT, "no checkpoint path given");
  return guarded([&] { return sim->sim->load_checkpoint(path); });
}

GenncStatus gennc_write_results(GenncSim* sim, const char* folder) {
  GENNC_REQUIRE_SIM(sim);
  return guarded([&] { return sim->sim->write_results(folder ? folder : sim->sim->output_folder()); });
}

GenncStatus gennc_check_results_folder(const GenncSim* sim, const char* folder) {
  if (sim == nullptr && folder == nullptr)
    return fail(GENNC_ERROR_ARGUMENT, "no results folder given (and no simulation whose output folder to check)");
  if (sim != nullptr && !sim->sim) return fail(GENNC_ERROR_ARGUMENT, "no simulation handle");
  return guarded([&] {
    if (sim == nullptr) return gennc::runtime::check_results_folder(folder);
    return sim->sim->check_results_folder(folder ? folder : sim->sim->output_folder());
  });
}

GenncStatus gennc_timings(const GenncSim* sim, GenncTimings* out) {
  GENNC_REQUIRE_SIM(sim);
  if (out == nullptr) return fail(GENNC_ERROR_ARGUMENT, "no place to return the timings");
  const auto& t = sim->sim->timings();
  *out = GenncTimings{t.build, t.init, t.simulate, t.write};
  return report(gennc::runtime::ok());
}

GenncStatus gennc_set_recording_budget(GenncSim* sim, uint64_t bytes) {
  GENNC_REQUIRE_SIM(sim);
  sim->sim->set_recording_budget(bytes);
  return report(gennc::runtime::ok());
}

GenncStatus gennc_set_profiling(GenncSim* sim, int enabled) {
  GENNC_REQUIRE_SIM(sim);
  sim->sim->set_profiling(enabled != 0);
  return report(gennc::runtime::ok());
}

const char* gennc_profile(GenncSim* sim) {
  if (sim == nullptr || !sim->sim) return "";
  const std::vector<gennc::runtime::ProfileRow> rows = sim->sim->profile();
  sim->profile.clear();
  if (rows.empty()) return sim->profile.c_str();
  double total = 0.0;
  std::size_t width = 4;
  for (const gennc::runtime::ProfileRow& row : rows) {
    total += row.seconds_per_step;
    width = std::max(width, row.name.size());
  }
  char line[512];
  std::snprintf(line, sizeof line, "  %-*s %12s %7s\n", static_cast<int>(width), "part", "us/step", "share");
  sim->profile += line;
  for (const gennc::runtime::ProfileRow& row : rows) {
    std::snprintf(line, sizeof line, "  %-*s %12.3f %6.1f%%", static_cast<int>(width), row.name.c_str(),
                  row.seconds_per_step * 1e6, total > 0 ? 100.0 * row.seconds_per_step / total : 0.0);
    sim->profile += line;
    if (!row.members.empty()) sim->profile += "  " + row.members;
    sim->profile += "\n";
  }
  std::snprintf(line, sizeof line, "  %-*s %12.3f %6.1f%%\n", static_cast<int>(width), "total", total * 1e6, 100.0);
  sim->profile += line;
  const gennc::runtime::MemoryReport memory = gennc::runtime::memory_report(sim->sim->state());
  // Over MPI ranks, each holds its share of the synapses (write_results gathered them).
  const std::vector<gennc::runtime::ProcessMemory>& ranks = sim->sim->rank_memory();
  uint64_t synapse_bytes = memory.synapse_bytes;
  if (ranks.size() > 1) {
    synapse_bytes = 0;
    for (const auto& rank : ranks) synapse_bytes += rank.synapse_bytes;
  }
  std::snprintf(line, sizeof line, "memory: %.1f bytes per synapse (%llu synapses), %.1f bytes per neuron (%llu neurons)\n",
                memory.synapses ? double(synapse_bytes) / double(memory.synapses) : 0.0,
                static_cast<unsigned long long>(memory.synapses), memory.bytes_per_neuron(),
                static_cast<unsigned long long>(memory.neurons));
  sim->profile += line;
  for (size_t r = 0; r < ranks.size(); ++r) {
    std::snprintf(line, sizeof line, "  rank %zu: %llu synapses, %.1f MiB of them, %.1f MiB peak resident\n", r,
                  static_cast<unsigned long long>(ranks[r].synapses), double(ranks[r].synapse_bytes) / 1048576.0,
                  double(ranks[r].peak_bytes) / 1048576.0);
    sim->profile += line;
  }
  // Where gennc_create's seconds went.
  const auto& init_parts = sim->sim->timings().init_parts;
  if (!init_parts.empty()) sim->profile += "init:\n";
  for (const auto& [name, seconds] : init_parts) {
    std::snprintf(line, sizeof line, "  %-46s %8.3f s\n", name.c_str(), seconds);
    sim->profile += line;
  }
  // And the runs' (the GPU's host side).
  const auto& simulate_parts = sim->sim->timings().simulate_parts;
  if (!simulate_parts.empty()) sim->profile += "simulate:\n";
  for (const auto& [name, seconds] : simulate_parts) {
    std::snprintf(line, sizeof line, "  %-46s %8.3f s\n", name.c_str(), seconds);
    sim->profile += line;
  }
  return sim->profile.c_str();
}

}  // extern "C"
