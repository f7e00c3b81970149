// gennc/connect_rows.h as the device uses it (gennc_row_next, Floyd's rule by scanning the
// row) against the connectivity the runtime builds on the host (connect.cpp: Floyd's rule
// with a hash set, rows sorted into CSR order), for every row connector, with and without
// self connections, between whole populations and slices; and the deterministic log.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "gennc/connect_rows.h"
#include "gennc/runtime.h"
#include "model_builder.h"

using gennc::runtime::test::ModelBuilder;

namespace {

std::vector<uint32_t> get_u32(GenncSim* sim, const std::string& name) {
  GenncArrayDesc desc;
  REQUIRE(gennc_array_info(sim, name.c_str(), &desc) == GENNC_OK);
  std::vector<uint32_t> values(desc.length);
  REQUIRE(gennc_get_array(sim, name.c_str(), values.data(), values.size()) == GENNC_OK);
  return values;
}

// The population indices a selection holds, in order.
std::vector<uint32_t> members(const GenncSelection& s, uint32_t population_size) {
  std::vector<uint32_t> out;
  if (s.kind == GENNC_SELECT_SLICE)
    for (uint32_t i = s.start; i < s.stop; i += s.step) out.push_back(i);
  else
    for (uint32_t i = 0; i < population_size; ++i) out.push_back(i);
  return out;
}

// (pre, post) population indices of every synapse, generated line by line with the
// cursor; lines are pre rows, or post columns for FIXED_NUMBER_PRE.
std::vector<std::pair<uint32_t, uint32_t>> generate(const GenncConnector& c, uint64_t seed,
                                                    const std::vector<uint32_t>& pre,
                                                    const std::vector<uint32_t>& post, bool same_population) {
  bool by_column = c.kind == GENNC_CONNECT_FIXED_NUMBER_PRE;
  const std::vector<uint32_t>& lines = by_column ? post : pre;
  const std::vector<uint32_t>& targets = by_column ? pre : post;
  GenncRowConnector rows;
  REQUIRE(gennc_row_connector_init(&rows, by_column ? GENNC_CONNECT_FIXED_NUMBER_POST : c.kind, seed, c.stream,
                                   static_cast<uint32_t>(targets.size()), c.params[0], c.with_replacement) == 0);
  std::vector<std::pair<uint32_t, uint32_t>> synapses;
  std::vector<uint32_t> line;
  for (uint32_t a = 0; a < lines.size(); ++a) {
    uint32_t excluded = GENNC_ROW_NONE;
    if (same_population && !c.allow_self_connections)
      for (uint32_t b = 0; b < targets.size(); ++b)
        if (targets[b] == lines[a]) excluded = b;
    REQUIRE(gennc_row_feasible(&rows, excluded));
    GenncRowCursor cursor;
    gennc_row_begin(&rows, a, lines[a], excluded, &cursor);
    line.clear();
    line.resize(targets.size() + rows.number + 1);
    for (uint32_t b; (b = gennc_row_next(&rows, &cursor, line.data())) != GENNC_ROW_END;) line[cursor.emitted - 1] = b;
    REQUIRE(cursor.emitted == gennc_row_length(&rows, a, lines[a], excluded));
    for (uint32_t e = 0; e < cursor.emitted; ++e) {
      REQUIRE(line[e] < targets.size());
      // one_to_one keeps a neuron's connection to itself (PyNN), whatever the setting.
      if (c.kind != GENNC_CONNECT_ONE_TO_ONE) REQUIRE(line[e] != excluded);
      synapses.emplace_back(by_column ? targets[line[e]] : lines[a], by_column ? lines[a] : targets[line[e]]);
    }
  }
  std::sort(synapses.begin(), synapses.end());
  return synapses;
}

}  // namespace

