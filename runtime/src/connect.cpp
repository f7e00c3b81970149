#include "connect.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <new>
#include <unordered_set>

#include "files.h"
#include "gennc/connect_rows.h"
#include "gennc/random.h"
#include "initialise.h"

namespace gennc::runtime {
namespace {

// A connection file's text is read whole: beyond this it is surely not one.
constexpr uint64_t kLargestConnectionFile = uint64_t{8} << 30;
// The deepest delay ring (NetworkState::build_rings) holds 2^31 steps, the longest delay + 1.
constexpr double kLongestDelaySteps = 2147483647.0;

std::string describe(const GenncProjectionInfo& projection) {
  return "projection '" + std::string(projection.name ? projection.name : "?") + "'";
}

class Builder {
 public:
  Builder(const ConnectRequest& request, Connections* out)
      : r_(request), c_(request.projection->connector), out_(out) {
    same_population_ = request.pre->population() == request.post->population();
    self_allowed_ = c_.allow_self_connections != 0 || !same_population_;
  }

  Status build() {
    switch (c_.kind) {
      case GENNC_CONNECT_ALL_TO_ALL:
      case GENNC_CONNECT_ONE_TO_ONE:
      case GENNC_CONNECT_FIXED_PROBABILITY:
      case GENNC_CONNECT_FIXED_NUMBER_POST: return generated_lines(true);
      case GENNC_CONNECT_FIXED_NUMBER_PRE: return generated_lines(false);
      case GENNC_CONNECT_FIXED_TOTAL_NUMBER: return fixed_total_number();
      case GENNC_CONNECT_DISTANCE_PROBABILITY:
      case GENNC_CONNECT_DISPLACEMENT_PROBABILITY:
      case GENNC_CONNECT_INDEX_PROBABILITY: return callback_probability();
      case GENNC_CONNECT_SMALL_WORLD: return small_world();
      case GENNC_CONNECT_FROM_LIST: return from_rows(c_.list, c_.list_rows, c_.list_columns, "list");
      case GENNC_CONNECT_FROM_FILE: return from_file();
      case GENNC_CONNECT_ARRAY: return array();
      case GENNC_CONNECT_CLONE: return clone();
      case GENNC_CONNECT_FROM_HOST: return from_host();
    }
    return error("unknown connector kind " + std::to_string(static_cast<int>(c_.kind)));
  }

 private:
  Status error(const std::string& message) const { return model_error(describe(*r_.projection) + ": " + message); }

  uint32_t n_pre() const { return r_.pre->size(); }
  uint32_t n_post() const { return r_.post->size(); }
  // Whether synapses onto position j of the post selection are kept (ConnectRequest::owned).
  bool owned(uint32_t j) const {
    if (r_.owned == nullptr) return true;
    const uint32_t neuron = r_.post->global(j);
    return neuron >= r_.owned->first && neuron < r_.owned->second;
  }
  // The post positions [lo, hi) from the first kept one to the last (lo == hi: none), for
  // rows that can skip to them.
  std::pair<uint32_t, uint32_t> owned_span() const {
    if (r_.owned == nullptr) return {0, n_post()};
    return r_.post->span(r_.owned->first, r_.owned->second);
  }
  bool is_self(uint32_t i, uint32_t j) const { return same_population_ && r_.pre->global(i) == r_.post->global(j); }
  bool allowed(uint32_t i, uint32_t j) const { return self_allowed_ || !is_self(i, j); }
  // Adds the synapse (positions i, j) where its post neuron is kept; says whether it was.
  bool add(Connections* out, uint32_t i, uint32_t j) const {
    if (!owned(j)) return false;
    out->pre.push_back(i);
    out->post.push_back(j);
    return true;
  }
  bool add(uint32_t i, uint32_t j) { return add(out_, i, j); }

