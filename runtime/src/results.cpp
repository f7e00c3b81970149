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
#include "simulation.h"

namespace gennc::runtime {
namespace {

namespace fs = std::filesystem;

std::string text(const char* s) { return s ? s : ""; }

void sync_folder(const fs::path& folder) {
  int fd = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

// Replaces `folder` by `fresh` in one step where the file system allows (an exchange of
// the two names), else by two renames; the old contents are removed only afterwards.
Status swap_in(const fs::path& fresh, const fs::path& folder) {
  std::error_code ec;
  if (!fs::exists(folder, ec)) {
    if (std::rename(fresh.c_str(), folder.c_str()) != 0)
      return io_error("cannot create results folder '" + folder.string() + "': " + std::strerror(errno));
    return ok();
  }
  if (::renameat2(AT_FDCWD, fresh.c_str(), AT_FDCWD, folder.c_str(), RENAME_EXCHANGE) == 0) {
    fs::remove_all(fresh, ec);
    return ok();
  }
  fs::path old = folder;
  old += ".old-" + std::to_string(::getpid());
  fs::remove_all(old, ec);
  if (std::rename(folder.c_str(), old.c_str()) != 0)
    return io_error("cannot replace results folder '" + folder.string() + "': " + std::strerror(errno));
  if (std::rename(fresh.c_str(), folder.c_str()) != 0) {
    std::string reason = std::strerror(errno);
    std::rename(old.c_str(), folder.c_str());
    return io_error("cannot replace results folder '" + folder.string() + "': " + reason);
  }
  fs::remove_all(old, ec);
  return ok();
}

}  // namespace

Status Simulation::write_results(const std::string& folder_name) {
  auto start = std::chrono::steady_clock::now();
  const GenncModel& m = model_;
  std::string trimmed = folder_name;
  while (trimmed.size() > 1 && trimmed.back() == '/') trimmed.pop_back();
  if (trimmed.empty()) return argument_error("no results folder given");
  fs::path folder(trimmed);
  std::error_code ec;

  // Only an empty folder or an earlier results folder may be replaced.
  if (fs::exists(folder, ec)) {
    if (!fs::is_directory(folder, ec))
      return io_error("results folder '" + folder.string() + "' exists and is not a folder");
    if (!fs::is_empty(folder, ec) && !fs::exists(folder / "manifest.json", ec))
      return io_error("'" + folder.string() +
                      "' is not empty and holds no manifest.json; refusing to replace a folder that is not "
                      "a gennc results folder");
  }
  fs::path parent = folder.has_parent_path() ? folder.parent_path() : fs::path(".");
  fs::create_directories(parent, ec);
  if (ec) return io_error("cannot create folder '" + parent.string() + "': " + ec.message());
  fs::path fresh = folder;
  fresh += ".tmp-" + std::to_string(::getpid());
  fs::remove_all(fresh, ec);
  if (!fs::create_directory(fresh, ec) || ec)
    return io_error("cannot write results to '" + folder.string() + "': " +
                    (ec ? ec.message() : std::string("cannot create a folder beside it")));

  nlohmann::json recordings = nlohmann::json::array();
  auto write = [&](const std::string& file, const std::string& bytes) { return write_file((fresh / file).string(), bytes); };
  Status status;
  for (const Recording& r : recorder_.recordings()) {
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
      for (const auto& [steps, neuron] : r.spikes) {
        table.push_back(neuron);
        table.push_back(time_at(steps));
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
      for (uint64_t steps : r.sample_steps) times.push_back(time_at(steps));
      entry["kind"] = "variable";
      entry["variable"] = text(r.info->variable);
      entry["unit"] = text(r.info->unit);
      entry["dtype"] = single ? "float32" : "float64";
      entry["interval"] = time_at(r.info->interval_steps);
      entry["file"] = r.name + ".npy";
      entry["times_file"] = r.name + ".times.npy";
      entry["samples"] = rows;
      status = write(r.name + ".npy", bytes);
      if (status.ok()) status = write(r.name + ".times.npy", npy_image("<f8", {times.size()}, times.data(), times.size() * 8));
    }
    if (!status.ok()) break;
    recordings.push_back(std::move(entry));
  }
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
  manifest["duration"] = time();
  manifest["steps"] = step_;
  manifest["seed"] = seed_;
  manifest["backend"] = backend();
  manifest["threads"] = pool_.size();
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
                           {"synapses", synapse_counts_[p]}});
  manifest["projections"] = projections;
  manifest["recordings"] = recordings;
  nlohmann::json kernels = nlohmann::json::object();
  for (uint32_t k = 0; k < m.kernel_count; ++k) kernels[text(m.kernels[k].name)] = kernel_seconds_[k];
  manifest["kernel_seconds"] = kernels;
  manifest["versions"] = {{"runtime", GENNC_RUNTIME_VERSION},
                          {"abi", GENNC_ABI_VERSION},
                          {"model_abi", m.abi_version},
                          {"compiler", text(m.compiler_version)}};
  timings_.write = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  nlohmann::json timings;
  if (timings_.build > 0) timings["build"] = timings_.build;
  timings["init"] = timings_.init;
  timings["simulate"] = timings_.simulate;
  timings["write"] = timings_.write;
  // sim --profile: the step's parts (kernels on the CPU, stages on the GPU), per step.
  const std::vector<ProfileRow> parts = profile();
  double step_total = 0.0;
  for (const ProfileRow& part : parts) step_total += part.seconds_per_step;
  for (const ProfileRow& part : parts)
    timings["profile"].push_back({{"name", part.name},
                                  {"kernels", part.members},
                                  {"seconds_per_step", part.seconds_per_step},
                                  {"share", step_total > 0 ? part.seconds_per_step / step_total : 0.0}});
  manifest["timings"] = timings;
  status = write("manifest.json", manifest.dump(2) + "\n");
  if (!status.ok()) {
    fs::remove_all(fresh, ec);
    return status;
  }
  sync_folder(fresh);
  status = swap_in(fresh, folder);
  if (!status.ok()) {
    fs::remove_all(fresh, ec);
    return status;
  }
  sync_folder(parent);
  return ok();
}

}  // namespace gennc::runtime
