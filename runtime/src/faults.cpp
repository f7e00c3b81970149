// Numerical faults: the fault reports that neuron update kernels write when a state becomes
// NaN or infinite (compiler/passes/check_finite_states.h), turned into an error that
// names the population, the neuron, the variable and the time.
#include <cmath>
#include <cstdio>
#include <string>

#include "simulation.h"

namespace gennc::runtime {

namespace {

constexpr uint32_t kNone = UINT32_MAX;

std::string number(double v) {
  char text[32];
  std::snprintf(text, sizeof text, "%.10g", v);
  return text;
}

}  // namespace

Status Simulation::check_faults() {
  // The earliest step of any population's report; on a tie, the first population.
  uint32_t first = kNone;
  double first_step = 0.0;
  for (uint32_t a : state_.fault_steps()) {
    double step = 0.0;
    if (fresh_ == Fresh::Engine) GENNC_TRY(engine_->read_array(a, &step, sizeof step));
    else step = state_.array(a).get(0);
    if (step != 0.0 && (first == kNone || step < first_step)) first = a, first_step = step;
  }
  if (first == kNone) return ok();
  GENNC_TRY(host_view());
  const GenncModel& m = state_.model();
  const uint32_t pop = m.arrays[first].owner;
  const GenncPopulationInfo& info = m.populations[pop];
  uint32_t codes = kNone;
  for (uint32_t a = 0; a < m.array_count; ++a)
    if ((m.arrays[a].flags & GENNC_ARRAY_FAULT) && m.arrays[a].owner == pop &&
        m.arrays[a].scope == GENNC_SCOPE_NEURON)
      codes = a;
  if (codes == kNone) return internal_error(std::string("no fault codes for population ") + info.name);
  const auto* code = static_cast<const uint32_t*>(state_.array(codes).data());
  uint32_t neuron = 0;
  while (neuron < info.size && code[neuron] == 0) ++neuron;
  if (neuron == info.size) return internal_error(std::string("a fault without a neuron in population ") + info.name);
  const uint32_t array = (code[neuron] & GENNC_FAULT_ARRAY_MASK) - 1;
  const uint64_t step = static_cast<uint64_t>(first_step) - 1;
  const std::string where = std::string("population '") + info.name + "', neuron " + std::to_string(neuron);
  const std::string when =
      "in the step from t = " + number(state_.time_at(step)) + " to " + number(state_.time_at(step + 1)) + " ms";
  if (array >= m.array_count) return internal_error("a fault code names no array in " + where);
  if (code[neuron] & GENNC_FAULT_EVENTS) {
    // The event count of one receptor; its weights (the next array, of the same prefix)
    // hold the capacity as their `length`.
    std::string ring = m.arrays[array].name;
    const std::string suffix = ".event_count";
    if (ring.size() > suffix.size() && ring.compare(ring.size() - suffix.size(), suffix.size(), suffix) == 0)
      ring.erase(ring.size() - suffix.size());
    const std::string prefix = std::string(info.name) + ".";
    if (ring.compare(0, prefix.size(), prefix) == 0) ring.erase(0, prefix.size());
    const uint64_t capacity = array + 1 < m.array_count ? m.arrays[array + 1].length : 0;
    return capacity_error("too many events in " + where + ": more than " + std::to_string(capacity) +
                          " spikes arrived at receptor '" + ring + "' " + when +
                          " (a precise population's event ring holds that many per neuron and step)");
  }
  if (code[neuron] & GENNC_FAULT_SUBSTEPS)
    return numerical_error("numerical error in " + where + ": the adaptive solver ran out of substeps " + when +
                           " (a diverging or very stiff system; a larger --solver-tolerance or a smaller dt may help)");
  // The variable as the model names it: the array's name without the population's.
  std::string variable = m.arrays[array].name;
  const std::string prefix = std::string(info.name) + ".";
  if (variable.compare(0, prefix.size(), prefix) == 0) variable.erase(0, prefix.size());
  const double value = state_.array(array).get(neuron);
  const char* what = std::isnan(value) ? "NaN" : std::isinf(value) ? (value > 0 ? "+infinity" : "-infinity") : "not finite";
  return numerical_error("numerical error in " + where + ": " + variable + " became " + what + " " + when);
}

}  // namespace gennc::runtime