  // Runs fn(line, out) for every line (row or column) in [0, count), in blocks spread
  // over the thread pool, and appends the blocks' synapses in line order, so the result
  // does not depend on the threads. The first failing line (in order) is reported.
  template <typename Fn>
  Status lines(uint32_t count, Fn fn) {
    constexpr uint32_t kBlock = 64;
    uint32_t blocks = (count + kBlock - 1) / kBlock;
    std::vector<Connections> parts(blocks);
    std::vector<Status> status(blocks);
    auto body = [&](uint32_t begin, uint32_t end) {
      for (uint32_t b = begin; b < end; ++b) {
        try {
          for (uint32_t a = b * kBlock; a < std::min(count, (b + 1) * kBlock) && status[b].ok(); ++a)
            status[b] = fn(a, &parts[b]);
        } catch (const std::bad_alloc&) {
          status[b] = Status(GENNC_ERROR_INTERNAL, "out of memory while connecting " + describe(*r_.projection));
        }
      }
    };
    if (r_.pool != nullptr) r_.pool->parallel_for(blocks, 1, body); else body(0, blocks);
    for (const Status& s : status) GENNC_TRY(s);
    for (Connections& part : parts) {
      out_->pre.insert(out_->pre.end(), part.pre.begin(), part.pre.end());
      out_->post.insert(out_->post.end(), part.post.begin(), part.post.end());
      part = Connections();
    }
    return ok();
  }

  // Where pre neuron i (local) itself sits in the post selection when self connections
  // are excluded, else -1: such rows have one candidate fewer.
  int64_t excluded_post(uint32_t i) const {
    if (self_allowed_) return -1;
    return r_.post->local(r_.pre->global(i));
  }
  int64_t excluded_pre(uint32_t j) const {
    if (self_allowed_) return -1;
    return r_.pre->local(r_.post->global(j));
  }
  static uint32_t skip(uint64_t candidate, int64_t excluded) {
    return static_cast<uint32_t>(excluded >= 0 && candidate >= static_cast<uint64_t>(excluded) ? candidate + 1 : candidate);
  }

  double distance(uint32_t i, uint32_t j, double* dx, double* dy, double* dz) const {
    uint32_t gi = r_.pre->global(i), gj = r_.post->global(j);
    *dx = (*r_.post_xyz)[3 * gj] - (*r_.pre_xyz)[3 * gi];
    *dy = (*r_.post_xyz)[3 * gj + 1] - (*r_.pre_xyz)[3 * gi + 1];
    *dz = (*r_.post_xyz)[3 * gj + 2] - (*r_.pre_xyz)[3 * gi + 2];
    return std::sqrt(*dx * *dx + *dy * *dy + *dz * *dz);
  }

