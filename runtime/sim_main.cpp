// The `sim` program: runs the compiled network linked into it (`gennc_model`) on the
// C ABI of gennc/runtime.h and writes the results folder. Exit codes: 0 success,
// 1 runtime error (past the recording budget the results so far are written), 2
// command-line misuse, 128 + the signal's number when SIGINT or SIGTERM stopped the run
// early (the results recorded so far are written).
#include <signal.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <string>

#include "gennc/random.h"
#include "gennc/runtime.h"

namespace {

// SIGINT and SIGTERM: the first asks the run to stop after the current step
// (gennc_request_stop; over MPI ranks every rank stops after the same step), and the
// results so far are then written; a second one ends the process at once, as the default
// action would. The handler only stores the signal's number, whichever thread takes it.
volatile std::sig_atomic_t stop_signal = 0;

extern "C" void on_stop_signal(int sig) {
  if (stop_signal != 0) {
    ::signal(sig, SIG_DFL);
    ::raise(sig);
    return;
  }
  stop_signal = sig;
  gennc_request_stop(sig);
}

void catch_stop_signals() {
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  ::sigaction(SIGINT, &action, nullptr);
  ::sigaction(SIGTERM, &action, nullptr);
}

// Steps per gennc_run call: a power of two near `target` seconds of simulation at the rate
// measured so far, so a stop request waits at most about that long on the GPU (the CPU
// stops after the step in progress), while the calls stay few (and a GPU captures few
// graphs: one per distinct size).
uint64_t batch_for(double seconds_per_step, double target) {
  if (!(seconds_per_step > 0)) return 1u << 16;
  double want = target / seconds_per_step;
  uint64_t steps = 1;
  while (steps < (uint64_t{1} << 30) && static_cast<double>(steps) * 2 <= want) steps *= 2;
  return steps;
}

// A decimal integer from 0 to `max`, digits only (no sign, exponent, hex or spaces), or
// false.
bool parse_unsigned(const std::string& text, uint64_t max, uint64_t* out) {
  if (text.empty() || text.size() > 20) return false;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    auto digit = static_cast<uint64_t>(c - '0');
    if (value > (max - digit) / 10) return false;
    value = value * 10 + digit;
  }
  *out = value;
  return true;
}

// A CLI11 check that the option is such an integer.
CLI::Validator unsigned_up_to(uint64_t max) {
  return CLI::Validator(
      [max](std::string& text) {
        uint64_t value;
        return parse_unsigned(text, max, &value)
                   ? std::string()
                   : "must be a whole number from 0 to " + std::to_string(max) + ", not '" + text + "'";
      },
      "0.." + std::to_string(max));
}

// What the sampled recordings will write for a run to `until_ms` (values and times at 8
// bytes each, the most either takes; spike counts are not known in advance).
uint64_t sampled_bytes(const GenncSim* sim, double until_ms) {
  double bytes = 0.0;
  for (uint32_t r = 0; r < gennc_recording_count(sim); ++r) {
    GenncRecordingDesc desc;
    if (gennc_recording_info(sim, r, &desc) != GENNC_OK || desc.kind != GENNC_RECORD_VARIABLE || !(desc.interval > 0))
      continue;
    bytes += (std::floor(until_ms / desc.interval) + 1.0) * (8.0 * desc.neuron_count + 8.0);
  }
  return bytes >= 1.8e19 ? UINT64_MAX : static_cast<uint64_t>(bytes);
}

// Bytes free to an unprivileged writer on the disk that will hold `folder` (its nearest
// existing ancestor's), or UINT64_MAX where that cannot be told.
uint64_t free_bytes_for(const std::string& folder) {
  std::error_code error;
  std::filesystem::path at = std::filesystem::absolute(folder, error);
  while (!at.empty() && !std::filesystem::exists(at, error)) at = at.parent_path();
  struct statvfs fs;
  if (at.empty() || statvfs(at.c_str(), &fs) != 0) return UINT64_MAX;
  return static_cast<uint64_t>(fs.f_bavail) * fs.f_frsize;
}