TEST_CASE("connect_rows.h cursors generate the runtime's connectivity", "[connectors][connect_rows]") {
  struct Case {
    const char* what;
    GenncConnectorKind kind;
    double param;
    bool replacement;
  };
  const Case cases[] = {
      {"all_to_all", GENNC_CONNECT_ALL_TO_ALL, 0, false},
      {"one_to_one", GENNC_CONNECT_ONE_TO_ONE, 0, false},
      {"fixed_probability 0.1", GENNC_CONNECT_FIXED_PROBABILITY, 0.1, false},
      {"fixed_probability 0.7", GENNC_CONNECT_FIXED_PROBABILITY, 0.7, false},
      {"fixed_probability 1", GENNC_CONNECT_FIXED_PROBABILITY, 1.0, false},
      {"fixed_probability 0", GENNC_CONNECT_FIXED_PROBABILITY, 0.0, false},
      {"fixed_number_post 7", GENNC_CONNECT_FIXED_NUMBER_POST, 7, false},
      {"fixed_number_post 7 with replacement", GENNC_CONNECT_FIXED_NUMBER_POST, 7, true},
      {"fixed_number_post 19 of 20", GENNC_CONNECT_FIXED_NUMBER_POST, 19, false},
      {"fixed_number_pre 6", GENNC_CONNECT_FIXED_NUMBER_PRE, 6, false},
      {"fixed_number_pre 6 with replacement", GENNC_CONNECT_FIXED_NUMBER_PRE, 6, true},
  };
  for (const Case& c : cases)
    for (bool self : {true, false})
      for (bool sliced : {false, true}) {
        // Whole: 40 -> 40 of one population. Sliced: rows 0, 2, .. 38 onto 20 .. 39 of the
        // same population (overlapping, so some rows exclude themselves), 20 each.
        ModelBuilder b;
        uint32_t p = b.population("p", 40);
        GenncSelection pre = sliced ? ModelBuilder::slice(p, 0, 40, 2) : ModelBuilder::all(p, 40);
        GenncSelection post = sliced ? ModelBuilder::slice(p, 20, 40) : ModelBuilder::all(p, 40);
        GenncConnector connector = ModelBuilder::connector(c.kind, c.param, 0, self, c.replacement, 11);
        b.projection("pp", pre, post, connector);
        GenncOptions options;
        gennc_default_options(&options);
        options.threads = 2;
        GenncSim* sim = nullptr;
        INFO(c.what << (self ? ", self allowed" : ", no self") << (sliced ? ", slices" : ", whole"));
        REQUIRE(gennc_create(&b.model(1234), &options, &sim) == GENNC_OK);
        std::vector<uint32_t> rows = get_u32(sim, "pp.row_pointer");
        std::vector<uint32_t> columns = get_u32(sim, "pp.column");
        gennc_destroy(sim);
        std::vector<std::pair<uint32_t, uint32_t>> built;
        for (uint32_t i = 0; i + 1 < rows.size(); ++i) {
          // The CSR order: each row sorted by post neuron.
          CHECK(std::is_sorted(columns.begin() + rows[i], columns.begin() + rows[i + 1]));
          for (uint32_t k = rows[i]; k < rows[i + 1]; ++k) built.emplace_back(i, columns[k]);
        }
        auto expected = generate(connector, 1234, members(pre, 40), members(post, 40), true);
        CHECK(built == expected);
        if (c.kind == GENNC_CONNECT_FIXED_PROBABILITY && c.param == 0.1) CHECK(!expected.empty());
      }
}

// Issue 14: fixed_probability rows are keyed by post block, so a row generated from any
// block on (as a process owning those post neurons does) gives exactly the whole row's
// positions there, whatever the exclusion; and rows up to one block long draw as the
// unblocked stream did (gap t from draw t at step 0).
TEST_CASE("fixed_probability rows are the same generated from any post block", "[connect_rows]") {
  const uint32_t n_post = 5 * GENNC_ROW_BLOCK + 300;
  for (double p : {0.002, 0.05, 0.5}) {
    GenncRowConnector rows;
    REQUIRE(gennc_row_connector_init(&rows, GENNC_CONNECT_FIXED_PROBABILITY, 77, 3, n_post, p, 0) == 0);
    for (uint32_t row : {0u, 9u, 2500u}) {
      const uint32_t excluded = row < n_post ? row : GENNC_ROW_NONE;
      std::vector<uint32_t> whole;
      GenncRowCursor cursor;
      gennc_row_begin(&rows, row, row, excluded, &cursor);
      for (uint32_t j; (j = gennc_row_next(&rows, &cursor, nullptr)) != GENNC_ROW_END;) whole.push_back(j);
      REQUIRE(whole.size() == gennc_row_length(&rows, row, row, excluded));
      for (uint32_t block = 0; block * GENNC_ROW_BLOCK < n_post; ++block) {
        std::vector<uint32_t> from_block;
        gennc_row_begin(&rows, row, row, excluded, &cursor);
        gennc_row_seek_block(&cursor, block);
        for (uint32_t j; (j = gennc_row_next(&rows, &cursor, nullptr)) != GENNC_ROW_END;) from_block.push_back(j);
        auto first = std::lower_bound(whole.begin(), whole.end(), block * GENNC_ROW_BLOCK);
        CHECK(from_block == std::vector<uint32_t>(first, whole.end()));
      }
    }
  }
  GenncRowConnector short_rows;
  REQUIRE(gennc_row_connector_init(&short_rows, GENNC_CONNECT_FIXED_PROBABILITY, 77, 3, GENNC_ROW_BLOCK, 0.1, 0) == 0);
  GenncRowCursor cursor;
  gennc_row_begin(&short_rows, 4, 4, GENNC_ROW_NONE, &cursor);
  double position = -1.0;
  for (uint32_t t = 0;; ++t) {
    position += 1.0 + std::floor(gennc_det_log(gennc_rng_uniform01(77, 3, 0, 4, t)) / short_rows.log_q);
    const uint32_t j = gennc_row_next(&short_rows, &cursor, nullptr);
    if (position >= GENNC_ROW_BLOCK) {
      CHECK(j == GENNC_ROW_END);
      break;
    }
    CHECK(j == static_cast<uint32_t>(position));
  }
}