  // The connectors of gennc/connect_rows.h, generated line by line by the cursor the GPU
  // uses too: rows of pre neurons, or for FIXED_NUMBER_PRE columns of post neurons (a
  // column is a FIXED_NUMBER_POST row with the sides swapped, drawn at the post neuron's
  // index). Floyd's repeat rule checks a hash set here rather than scanning the line.
  Status generated_lines(bool per_pre) {
    uint32_t kind = per_pre ? c_.kind : GENNC_CONNECT_FIXED_NUMBER_POST;
    double param = c_.params[0];
    if (kind == GENNC_CONNECT_FIXED_PROBABILITY && !(param >= 0.0 && param <= 1.0))
      return error("fixed_probability needs 0 <= p <= 1, not " + std::to_string(param));
    if (kind == GENNC_CONNECT_FIXED_NUMBER_POST && (!(param >= 0.0) || param != std::floor(param)))
      return error("fixed_number needs a whole n >= 0");
    if (kind == GENNC_CONNECT_ONE_TO_ONE && n_pre() != n_post())
      return error("one_to_one needs pre and post of equal size, not " + std::to_string(n_pre()) + " and " +
                   std::to_string(n_post()));
    GenncRowConnector rows;
    if (gennc_row_connector_init(&rows, kind, r_.seed, c_.stream, per_pre ? n_post() : n_pre(), param,
                                 c_.with_replacement) != 0)
      return error("fixed_number needs n below 2^32");
    // The kept post positions: rows generate only the blocks that reach them.
    const auto [first_kept, end_kept] = owned_span();
    return lines(per_pre ? n_pre() : n_post(), [&](uint32_t a, Connections* out) {
      int64_t skip = per_pre ? excluded_post(a) : excluded_pre(a);
      uint32_t excluded = skip >= 0 ? static_cast<uint32_t>(skip) : GENNC_ROW_NONE;
      if (!gennc_row_feasible(&rows, excluded)) {
        uint32_t m = gennc_row_candidates(&rows, excluded);
        if (rows.with_replacement) return error("cannot choose " + std::to_string(rows.number) + " connections from no candidates");
        return error("cannot choose " + std::to_string(rows.number) + " distinct connections from " + std::to_string(m) +
                     " candidates without replacement");
      }
      // A column onto a post neuron not kept, or a row that reaches none, adds nothing.
      if (per_pre ? first_kept >= end_kept : !owned(a)) return ok();
      auto connect = [&](uint32_t b) {
        if (per_pre) add(out, a, b); else add(out, b, a);
      };
      GenncRowCursor cursor;
      gennc_row_begin(&rows, a, per_pre ? r_.pre->global(a) : r_.post->global(a), excluded, &cursor);
      if (kind == GENNC_CONNECT_FIXED_NUMBER_POST && !rows.with_replacement) {
        std::unordered_set<uint32_t> chosen;
        for (; cursor.draw < rows.number; ++cursor.draw) {
          uint32_t b = gennc_row_pick(&rows, &cursor);
          if (!chosen.insert(b).second) {
            b = gennc_row_floyd_top(&rows, &cursor);
            chosen.insert(b);
          }
          connect(b);
        }
        return ok();
      }
      // A row generates only what reaches the span of kept positions (the procedural
      // kernels' limit too); add() keeps the owned positions of a list's span.
      if (per_pre) gennc_row_limit(&rows, &cursor, first_kept, end_kept);
      for (uint32_t b; (b = gennc_row_next(&rows, &cursor, nullptr)) != GENNC_ROW_END;) connect(b);
      return ok();
    });
  }

  // With replacement (PyNN's default), as GeNN does: the n synapses are split over the
  // rows by conditional binomials, row i taking Binomial(n_left, M_i / P_left) at
  // (index = pre neuron, draw 0), then row i picks its targets uniformly at draws 1, 2, ...
  // The split is a cheap sequential pass; rows are then independent.
  // Without replacement: the allowed pairs laid out row after row form one range [0, P),
  // and n distinct ones are chosen by Floyd's algorithm, draw t at (index = t mod 2^32,
  // draw = t / 2^32) — sequential, with memory for the n chosen pairs.
  Status fixed_total_number() {
    double value = c_.params[0];
    if (!(value >= 0.0) || value != std::floor(value)) return error("fixed_total_number needs a whole n >= 0");
    auto n = static_cast<uint64_t>(value);
    std::vector<uint64_t> offsets(n_pre() + 1, 0);
    for (uint32_t i = 0; i < n_pre(); ++i)
      offsets[i + 1] = offsets[i] + n_post() - (excluded_post(i) >= 0 ? 1 : 0);
    uint64_t total = offsets.back();
    if (total == 0 && n > 0) return error("no candidate pairs to connect");
    if (c_.with_replacement) {
      // The draws of gennc/connect_rows.h, which the GPU's set-up makes too.
      std::vector<uint64_t> counts(n_pre(), 0);
      uint64_t left = n;
      for (uint32_t i = 0; i < n_pre() && left > 0; ++i) {
        counts[i] = gennc_total_number_share(r_.seed, c_.stream, r_.pre->global(i), left, offsets[i + 1] - offsets[i],
                                             total - offsets[i]);
        left -= counts[i];
      }
      return lines(n_pre(), [&](uint32_t i, Connections* out) {
        auto m = static_cast<uint32_t>(offsets[i + 1] - offsets[i]);
        int64_t excluded = excluded_post(i);
        for (uint64_t t = 0; t < counts[i]; ++t)
          add(out, i, gennc_total_number_pick(r_.seed, c_.stream, r_.pre->global(i), static_cast<uint32_t>(t), m,
                                              excluded >= 0 ? static_cast<uint32_t>(excluded) : GENNC_ROW_NONE));
        return ok();
      });
    }
    if (n > total)
      return error("cannot choose " + std::to_string(n) + " distinct connections from " + std::to_string(total) +
                   " candidate pairs without replacement");
    std::unordered_set<uint64_t> chosen;
    for (uint64_t t = 0; t < n; ++t) {
      uint64_t top = total - n + t;
      auto pick = static_cast<uint64_t>(gennc_rng_uniform_int(r_.seed, c_.stream, 0, static_cast<uint32_t>(t),
                                                              static_cast<uint32_t>(t >> 32), 0.0, static_cast<double>(top)));
      if (!chosen.insert(pick).second) {
        chosen.insert(top);
        pick = top;
      }
      auto row = static_cast<uint32_t>(std::upper_bound(offsets.begin(), offsets.end(), pick) - offsets.begin() - 1);
      add(row, skip(pick - offsets[row], excluded_post(row)));
    }
    return ok();
  }

