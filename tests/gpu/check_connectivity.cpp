// Builds one compiled network (a `gennc --shared` library) on the CPU and on the CUDA back
// end and compares, through the C ABI, every array: every array's length (ring depths
// included), connectivity (CSR row pointers, columns, column indices), per-synapse weights
// and delays and initial state must be identical after creation, and connectivity again
// after running (read back from the device); state after running is reported. The device
// draws initial values itself: arrays drawn through log, exp, sin or cos (normal,
// exponential, gamma, ...; libdevice may round those differently from glibc) may differ by
// a few units in the last place of their type, every other array must be identical. Then a
// checkpoint of the GPU run must load back exactly, and the connectivity still agree after
// running on. Exit 0: identical, 1: a difference, 77: no usable GPU (ctest's skip code),
// 2: misuse.
//   check_connectivity MODEL.so [STEPS]
#include <dlfcn.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "gennc/runtime.h"

namespace {

struct Api {
  decltype(&gennc_default_options) default_options;
  decltype(&gennc_create) create;
  decltype(&gennc_destroy) destroy;
  decltype(&gennc_run) run;
  decltype(&gennc_last_error) last_error;
  decltype(&gennc_backend) backend;
  decltype(&gennc_array_info) array_info;
  decltype(&gennc_get_array_f64) get_array_f64;
  decltype(&gennc_save_checkpoint) save_checkpoint;
  decltype(&gennc_load_checkpoint) load_checkpoint;
  decltype(&gennc_reset) reset;
};

template <typename Fn>
bool find(void* library, const char* name, Fn* out) {
  *out = reinterpret_cast<Fn>(dlsym(library, name));
  if (*out == nullptr) std::fprintf(stderr, "check_connectivity: the library has no %s\n", name);
  return *out != nullptr;
}

std::vector<double> values(const Api& api, GenncSim* sim, const char* name) {
  GenncArrayDesc desc;
  if (api.array_info(sim, name, &desc) != GENNC_OK) return {};
  std::vector<double> out(desc.length);
  if (api.get_array_f64(sim, name, out.data(), out.size()) != GENNC_OK) {
    std::fprintf(stderr, "check_connectivity: reading '%s': %s\n", name, api.last_error());
    std::exit(1);
  }
  return out;
}

bool structural(const GenncArrayInfo& a) {
  return a.scope == GENNC_SCOPE_SYNAPSE || a.scope == GENNC_SCOPE_ROW_POINTER ||
         a.scope == GENNC_SCOPE_COLUMN_POINTER;
}

// How far the back ends may differ on an array's initial values, relative to max(1, |value|):
// 4 units in the last place of the array's type for draws through libm, else nothing.
double init_tolerance(const GenncArrayInfo& a) {
  switch (a.init.kind) {
    case GENNC_INIT_NORMAL:
    case GENNC_INIT_NORMAL_CLIPPED:
    case GENNC_INIT_NORMAL_CLIPPED_TO_BOUNDARY:
    case GENNC_INIT_EXPONENTIAL:
    case GENNC_INIT_GAMMA:
    case GENNC_INIT_LOGNORMAL:
    case GENNC_INIT_POISSON:
    case GENNC_INIT_BINOMIAL:
      return 4.0 * (a.dtype == GENNC_F32 ? 1.1920929e-7 : 2.220446049250313e-16);
    default:
      return 0.0;
  }
}

// Compares the arrays `which` selects; returns the number that differ beyond `tolerance`
// or the array's init_tolerance, whichever is larger (relative to max(1, |value|)).
int compare(const Api& api, const GenncModel& model, GenncSim* cpu, GenncSim* gpu, bool (*which)(const GenncArrayInfo&),
            double stage_tolerance, const char* stage) {
  int differing = 0;
  for (uint32_t k = 0; k < model.array_count; ++k) {
    const GenncArrayInfo& info = model.arrays[k];
    if (!which(info)) continue;
    const double tolerance = std::fmax(stage_tolerance, init_tolerance(info));
    std::vector<double> a = values(api, cpu, info.name), b = values(api, gpu, info.name);
    double worst = a.size() == b.size() ? 0.0 : INFINITY;
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
      double error = std::fabs(a[i] - b[i]) / std::fmax(1.0, std::fabs(a[i]));
      if (!(error <= worst)) worst = error;
    }
    bool same = worst <= tolerance;
    differing += same ? 0 : 1;
    std::printf("%-10s %-32s %9zu elements  %s (worst %.3g)\n", stage, info.name, a.size(),
                same ? "agree" : "DIFFER", worst);
  }
  return differing;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: check_connectivity MODEL.so [STEPS]\n");
    return 2;
  }
  const uint64_t steps = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 1000;
  void* library = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
  if (library == nullptr) {
    std::fprintf(stderr, "check_connectivity: %s\n", dlerror());
    return 2;
  }
  Api api;
  const auto* model = static_cast<const GenncModel*>(dlsym(library, "gennc_model"));
  if (model == nullptr || !find(library, "gennc_default_options", &api.default_options) ||
      !find(library, "gennc_create", &api.create) || !find(library, "gennc_destroy", &api.destroy) ||
      !find(library, "gennc_run", &api.run) || !find(library, "gennc_last_error", &api.last_error) ||
      !find(library, "gennc_backend", &api.backend) || !find(library, "gennc_array_info", &api.array_info) ||
      !find(library, "gennc_get_array_f64", &api.get_array_f64) ||
      !find(library, "gennc_save_checkpoint", &api.save_checkpoint) ||
      !find(library, "gennc_load_checkpoint", &api.load_checkpoint) || !find(library, "gennc_reset", &api.reset))
    return 2;

  GenncOptions options;
  api.default_options(&options);
  options.threads = 1;
  options.backend = "cpu";
  GenncSim* cpu = nullptr;
  if (api.create(model, &options, &cpu) != GENNC_OK) {
    std::fprintf(stderr, "check_connectivity: CPU set-up failed: %s\n", api.last_error());
    return 1;
  }
  options.backend = "cuda";
  GenncSim* gpu = nullptr;
  GenncStatus status = api.create(model, &options, &gpu);
  if (status == GENNC_ERROR_BACKEND) {
    std::printf("SKIP: %s\n", api.last_error());
    api.destroy(cpu);
    return 77;
  }
  if (status != GENNC_OK) {
    std::fprintf(stderr, "check_connectivity: GPU set-up failed: %s\n", api.last_error());
    return 1;
  }
  std::printf("%s: cpu vs %s\n", model->network_name, api.backend(gpu));

  auto initial = [](const GenncArrayInfo& a) {
    return structural(a) || (a.flags & (GENNC_ARRAY_STATE | GENNC_ARRAY_PARAMETER)) != 0;
  };
  int differing = compare(api, *model, cpu, gpu, initial, 0.0, "created");
  // Every array has its CPU length: the rings too, whose depth the longest delay sets.
  for (uint32_t k = 0; k < model->array_count; ++k) {
    GenncArrayDesc a, b;
    const char* name = model->arrays[k].name;
    if (api.array_info(cpu, name, &a) != GENNC_OK || api.array_info(gpu, name, &b) != GENNC_OK ||
        a.length != b.length) {
      std::printf("created    %-32s length DIFFERS\n", name);
      ++differing;
    }
  }
  if (api.run(cpu, steps) != GENNC_OK || api.run(gpu, steps) != GENNC_OK) {
    std::fprintf(stderr, "check_connectivity: running failed: %s\n", api.last_error());
    return 1;
  }
  differing += compare(api, *model, cpu, gpu, structural, 0.0, "after run");
  auto state = [](const GenncArrayInfo& a) { return !structural(a) && (a.flags & GENNC_ARRAY_STATE) != 0; };
  compare(api, *model, cpu, gpu, state, INFINITY, "state");

  // A checkpoint of the GPU simulation, saved, run past and loaded again, gives back the
  // saved arrays; the device copy is rebuilt and running on continues to agree.
  std::vector<std::vector<double>> saved;
  for (uint32_t k = 0; k < model->array_count; ++k) saved.push_back(values(api, gpu, model->arrays[k].name));
  const std::string checkpoint = std::string(argv[1]) + ".ckpt";
  if (api.save_checkpoint(gpu, checkpoint.c_str()) != GENNC_OK || api.run(gpu, 10) != GENNC_OK ||
      api.load_checkpoint(gpu, checkpoint.c_str()) != GENNC_OK) {
    std::fprintf(stderr, "check_connectivity: checkpoint round trip failed: %s\n", api.last_error());
    return 1;
  }
  std::remove(checkpoint.c_str());
  for (uint32_t k = 0; k < model->array_count; ++k)
    if (values(api, gpu, model->arrays[k].name) != saved[k]) {
      std::printf("checkpoint %-32s DIFFERS after loading\n", model->arrays[k].name);
      ++differing;
    }
  if (api.run(cpu, steps) != GENNC_OK || api.run(gpu, steps) != GENNC_OK) {
    std::fprintf(stderr, "check_connectivity: running on failed: %s\n", api.last_error());
    return 1;
  }
  differing += compare(api, *model, cpu, gpu, structural, 0.0, "run on");

  // A reset after runs that ended in the middle of a batch (and, folded, on either step
  // parity): both back to the state of their first run, which is their state at creation,
  // and running again agrees.
  if (api.reset(cpu) != GENNC_OK || api.reset(gpu) != GENNC_OK) {
    std::fprintf(stderr, "check_connectivity: reset failed: %s\n", api.last_error());
    return 1;
  }
  differing += compare(api, *model, cpu, gpu, initial, 0.0, "reset");
  if (api.run(cpu, steps) != GENNC_OK || api.run(gpu, steps) != GENNC_OK) {
    std::fprintf(stderr, "check_connectivity: running after the reset failed: %s\n", api.last_error());
    return 1;
  }
  differing += compare(api, *model, cpu, gpu, structural, 0.0, "after reset");
  api.destroy(gpu);
  api.destroy(cpu);
  std::printf("%s\n", differing == 0 ? "connectivity identical" : "connectivity DIFFERS");
  return differing == 0 ? 0 : 1;
}