// A row limited to the post positions [lo, hi) (gennc_row_limit: what a rank's procedural
// delivery and its stored rows generate) gives exactly the whole row's positions there,
// in order, for every row connector, with and without an exclusion, for ranges cutting
// blocks anywhere, at block edges, empty and past the end; and stops early: a
// fixed_probability row ends in the block of hi - 1, all_to_all gives hi - lo positions.
TEST_CASE("a row limited to a post range is the whole row's part there", "[connect_rows]") {
  struct Kind {
    uint32_t kind;
    double param;
    int with_replacement;
  };
  const Kind kinds[] = {{GENNC_CONNECT_ALL_TO_ALL, 0.0, 0},         {GENNC_CONNECT_ONE_TO_ONE, 0.0, 0},
                        {GENNC_CONNECT_FIXED_PROBABILITY, 0.003, 0}, {GENNC_CONNECT_FIXED_PROBABILITY, 0.1, 0},
                        {GENNC_CONNECT_FIXED_PROBABILITY, 0.7, 0},   {GENNC_CONNECT_FIXED_PROBABILITY, 0.0, 0},
                        {GENNC_CONNECT_FIXED_NUMBER_POST, 40.0, 1}};
  const uint32_t B = GENNC_ROW_BLOCK;
  uint64_t checked = 0, nonempty = 0;
  for (const Kind& k : kinds)
    for (uint32_t n_post : {0u, 1u, 700u, B, 3 * B + 17})
      for (uint64_t seed : {1ull, 5ull, 99ull, 123456789ull}) {
        GenncRowConnector rows;
        REQUIRE(gennc_row_connector_init(&rows, k.kind, seed, 4, n_post, k.param, k.with_replacement) == 0);
        // Ranges: block edges and their neighbours, the whole row, empty ones, some past the
        // end, and pseudo-random ones from the seed.
        std::vector<uint32_t> cuts = {0, 1, B - 1, B, B + 1, 2 * B, 3 * B, n_post / 2, n_post - 1, n_post, n_post + 5};
        for (uint32_t t = 0; t < 6; ++t) cuts.push_back(static_cast<uint32_t>((seed * 2654435761u + t * 40503u) % (n_post + 1)));
        for (uint32_t row : {0u, 3u, 699u}) {
          for (uint32_t excluded : {GENNC_ROW_NONE, row, B}) {
            if (!gennc_row_feasible(&rows, excluded)) continue;
            std::vector<uint32_t> whole;
            GenncRowCursor cursor;
            gennc_row_begin(&rows, row, row + 11, excluded, &cursor);
            for (uint32_t j; (j = gennc_row_next(&rows, &cursor, nullptr)) != GENNC_ROW_END;) whole.push_back(j);
            for (uint32_t lo : cuts)
              for (uint32_t hi : cuts) {
                std::vector<uint32_t> expected;
                for (uint32_t j : whole)
                  if (j >= lo && j < hi) expected.push_back(j);
                std::vector<uint32_t> part;
                gennc_row_begin(&rows, row, row + 11, excluded, &cursor);
                gennc_row_limit(&rows, &cursor, lo, hi);
                for (uint32_t j; (j = gennc_row_next(&rows, &cursor, nullptr)) != GENNC_ROW_END;) part.push_back(j);
                INFO("kind " << k.kind << " p/n " << k.param << " n_post " << n_post << " seed " << seed << " row "
                             << row << " excluded " << excluded << " range [" << lo << ", " << hi << ")");
                CHECK(part == expected);
                CHECK(cursor.emitted == part.size());
                const uint32_t end = std::min(hi, n_post);
                if (k.kind == GENNC_CONNECT_FIXED_PROBABILITY && k.param > 0.0 && lo < end)
                  CHECK(cursor.block <= (end - 1) / B);
                if (k.kind == GENNC_CONNECT_ALL_TO_ALL && lo < end)
                  CHECK(part.size() == end - lo - (excluded >= lo && excluded < end ? 1 : 0));
                ++checked;
                nonempty += part.empty() ? 0 : 1;
              }
          }
        }
      }
  CHECK(checked > 100000);
  CHECK(nonempty > 10000);
}

TEST_CASE("gennc_det_log is within a few ulp of log", "[connect_rows]") {
  CHECK(gennc_det_log(1.0) == 0.0);
  CHECK(gennc_det_log1p(0.0) == 0.0);
  double worst = 0.0;
  for (double x = 1e-300; x < 1e300; x *= 1.0137) {
    double expected = std::log(x);
    if (expected != 0.0) worst = std::max(worst, std::fabs(gennc_det_log(x) - expected) / std::fabs(expected));
  }
  // Open (0, 1) uniforms, as fixed_probability draws them.
  for (double u = 0.5 / 4503599627370496.0; u < 1.0; u = u * 1.01 + 1e-7)
    worst = std::max(worst, std::fabs(gennc_det_log(u) - std::log(u)) / std::fabs(std::log(u)));
  for (double p = 1e-12; p < 1.0; p *= 1.05)
    worst = std::max(worst, std::fabs(gennc_det_log1p(-p) - std::log1p(-p)) / std::fabs(std::log1p(-p)));
  CHECK(worst < 4 * 2.220446049250313e-16);
}