  // Each candidate pair (i, j) is connected when draw j of row i (index = pre neuron's
  // population index) falls below the generated probability, clamped to [0, 1].
  Status callback_probability() {
    if (c_.probability == nullptr) return error("connector has no probability function");
    return lines(n_pre(), [&](uint32_t i, Connections* out) {
      uint32_t row = r_.pre->global(i);
      for (uint32_t j = 0; j < n_post(); ++j) {
        if (!allowed(i, j) || !owned(j)) continue;
        double dx, dy, dz;
        double d = distance(i, j, &dx, &dy, &dz);
        double p = c_.probability(row, r_.post->global(j), d, dx, dy, dz, r_.seed);
        if (gennc_rng_uniform01(r_.seed, c_.stream, 0, row, j) < p) add(out, i, j);
      }
      return ok();
    });
  }

  // PyNN's SmallWorldConnector: every allowed pair closer than `degree` is a local edge;
  // each edge is rewired with probability `rewiring` to a uniformly chosen post neuron
  // (row i, index = pre neuron's population index: draw 2j decides, draw 2j + 1 picks).
  Status small_world() {
    double degree = c_.params[0], rewiring = c_.params[1];
    if (!(rewiring >= 0.0 && rewiring <= 1.0)) return error("small_world needs 0 <= rewiring <= 1");
    return lines(n_pre(), [&](uint32_t i, Connections* out) {
      uint32_t row = r_.pre->global(i);
      int64_t excluded = excluded_post(i);
      uint64_t m = n_post() - (excluded >= 0 ? 1 : 0);
      for (uint32_t j = 0; j < n_post(); ++j) {
        double dx, dy, dz;
        if (!allowed(i, j) || distance(i, j, &dx, &dy, &dz) >= degree) continue;  // PyNN: d < degree
        uint32_t target = j;
        if (gennc_rng_uniform01(r_.seed, c_.stream, 0, row, 2 * j) < rewiring && m > 0)
          target = skip(static_cast<uint64_t>(gennc_rng_uniform_int(r_.seed, c_.stream, 0, row, 2 * j + 1, 0.0,
                                                                    static_cast<double>(m - 1))),
                        excluded);
        add(out, i, target);
      }
      return ok();
    });
  }