int runtime_error(const char* what) {
  std::fprintf(stderr, "sim: error: %s: %s\n", what, gennc_last_error());
  return 1;
}

void draw_progress(uint64_t done, uint64_t total, double dt) {
  const int width = 40;
  int filled = total ? static_cast<int>(width * done / total) : width;
  std::string bar(static_cast<size_t>(filled), '#');
  bar.append(static_cast<size_t>(width - filled), '-');
  std::fprintf(stderr, "\r[%s] %3d%%  %.1f / %.1f ms", bar.c_str(), total ? static_cast<int>(100 * done / total) : 100,
               static_cast<double>(done) * dt, static_cast<double>(total) * dt);
  std::fflush(stderr);
}

}  // namespace

int main(int argc, char** argv) {
  std::string network = gennc_model.network_name ? gennc_model.network_name : "network";
  CLI::App app("Simulates the network '" + network + "' and writes a results folder.");
  std::string out = "results/";
  double duration = gennc_model.duration;
  std::string seed_text, threads_text = "0", budget_text = "0", interval_text, partition_text, exchange, gpu_steps;
  std::string checkpoint, resume;
  std::string backend = "auto";
  bool quiet = false;
  bool profile = false;
  app.add_option("--out", out, "results folder (an absent, empty or earlier results folder: its files are replaced)")->capture_default_str();
  CLI::Option* duration_option =
      app.add_option("--duration", duration, "simulated time in ms (default: the network's duration)");
  CLI::Option* seed_option = app.add_option("--seed", seed_text, "random seed, 0 to 2^64 - 1 (default: the network's seed)")
                                 ->check(unsigned_up_to(UINT64_MAX));
  app.add_option("--backend", backend, "where to run: cpu, cuda or auto")
      ->check(CLI::IsMember({"cpu", "cuda", "auto"}))
      ->capture_default_str();
  app.add_option("--threads", threads_text,
                 "CPU worker threads (0: one per hardware thread; at most 4 x the hardware threads, or 8)")
      ->check(unsigned_up_to(UINT32_MAX))
      ->capture_default_str();
  app.add_option("--recording-budget", budget_text,
                 "MiB the recordings may hold; past it the run stops and the results so far are written (0: a "
                 "quarter of the memory left when the network is built)")
      ->check(unsigned_up_to(UINT64_MAX >> 20))
      ->capture_default_str();
  app.add_option("--checkpoint", checkpoint,
                 "write a checkpoint of the network's state to FILE when the run ends, also when a signal or the "
                 "recording budget stops it early");
  app.add_option("--resume", resume,
                 "start from a checkpoint that --checkpoint wrote for this network, and run on to --duration "
                 "(from t = 0)");
  app.add_option("--exchange-interval", interval_text,
                 "over MPI ranks, exchange spikes at most every N steps (default: as seldom as the network's delays "
                 "allow; docs/distributed.md); sets GENNC_EXCHANGE_INTERVAL")
      ->check(unsigned_up_to(UINT32_MAX));
  app.add_option("--partition", partition_text,
                 "over MPI ranks, each rank's share of the work, one non-negative number per rank, e.g. 1,1,2 (default: "
                 "equal; docs/distributed.md); sets GENNC_PARTITION");
  app.add_option("--exchange", exchange,
                 "how GPU ranks exchange spikes: auto (NCCL over several MPI ranks) or nccl (through NCCL even "
                 "alone, one rank of one GPU, with --backend cuda; docs/distributed.md); sets GENNC_EXCHANGE")
      ->check(CLI::IsMember({"auto", "nccl"}));
  app.add_option("--gpu-steps", gpu_steps,
                 "how one GPU launches its steps: graph (a CUDA graph of a launch per stage and step), persistent (one "
                 "cooperative launch per run of steps, a grid-wide barrier after each stage, every resident block), "
                 "persistent:N (N blocks per multiprocessor at most) or auto (the default: persistent:1 where every "
                 "stage's neurons fit one block per multiprocessor, else graph; docs/gpu.md); sets GENNC_GPU_STEPS")
      ->check(CLI::Validator(
          [](std::string& text) {
            const std::string n = text.rfind("persistent:", 0) == 0 ? text.substr(11) : "";
            const bool count = !n.empty() && n.size() <= 4 && n.find_first_not_of("0123456789") == std::string::npos &&
                               std::stoul(n) != 0;
            return text == "auto" || text == "persistent" || text == "graph" || count
                       ? std::string()
                       : "expected auto, graph, persistent or persistent:N (N from 1 to 9999), not '" + text + "'";
          },
          "auto|graph|persistent|persistent:N"));
  app.add_flag("--quiet", quiet, "print nothing but errors");
  app.add_flag("--profile", profile,
               "time each part of a step (CPU: each kernel; GPU: each stage and runtime kernel, steps launched one "
               "by one) and print the table; also in manifest.json");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  // Under mpirun every rank runs this program (docs/distributed.md); rank 0 speaks for all:
  // the runtime makes the ranks agree on every failure, so an error is printed once.
  uint32_t rank = 0;
  if (gennc_process_rank(&rank, nullptr) != GENNC_OK) {
    std::fprintf(stderr, "sim: error: %s\n", gennc_last_error());
    return 1;
  }
  if (rank != 0 && (!std::freopen("/dev/null", "w", stdout) || !std::freopen("/dev/null", "w", stderr))) return 1;
  // The runtime reads the bound when the run starts (runtime/src/mpi/rank_engine.cpp).
  if (!interval_text.empty() && ::setenv("GENNC_EXCHANGE_INTERVAL", interval_text.c_str(), 1) != 0) {
    std::fprintf(stderr, "sim: error: cannot set GENNC_EXCHANGE_INTERVAL\n");
    return 1;
  }
  // ... and the shares when the network is built (runtime/src/mpi/partition.cpp).
  if (!partition_text.empty() && ::setenv("GENNC_PARTITION", partition_text.c_str(), 1) != 0) {
    std::fprintf(stderr, "sim: error: cannot set GENNC_PARTITION\n");
    return 1;
  }
  // ... and how GPU ranks exchange spikes when the engine is chosen (runtime/src/simulation.cpp).
  if (!exchange.empty() && ::setenv("GENNC_EXCHANGE", exchange.c_str(), 1) != 0) {
    std::fprintf(stderr, "sim: error: cannot set GENNC_EXCHANGE\n");
    return 1;
  }
  // ... and how a single GPU launches its steps (runtime/src/cuda/cuda_engine.cpp).
  if (!gpu_steps.empty() && ::setenv("GENNC_GPU_STEPS", gpu_steps.c_str(), 1) != 0) {
    std::fprintf(stderr, "sim: error: cannot set GENNC_GPU_STEPS\n");
    return 1;
  }
  uint64_t seed = 0, threads = 0, budget_mib = 0;
  parse_unsigned(seed_text, UINT64_MAX, &seed);
  parse_unsigned(budget_text, UINT64_MAX >> 20, &budget_mib);
  parse_unsigned(threads_text, UINT32_MAX, &threads);
  if (duration_option->count() && !(std::isfinite(duration) && duration >= 0.0)) {
    std::fprintf(stderr, "sim: error: --duration must be a finite number of ms >= 0, not %g\n", duration);
    return 1;
  }
  if (std::round(duration / gennc_model.dt) > std::ldexp(1.0, GENNC_RANDOM_STEP_BITS)) {
    std::fprintf(stderr,
                 "sim: error: --duration %g ms is %g steps of dt = %g ms; the random streams address at most 2^%d "
                 "steps\n",
                 duration, std::round(duration / gennc_model.dt), gennc_model.dt, GENNC_RANDOM_STEP_BITS);
    return 1;
  }

  // sim has no way to give a from_host() projection its synapses (GenncOptions.connections).
  for (uint32_t p = 0; p < gennc_model.projection_count; ++p)
    if (gennc_model.projections[p].connector.kind == GENNC_CONNECT_FROM_HOST) {
      std::fprintf(stderr,
                   "sim: error: projection '%s' takes its synapses from the program that creates the simulation "
                   "(from_host()), which sim cannot supply: compile the network with `gennc --shared` and pass them "
                   "in GenncOptions.connections\n",
                   gennc_model.projections[p].name ? gennc_model.projections[p].name : "?");
      return 1;
    }

  // From here on SIGINT and SIGTERM stop the run, not the process (a second one does).
  catch_stop_signals();

  // A destination that cannot take the results is refused before anything runs.
  if (gennc_check_results_folder(nullptr, out.c_str()) != GENNC_OK) {
    std::fprintf(stderr, "sim: error: %s (nothing was run)\n", gennc_last_error());
    return 1;
  }

  GenncOptions options;
  gennc_default_options(&options);
  options.threads = static_cast<uint32_t>(threads);
  options.backend = backend.c_str();
  options.override_seed = seed_option->count() ? 1 : 0;
  options.seed = seed;
  options.output_folder = out.c_str();
  GenncSim* sim = nullptr;
  if (gennc_create(&gennc_model, &options, &sim) != GENNC_OK) return runtime_error("cannot set up the network");
  // Now with the file names the recordings will have.
  if (gennc_check_results_folder(sim, out.c_str()) != GENNC_OK) {
    std::fprintf(stderr, "sim: error: %s (nothing was run)\n", gennc_last_error());
    gennc_destroy(sim);
    return 1;
  }
  gennc_set_recording_budget(sim, budget_mib << 20);
  if (profile && gennc_set_profiling(sim, 1) != GENNC_OK) {
    int rc = runtime_error("cannot profile");
    gennc_destroy(sim);
    return rc;
  }

  if (!resume.empty() && gennc_load_checkpoint(sim, resume.c_str()) != GENNC_OK) {
    std::fprintf(stderr, "sim: error: cannot resume from '%s': %s (nothing was run)\n", resume.c_str(), gennc_last_error());
    gennc_destroy(sim);
    return 1;
  }

  double dt = gennc_dt(sim);
  // Steps still to run: a resumed network has done some of them already.
  const auto until = static_cast<uint64_t>(std::llround(duration / dt));
  const uint64_t total = until > gennc_step(sim) ? until - gennc_step(sim) : 0;
  // A run whose samples cannot fit the results folder's disk is refused before it starts.
  const uint64_t needed = sampled_bytes(sim, static_cast<double>(until) * dt);
  const uint64_t available = free_bytes_for(out);
  if (needed > available) {
    std::fprintf(stderr,
                 "sim: error: cannot write results to %s: the sampled recordings of %.10g ms need about %.0f MiB and "
                 "its disk has %.0f MiB free (nothing was run)\n",
                 out.c_str(), static_cast<double>(until) * dt, static_cast<double>(needed) / (1 << 20),
                 static_cast<double>(available) / (1 << 20));
    gennc_destroy(sim);
    return 1;
  }
  bool progress = !quiet && isatty(STDERR_FILENO) && total >= 1000;
  // Batches of about 0.2 s (16 steps to measure the rate first); the progress bar, when
  // shown, is redrawn after each.
  uint64_t batch = 16;
  double measured = 0.0;
  uint64_t done = 0;
  bool over_budget = false;
  bool numerical_error = false;  // a state went NaN or infinite: the results so far are still written
  int stopped_by = 0;  // the signal that stopped the run, here or on another rank
  // The last call runs no steps: over MPI ranks it closes the last exchange interval, whose
  // spikes are then delivered and recorded, and a fault in it is reported (alone, a run of
  // no steps does nothing).
  bool closed = false;
  while (done < total || (done > 0 && !closed)) {
    const uint64_t steps = std::min(batch, total - done);
    closed = steps == 0;
    auto started = std::chrono::steady_clock::now();
    GenncStatus status = gennc_run(sim, steps);
    if (status == GENNC_STOPPED) {
      stopped_by = gennc_stop_reason();
      break;
    }
    // Past the recording budget the run stops after a whole step: what it recorded is kept.
    if (status == GENNC_ERROR_LIMIT) {
      if (progress) std::fputc('\n', stderr);
      std::fprintf(stderr, "sim: error: %s; writing the results of the first %.10g ms to %s\n", gennc_last_error(),
                   gennc_time(sim), out.c_str());
      over_budget = true;
      break;
    }
    if (status != GENNC_OK) {
      if (progress) std::fputc('\n', stderr);
      int rc = runtime_error("simulation failed");
      if (status == GENNC_ERROR_NUMERICAL || status == GENNC_ERROR_CAPACITY) {
        numerical_error = true;
        break;
      }
      gennc_destroy(sim);
      return rc;
    }
    measured += std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    done += steps;
    batch = batch_for(measured / static_cast<double>(done), 0.2);
    if (progress) draw_progress(done, total, dt);
  }
  if (progress && !numerical_error) std::fputc('\n', stderr);
  if (stopped_by != 0)
    std::fprintf(stderr,
                 "sim: %s: stopped after %.10g of %.10g ms (step %llu of %llu); writing the results recorded so far "
                 "to %s (a second signal ends sim at once)\n",
                 stopped_by == SIGINT ? "SIGINT" : "SIGTERM", gennc_time(sim), static_cast<double>(until) * dt,
                 static_cast<unsigned long long>(gennc_step(sim)), static_cast<unsigned long long>(until), out.c_str());

  if (gennc_write_results(sim, out.c_str()) != GENNC_OK) {
    int rc = runtime_error("cannot write results");
    gennc_destroy(sim);
    return rc;
  }
  // A state with a NaN in it would only stop the resumed run at once.
  if (!checkpoint.empty() && !numerical_error) {
    if (gennc_save_checkpoint(sim, checkpoint.c_str()) != GENNC_OK) {
      int rc = runtime_error("cannot write the checkpoint");
      gennc_destroy(sim);
      return rc;
    }
    if (!quiet || stopped_by != 0)
      std::fprintf(stderr, "sim: checkpoint at %.10g ms written to %s\n", gennc_time(sim), checkpoint.c_str());
  }
  GenncTimings t;
  if (!quiet && gennc_timings(sim, &t) == GENNC_OK) {
    std::printf("%s: %.1f ms simulated, results in %s\n", network.c_str(), gennc_time(sim), out.c_str());
    std::printf("  backend  %s\n", gennc_backend(sim));
    if (t.build > 0) std::printf("  build    %8.3f s\n", t.build);
    std::printf("  init     %8.3f s\n", t.init);
    std::printf("  simulate %8.3f s", t.simulate);
    if (t.simulate > 0) std::printf("  (%.2f x real time)", gennc_time(sim) / 1000.0 / t.simulate);
    std::printf("\n  write    %8.3f s\n", t.write);
  }
  if (profile) std::printf("profile (mean per step)\n%s", gennc_profile(sim));
  if (stopped_by != 0)
    std::fprintf(stderr, "sim: %s: the results of the first %.10g ms are in %s\n",
                 stopped_by == SIGINT ? "SIGINT" : "SIGTERM", gennc_time(sim), out.c_str());
  if (numerical_error)
    std::fprintf(stderr, "sim: the results of the first %.10g ms are in %s\n", gennc_time(sim), out.c_str());
  gennc_destroy(sim);
  if (over_budget || numerical_error) return 1;
  return stopped_by != 0 ? 128 + stopped_by : 0;
}
