// The results folder (docs/runtime.md): manifest.json plus one .npy per recorded array,
// assembled in a sibling folder and swapped in whole.
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "files.h"
#include "results.h"
#include "results_folder.h"

namespace gennc::runtime {
namespace {

namespace fs = std::filesystem;

std::string text(const char* s) { return s ? s : ""; }

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// A synapse variable's values at the end of the run, one per synapse in the runtime's order
// (rows by pre neuron), with each synapse's pre and post neuron (population indices).
template <typename Write>
Status write_synapse_recording(const NetworkState& state, const GenncSynapseRecordingInfo& info, Write& write,
                               nlohmann::json* entries) {
  const GenncModel& m = state.model();
  const GenncProjectionInfo& proj = m.projections[info.projection];
  const uint64_t count = state.synapse_count(info.projection);
  const Buffer& rows = state.array(proj.row_pointer_array);
  const Buffer& columns = state.array(proj.column_array);
  std::vector<int64_t> pre(count), post(count);
  for (uint64_t i = 0; i + 1 < rows.length(); ++i) {
    const auto end = static_cast<uint64_t>(rows.get(i + 1));
    for (auto s = static_cast<uint64_t>(rows.get(i)); s < end && s < count; ++s) pre[s] = static_cast<int64_t>(i);
  }
  for (uint64_t s = 0; s < count; ++s) post[s] = static_cast<int64_t>(columns.get(s));
  const Buffer& values = state.array(info.array);
  const bool single = values.dtype() == GENNC_F32;
  const std::string name = text(info.name);
  Status status = write(name + ".npy", npy_image(single ? "<f4" : "<f8", {count}, values.data(),
                                                 count * dtype_size(values.dtype())));
  if (status.ok()) status = write(name + ".pre.npy", npy_image("<i8", {count}, pre.data(), count * 8));
  if (status.ok()) status = write(name + ".post.npy", npy_image("<i8", {count}, post.data(), count * 8));
  if (!status.ok()) return status;
  entries->push_back({{"name", name},
                      {"projection", text(proj.name)},
                      {"pre", text(m.populations[proj.pre.population].name)},
                      {"post", text(m.populations[proj.post.population].name)},
                      {"unit", text(info.unit)},
                      {"dtype", single ? "float32" : "float64"},
                      {"synapses", count},
                      {"file", name + ".npy"},
                      {"pre_file", name + ".pre.npy"},
                      {"post_file", name + ".post.npy"}});
  return ok();
}

}  // namespace

MemoryReport memory_report(const NetworkState& state) {
  const GenncModel& m = state.model();
  MemoryReport report;
  for (uint32_t p = 0; p < m.projection_count; ++p) {
    report.synapses += state.total_synapse_count(p);
    report.held_synapses += state.synapse_count(p);
  }
  for (uint32_t p = 0; p < m.population_count; ++p) report.neurons += m.populations[p].size;
  for (uint32_t a = 0; a < m.array_count; ++a) {
    const uint64_t bytes = state.array(a).bytes();
    switch (m.arrays[a].scope) {
      case GENNC_SCOPE_SYNAPSE:
      case GENNC_SCOPE_ROW_POINTER:
      case GENNC_SCOPE_COLUMN_POINTER:
        report.synapse_bytes += bytes;
        break;
      case GENNC_SCOPE_NEURON:
      case GENNC_SCOPE_RING:
        report.neuron_bytes += bytes;
        break;
      case GENNC_SCOPE_SCALAR:
      case GENNC_SCOPE_LIST:
        break;
    }
  }
  return report;
}

std::vector<std::string> result_files(const NetworkState& state) {
  std::vector<std::string> files;
  for (const Recording& r : state.recorder().recordings()) {
    files.push_back(r.name + ".neurons.npy");
    files.push_back(r.name + ".npy");
    if (r.info->kind != GENNC_RECORD_SPIKES) files.push_back(r.name + ".times.npy");
  }
  const GenncModel& m = state.model();
  for (uint32_t r = 0; r < m.synapse_recording_count; ++r)
    for (const char* suffix : {".npy", ".pre.npy", ".post.npy"})
      files.push_back(text(m.synapse_recordings[r].name) + suffix);
  files.push_back("manifest.json");
  return files;
}

Status check_results_folder(const NetworkState& state, const std::string& folder) {
  ResultsDestination destination;
  return inspect_results_destination(folder, result_files(state), &destination);
}

Status write_results(const NetworkState& state, const RunReport& run, const std::string& folder_name,
                     Timings* timings_out) {
  auto start = std::chrono::steady_clock::now();
  const GenncModel& m = state.model();
  ResultsDestination destination;
  GENNC_TRY(inspect_results_destination(folder_name, result_files(state), &destination));
  const fs::path& folder = destination.folder;
  std::error_code ec;
  fs::create_directories(destination.parent, ec);
  if (ec) return io_error("cannot create folder '" + destination.parent.string() + "': " + ec.message());
  fs::path fresh = results_temporary(destination);
  fs::remove_all(fresh, ec);
  if (!fs::create_directory(fresh, ec) || ec)
    return io_error("cannot write results to '" + folder.string() + "': " +
                    (ec ? ec.message() : std::string("cannot create a folder beside it")));

  nlohmann::json recordings = nlohmann::json::array();
  std::vector<std::string> written;
  auto write = [&](const std::string& file, const std::string& bytes) {
    written.push_back(file);
    return write_file((fresh / file).string(), bytes);
  };
  Status status;
  for (const Recording& r : state.recorder().recordings()) {
    nlohmann::json entry;
    entry["name"] = r.name;
    entry["population"] = r.population;
    if (!r.injection.empty()) entry["injection"] = r.injection;
    std::vector<int64_t> neurons(r.selection.members().begin(), r.selection.members().end());
    std::string neuron_file = r.name + ".neurons.npy";
    status = write(neuron_file, npy_image("<i8", {neurons.size()}, neurons.data(), neurons.size() * 8));
    if (!status.ok()) break;
    entry["neurons_file"] = neuron_file;
    entry["neuron_count"] = neurons.size();
    if (r.info->kind == GENNC_RECORD_SPIKES) {
      std::vector<double> table;
      table.reserve(2 * r.spikes.size());
      for (std::size_t k = 0; k < r.spikes.size(); ++k) {
        table.push_back(r.spikes[k].second);
        table.push_back(r.spike_times.empty() ? state.time_at(r.spikes[k].first) : r.spike_times[k]);
      }
      entry["kind"] = "spikes";
      entry["variable"] = "spikes";
      entry["unit"] = "ms";
      entry["file"] = r.name + ".npy";
      entry["count"] = r.spikes.size();
      status = write(r.name + ".npy", npy_image("<f8", {r.spikes.size(), 2}, table.data(), table.size() * 8));
    } else {
      uint64_t rows = r.sample_steps.size(), columns = r.selection.size();
      bool single = m.arrays[r.info->array].dtype == GENNC_F32;
      std::string bytes;
      if (single) {
        std::vector<float> values(r.samples.begin(), r.samples.end());
        bytes = npy_image("<f4", {rows, columns}, values.data(), values.size() * 4);
      } else {
        bytes = npy_image("<f8", {rows, columns}, r.samples.data(), r.samples.size() * 8);
      }
      std::vector<double> times;
      for (uint64_t steps : r.sample_steps) times.push_back(state.time_at(steps));
      entry["kind"] = "variable";
      entry["variable"] = text(r.info->variable);
      entry["unit"] = text(r.info->unit);
      entry["dtype"] = single ? "float32" : "float64";
      entry["interval"] = state.time_at(r.info->interval_steps);
      entry["file"] = r.name + ".npy";
      entry["times_file"] = r.name + ".times.npy";
      entry["samples"] = rows;
      status = write(r.name + ".npy", bytes);
      if (status.ok()) status = write(r.name + ".times.npy", npy_image("<f8", {times.size()}, times.data(), times.size() * 8));
    }
    if (!status.ok()) break;
    recordings.push_back(std::move(entry));
  }
  nlohmann::json synapses = nlohmann::json::array();
  for (uint32_t r = 0; r < m.synapse_recording_count && status.ok(); ++r)
    status = write_synapse_recording(state, m.synapse_recordings[r], write, &synapses);
  if (!status.ok()) {
    fs::remove_all(fresh, ec);
    return status;
  }

  nlohmann::json manifest;
  manifest["format"] = "gennc-results";
  manifest["format_version"] = 1;
  manifest["network"] = text(m.network_name);
  manifest["source"] = text(m.source_path);
  manifest["dt"] = m.dt;
  manifest["duration"] = state.time();
  manifest["steps"] = state.step();
  manifest["seed"] = state.seed();
  manifest["backend"] = run.backend;
  manifest["threads"] = run.threads;
  manifest["created"] = utc_now();
  nlohmann::json populations = nlohmann::json::array();
  for (uint32_t p = 0; p < m.population_count; ++p)
    populations.push_back({{"name", text(m.populations[p].name)},
                           {"model", text(m.populations[p].model)},
                           {"size", m.populations[p].size}});
  manifest["populations"] = populations;
  nlohmann::json projections = nlohmann::json::array();
  for (uint32_t p = 0; p < m.projection_count; ++p)
    projections.push_back({{"name", text(m.projections[p].name)},
                           {"pre", text(m.populations[m.projections[p].pre.population].name)},
                           {"post", text(m.populations[m.projections[p].post.population].name)},
                           {"synapses", state.total_synapse_count(p)}});
  manifest["projections"] = projections;
  manifest["recordings"] = recordings;
  manifest["synapse_recordings"] = synapses;
  manifest["files"] = written;  // what gennc may delete when it replaces this folder
  nlohmann::json kernels = nlohmann::json::object();
  for (uint32_t k = 0; k < m.kernel_count; ++k) kernels[text(m.kernels[k].name)] = run.kernel_seconds[k];
  manifest["kernel_seconds"] = kernels;
  const MemoryReport memory = memory_report(state);
  // Over MPI ranks each holds its share of the synapses: the bytes are summed over the
  // ranks, and each rank's own are listed.
  uint64_t synapse_bytes = memory.synapse_bytes;
  nlohmann::json ranks = nlohmann::json::array();
  if (!run.ranks.empty()) synapse_bytes = 0;
  for (const ProcessMemory& rank : run.ranks) {
    synapse_bytes += rank.synapse_bytes;
    ranks.push_back({{"synapses", rank.synapses},
                     {"synapse_bytes", rank.synapse_bytes},
                     {"bytes_per_synapse", rank.synapses ? double(rank.synapse_bytes) / double(rank.synapses) : 0.0},
                     {"peak_bytes", rank.peak_bytes}});
  }
  manifest["memory"] = {{"synapses", memory.synapses},
                        {"synapse_bytes", synapse_bytes},
                        {"bytes_per_synapse", memory.synapses ? double(synapse_bytes) / double(memory.synapses) : 0.0},
                        {"neurons", memory.neurons},
                        {"neuron_bytes", memory.neuron_bytes},
                        {"bytes_per_neuron", memory.bytes_per_neuron()},
                        {"ranks", ranks}};
  manifest["versions"] = {{"runtime", GENNC_RUNTIME_VERSION},
                          {"abi", GENNC_ABI_VERSION},
                          {"model_abi", m.abi_version},
                          {"compiler", text(m.compiler_version)}};
  Timings& t = *timings_out;
  t.write = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json timings;
  if (t.build > 0) timings["build"] = t.build;
  timings["init"] = t.init;
  for (const auto& [name, seconds] : t.init_parts) timings["init_parts"].push_back({{"name", name}, {"seconds", seconds}});
  timings["simulate"] = t.simulate;
  for (const auto& [name, seconds] : t.simulate_parts)
    timings["simulate_parts"].push_back({{"name", name}, {"seconds", seconds}});
  timings["write"] = t.write;
  // sim --profile: the step's parts (kernels on the CPU, stages on the GPU), per step.
  const std::vector<ProfileRow>& parts = run.profile;
  double step_total = 0.0;
  for (const ProfileRow& part : parts) step_total += part.seconds_per_step;
  for (const ProfileRow& part : parts)
    timings["profile"].push_back({{"name", part.name},
                                  {"kernels", part.members},
                                  {"seconds_per_step", part.seconds_per_step},
                                  {"share", step_total > 0 ? part.seconds_per_step / step_total : 0.0}});
  manifest["timings"] = timings;
  status = write("manifest.json", manifest.dump(2) + "\n");
  if (status.ok()) {
    sync_folder(fresh.string());
    status = install_results(fresh, written, destination);
  }
  if (!status.ok()) {
    fs::remove_all(fresh, ec);
    return status;
  }
  sync_folder(destination.parent.string());
  return ok();
}

}  // namespace gennc::runtime