  // What is wrong with one synapse of list, file or host data (empty if nothing): indices
  // must be positions within the selections, a weight a finite number, a delay (ms) a
  // finite number >= 0. `where` names the synapse ("list row 3", "host connection 2").
  std::string bad_synapse(const std::string& where, double i, double j, const double* weight,
                          const double* delay) const {
    auto number = [](double v) {
      std::ostringstream text;
      text << v;
      return text.str();
    };
    if (!(i >= 0 && i < n_pre() && i == std::floor(i)))
      return where + ": pre index " + number(i) + " is not a neuron of the pre side (" + std::to_string(n_pre()) +
             " neurons)";
    if (!(j >= 0 && j < n_post() && j == std::floor(j)))
      return where + ": post index " + number(j) + " is not a neuron of the post side (" + std::to_string(n_post()) +
             " neurons)";
    if (weight != nullptr && !std::isfinite(*weight)) return where + ": weight " + number(*weight) + " is not a finite number";
    if (delay != nullptr && !(std::isfinite(*delay) && *delay >= 0.0))
      return where + ": delay " + number(*delay) + " ms is not a finite number >= 0";
    if (delay != nullptr && delay_to_steps(*delay, r_.dt) > kLongestDelaySteps)
      return where + ": delay " + number(*delay) + " ms is " + number(delay_to_steps(*delay, r_.dt)) +
             " steps of dt = " + number(r_.dt) + " ms; the delay rings hold at most 2^31 - 1 steps";
    return "";
  }

  // Rows [pre, post, weight?, delay?] with indices relative to the pre and post selections;
  // a file's rows are named by their line in it.
  Status from_rows(const double* rows, uint64_t count, uint32_t columns, const std::string& what,
                   const std::vector<uint64_t>* lines = nullptr) {
    if (columns < 2 || columns > 4) return error(what + " rows need 2 to 4 columns (i j [weight [delay]]), not " + std::to_string(columns));
    if (count > 0 && rows == nullptr) return error(what + " has no rows");
    for (uint64_t k = 0; k < count; ++k) {
      const double* row = rows + k * columns;
      std::string where = lines ? what + " line " + std::to_string((*lines)[k]) : what + " row " + std::to_string(k + 1);
      std::string bad = bad_synapse(where, row[0], row[1],
                                    columns >= 3 ? &row[2] : nullptr, columns >= 4 ? &row[3] : nullptr);
      if (!bad.empty()) return error(bad);
      if (!add(static_cast<uint32_t>(row[0]), static_cast<uint32_t>(row[1]))) continue;
      if (columns >= 3) out_->weight.push_back(row[2]);
      if (columns >= 4) out_->delay.push_back(row[3]);
    }
    return ok();
  }

  // The caller's arrays (GenncOptions.connections), borrowed for this call: copied, with
  // the checks of list and file rows; the entries are numbered from 0 in messages.
  Status from_host() {
    if (r_.host == nullptr) return error("its connector is from_host(), but no host connections were given for it");
    const GenncConnections& h = *r_.host;
    if (h.count > 0 && (h.pre == nullptr || h.post == nullptr))
      return argument_error(describe(*r_.projection) + ": the host connections have no pre or post indices");
    out_->pre.reserve(h.count);
    out_->post.reserve(h.count);
    if (h.weight != nullptr) out_->weight.reserve(h.count);
    if (h.delay != nullptr) out_->delay.reserve(h.count);
    std::vector<uint64_t> kept;  // the entries added, for the other columns
    for (uint64_t k = 0; k < h.count; ++k) {
      std::string bad = bad_synapse("host connection " + std::to_string(k), h.pre[k], h.post[k],
                                    h.weight ? &h.weight[k] : nullptr, h.delay ? &h.delay[k] : nullptr);
      if (!bad.empty()) return argument_error(describe(*r_.projection) + ": " + bad);
      if (!add(h.pre[k], h.post[k])) continue;
      kept.push_back(k);
      if (h.weight != nullptr) out_->weight.push_back(h.weight[k]);
      if (h.delay != nullptr) out_->delay.push_back(h.delay[k]);
    }
    return host_columns(h, kept);
  }

  // The other columns, whose names NetworkState::check_host_columns matched to the
  // projection's declared ones: values in the variable's declared unit, each a finite
  // number, scaled to the internal unit.
  Status host_columns(const GenncConnections& h, const std::vector<uint64_t>& kept) {
    const GenncProjectionInfo& proj = *r_.projection;
    for (uint32_t c = 0; c < h.column_count; ++c) {
      const std::string name = h.column_names[c];
      const GenncHostColumn* declared = nullptr;
      for (uint32_t d = 0; d < proj.host_column_count; ++d)
        if (name == proj.host_columns[d].name) declared = &proj.host_columns[d];
      if (declared == nullptr) return argument_error(describe(proj) + ": the host gave an undeclared column '" + name + "'");
      HostColumn column;
      column.array = declared->array;
      for (uint64_t k = 0; k < h.count; ++k) {
        double v = h.columns[c][k];
        if (!std::isfinite(v)) {
          std::ostringstream text;
          text << v;
          return argument_error(describe(proj) + ": host connection " + std::to_string(k) + ": " + name + " " +
                                text.str() + " is not a finite number");
        }
      }
      column.values.resize(kept.size());
      for (size_t k = 0; k < kept.size(); ++k) column.values[k] = h.columns[c][kept[k]] * declared->scale;
      out_->columns.push_back(std::move(column));
    }
    return ok();
  }

  Status from_file() {
    if (c_.path == nullptr) return error("from_file has no path");
    std::vector<double> rows;
    std::vector<uint64_t> lines;
    uint32_t columns = 0;
    Status read = read_connection_file(c_.path, &rows, &columns, &lines);
    if (!read.ok()) return {read.code(), describe(*r_.projection) + ": " + read.message()};
    return from_rows(rows.data(), columns ? rows.size() / columns : 0, columns,
                     "connection file '" + std::string(c_.path) + "'", &lines);
  }

  // A pre x post matrix, row-major; a nonzero entry is a synapse.
  Status array() {
    if (c_.list_rows != n_pre() || c_.list_columns != n_post())
      return error("array connector is " + std::to_string(c_.list_rows) + " x " + std::to_string(c_.list_columns) +
                   " but the projection is " + std::to_string(n_pre()) + " x " + std::to_string(n_post()));
    if (c_.list == nullptr && n_pre() * uint64_t{n_post()} != 0) return error("array connector has no matrix");
    for (uint32_t i = 0; i < n_pre(); ++i)
      for (uint32_t j = 0; j < n_post(); ++j)
        if (c_.list[static_cast<uint64_t>(i) * n_post() + j] != 0.0) add(i, j);
    return ok();
  }

  Status clone() {
    if (r_.clone_of == nullptr) return error("clone source is missing");
    if (r_.clone_pre->size() != n_pre() || r_.clone_post->size() != n_post())
      return error("clone needs the source projection's pre and post sizes (" + std::to_string(r_.clone_pre->size()) +
                   " x " + std::to_string(r_.clone_post->size()) + "), not " + std::to_string(n_pre()) + " x " +
                   std::to_string(n_post()));
    out_->pre = r_.clone_of->pre;
    out_->post = r_.clone_of->post;
    if (r_.owned != nullptr) keep_owned_posts(*r_.post, *r_.owned, out_);
    return ok();
  }

  const ConnectRequest& r_;
  const GenncConnector& c_;
  Connections* out_;
  bool same_population_ = false;
  bool self_allowed_ = true;
};

}  // namespace

Status connect(const ConnectRequest& request, Connections* out) {
  *out = Connections();
  return Builder(request, out).build();
}

void keep_owned_posts(const Selection& post, std::pair<uint32_t, uint32_t> owned, Connections* c) {
  size_t kept = 0;
  for (size_t k = 0; k < c->pre.size(); ++k) {
    const uint32_t neuron = post.global(c->post[k]);
    if (neuron < owned.first || neuron >= owned.second) continue;
    c->pre[kept] = c->pre[k];
    c->post[kept] = c->post[k];
    if (!c->weight.empty()) c->weight[kept] = c->weight[k];
    if (!c->delay.empty()) c->delay[kept] = c->delay[k];
    for (HostColumn& column : c->columns) column.values[kept] = column.values[k];
    ++kept;
  }
  c->pre.resize(kept);
  c->post.resize(kept);
  if (!c->weight.empty()) c->weight.resize(kept);
  if (!c->delay.empty()) c->delay.resize(kept);
  for (HostColumn& column : c->columns) column.values.resize(kept);
}

Status read_connection_file(const std::string& path, std::vector<double>* rows, uint32_t* columns,
                            std::vector<uint64_t>* lines) {
  std::string text;
  Status read = read_regular_file("connection file", path, kLargestConnectionFile, &text);
  if (!read.ok()) return model_error(read.message());
  std::istringstream in(std::move(text));
  // Column order: i, j, weight, delay unless a "columns" header says otherwise.
  std::vector<std::string> names = {"i", "j", "weight", "delay"};
  bool named = false;
  std::string line;
  uint64_t line_number = 0;
  int width = -1;
  std::vector<double> values;
  std::vector<uint64_t> value_lines;
  while (std::getline(in, line)) {
    ++line_number;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    if (line[first] == '#') {
      size_t eq = line.find('=');
      std::string key = eq == std::string::npos ? "" : line.substr(first + 1, eq - first - 1);
      key.erase(0, key.find_first_not_of(" \t"));
      key.erase(key.find_last_not_of(" \t") + 1);
      if (key == "columns") {
        names.clear();
        std::string spec = line.substr(eq + 1);
        for (size_t q = spec.find_first_of("'\""); q != std::string::npos; q = spec.find_first_of("'\"", q)) {
          size_t close = spec.find(spec[q], q + 1);
          if (close == std::string::npos) break;
          names.push_back(spec.substr(q + 1, close - q - 1));
          q = close + 1;
        }
        named = true;
      }
      continue;
    }
    std::istringstream fields(line);
    std::vector<double> row;
    std::string field;
    while (fields >> field) {
      char* end = nullptr;
      double v = std::strtod(field.c_str(), &end);
      if (end == field.c_str() || *end != '\0')
        return model_error("connection file '" + path + "' line " + std::to_string(line_number) + ": '" + field +
                           "' is not a number");
      row.push_back(v);
    }
    if (width < 0) width = static_cast<int>(row.size());
    if (static_cast<int>(row.size()) != width || width < 2)
      return model_error("connection file '" + path + "' line " + std::to_string(line_number) + ": expected " +
                         std::to_string(std::max(width, 2)) + " columns (i j weight delay), found " +
                         std::to_string(row.size()));
    values.insert(values.end(), row.begin(), row.end());
    value_lines.push_back(line_number);
  }
  if (width < 0) width = 2;
  if (named && static_cast<int>(names.size()) != width)
    return model_error("connection file '" + path + "': the header names " + std::to_string(names.size()) +
                       " columns but rows have " + std::to_string(width));
  // Reorder into [i, j, weight?, delay?].
  auto find = [&](const char* name) -> int {
    for (size_t c = 0; c < names.size() && static_cast<int>(c) < width; ++c)
      if (names[c] == name) return static_cast<int>(c);
    return -1;
  };
  int ci = find("i"), cj = find("j"), cw = find("weight"), cd = find("delay");
  if (ci < 0 || cj < 0) return model_error("connection file '" + path + "': the columns must include 'i' and 'j'");
  *columns = cd >= 0 ? 4 : (cw >= 0 ? 3 : 2);
  if (cd >= 0 && cw < 0) return model_error("connection file '" + path + "': a delay column needs a weight column");
  rows->clear();
  *lines = std::move(value_lines);
  for (size_t r = 0; r < values.size() / width; ++r) {
    const double* row = values.data() + r * width;
    rows->push_back(row[ci]);
    rows->push_back(row[cj]);
    if (cw >= 0) rows->push_back(row[cw]);
    if (cd >= 0) rows->push_back(row[cd]);
  }
  return ok();
}

}  // namespace gennc::runtime
