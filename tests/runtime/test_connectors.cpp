// Connector semantics and statistics. Each test builds a small model, creates a
// simulation and reads the CSR back through the C ABI. Statistical checks use fixed seeds
// and 5-sigma bounds from the connector's theoretical distribution.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "gennc/runtime.h"
#include "model_builder.h"

using gennc::runtime::test::ModelBuilder;

namespace {

struct Synapses {
  std::vector<std::pair<uint32_t, uint32_t>> pairs;  // (pre, post) population indices, CSR order
  std::vector<uint32_t> out_degree, in_degree;
};

std::vector<uint32_t> get_u32(GenncSim* sim, const std::string& name) {
  GenncArrayDesc desc;
  REQUIRE(gennc_array_info(sim, name.c_str(), &desc) == GENNC_OK);
  std::vector<uint32_t> values(desc.length);
  REQUIRE(gennc_get_array(sim, name.c_str(), values.data(), values.size()) == GENNC_OK);
  return values;
}

std::vector<double> get_f64(GenncSim* sim, const std::string& name) {
  GenncArrayDesc desc;
  REQUIRE(gennc_array_info(sim, name.c_str(), &desc) == GENNC_OK);
  std::vector<double> values(desc.length);
  REQUIRE(gennc_get_array_f64(sim, name.c_str(), values.data(), values.size()) == GENNC_OK);
  return values;
}

Synapses read(GenncSim* sim, const std::string& projection, uint32_t n_pre, uint32_t n_post) {
  Synapses s;
  std::vector<uint32_t> rows = get_u32(sim, projection + ".row_pointer");
  std::vector<uint32_t> columns = get_u32(sim, projection + ".column");
  REQUIRE(rows.size() == n_pre + 1);
  REQUIRE(rows.back() == columns.size());
  s.out_degree.assign(n_pre, 0);
  s.in_degree.assign(n_post, 0);
  for (uint32_t i = 0; i < n_pre; ++i)
    for (uint32_t k = rows[i]; k < rows[i + 1]; ++k) {
      s.pairs.emplace_back(i, columns[k]);
      ++s.out_degree[i];
      ++s.in_degree[columns[k]];
    }
  // Column access lists every synapse once, grouped by post neuron.
  std::vector<uint32_t> cols = get_u32(sim, projection + ".column_pointer");
  std::vector<uint32_t> ids = get_u32(sim, projection + ".column_synapse");
  REQUIRE(cols.size() == n_post + 1);
  std::set<uint32_t> seen;
  for (uint32_t j = 0; j < n_post; ++j)
    for (uint32_t k = cols[j]; k < cols[j + 1]; ++k) {
      REQUIRE(columns[ids[k]] == j);
      seen.insert(ids[k]);
    }
  REQUIRE(seen.size() == columns.size());
  return s;
}

struct Built {
  GenncSim* sim = nullptr;
  ~Built() { gennc_destroy(sim); }
};

GenncOptions one_thread() {
  GenncOptions o;
  gennc_default_options(&o);
  o.threads = 1;
  return o;
}

void create(ModelBuilder& b, Built* built, uint64_t seed = 42, uint32_t threads = 1) {
  GenncOptions o = one_thread();
  o.threads = threads;
  GenncStatus status = gennc_create(&b.model(seed), &o, &built->sim);
  INFO(gennc_last_error());
  REQUIRE(status == GENNC_OK);
}

std::string create_error(ModelBuilder& b) {
  GenncOptions o = one_thread();
  GenncSim* sim = nullptr;
  GenncStatus status = gennc_create(&b.model(), &o, &sim);
  REQUIRE(status != GENNC_OK);
  REQUIRE(sim == nullptr);
  return gennc_last_error();
}

bool has_self(const Synapses& s) {
  for (auto [i, j] : s.pairs)
    if (i == j) return true;
  return false;
}

// Mean and variance of a count vector.
std::pair<double, double> moments(const std::vector<uint32_t>& v) {
  double mean = 0, var = 0;
  for (uint32_t x : v) mean += x;
  mean /= v.size();
  for (uint32_t x : v) var += (x - mean) * (x - mean);
  return {mean, var / (v.size() - 1)};
}

}  // namespace

TEST_CASE("all_to_all connects every pair, without self connections when disallowed", "[connectors]") {
  for (bool self : {true, false}) {
    ModelBuilder b;
    uint32_t p = b.population("p", 30);
    uint32_t q = b.population("q", 20);
    b.projection("pp", ModelBuilder::all(p, 30), ModelBuilder::all(p, 30), ModelBuilder::connector(GENNC_CONNECT_ALL_TO_ALL, 0, 0, self));
    b.projection("pq", ModelBuilder::all(p, 30), ModelBuilder::all(q, 20), ModelBuilder::connector(GENNC_CONNECT_ALL_TO_ALL, 0, 0, self));
    Built built;
    create(b, &built);
    Synapses pp = read(built.sim, "pp", 30, 30);
    CHECK(pp.pairs.size() == (self ? 900u : 870u));
    CHECK(has_self(pp) == self);
    // Self connections only concern a population projecting onto itself.
    CHECK(read(built.sim, "pq", 30, 20).pairs.size() == 600u);
  }
}

TEST_CASE("one_to_one pairs the i-th pre with the i-th post neuron of the views", "[connectors]") {
  ModelBuilder b;
  uint32_t p = b.population("p", 10);
  uint32_t q = b.population("q", 20);
  b.projection("pq", ModelBuilder::all(p, 10), ModelBuilder::slice(q, 5, 15), ModelBuilder::connector(GENNC_CONNECT_ONE_TO_ONE));
  Built built;
  create(b, &built);
  Synapses s = read(built.sim, "pq", 10, 20);
  REQUIRE(s.pairs.size() == 10);
  for (uint32_t k = 0; k < 10; ++k) CHECK(s.pairs[k] == std::make_pair(k, k + 5));

  ModelBuilder bad;
  uint32_t a = bad.population("a", 10);
  uint32_t c = bad.population("c", 11);
  bad.projection("ac", ModelBuilder::all(a, 10), ModelBuilder::all(c, 11), ModelBuilder::connector(GENNC_CONNECT_ONE_TO_ONE));
  CHECK_THAT(create_error(bad), Catch::Contains("one_to_one needs pre and post of equal size"));
}

TEST_CASE("fixed_probability: binomial total and degrees, no self connections when disallowed", "[connectors]") {
  const uint32_t n = 1000;
  const double p = 0.1;
  ModelBuilder b;
  uint32_t pop = b.population("p", n);
  b.projection("pp", ModelBuilder::all(pop, n), ModelBuilder::all(pop, n),
               ModelBuilder::connector(GENNC_CONNECT_FIXED_PROBABILITY, p, 0, false));
  Built built;
  create(b, &built);
  Synapses s = read(built.sim, "pp", n, n);
  CHECK_FALSE(has_self(s));
  // Each of the n (n - 1) candidate pairs is an independent Bernoulli(p) trial.
  double pairs = double(n) * (n - 1);
  double sd = std::sqrt(pairs * p * (1 - p));
  CHECK(std::fabs(s.pairs.size() - pairs * p) < 5 * sd);
  // Out-degrees are Binomial(n - 1, p): their mean and variance, each within 5 standard errors.
  auto [mean, var] = moments(s.out_degree);
  double degree_var = (n - 1) * p * (1 - p);
  CHECK(std::fabs(mean - (n - 1) * p) < 5 * std::sqrt(degree_var / n));
  CHECK(std::fabs(var - degree_var) < 5 * degree_var * std::sqrt(2.0 / (n - 1)));
  auto [in_mean, in_var] = moments(s.in_degree);
  CHECK(std::fabs(in_mean - (n - 1) * p) < 5 * std::sqrt(degree_var / n));
  CHECK(std::fabs(in_var - degree_var) < 5 * degree_var * std::sqrt(2.0 / (n - 1)));
  // No pair twice.
  CHECK(std::set<std::pair<uint32_t, uint32_t>>(s.pairs.begin(), s.pairs.end()).size() == s.pairs.size());
}

TEST_CASE("fixed_probability edge cases: p = 0 and p = 1", "[connectors]") {
  ModelBuilder b;
  uint32_t pop = b.population("p", 40);
  b.projection("none", ModelBuilder::all(pop, 40), ModelBuilder::all(pop, 40), ModelBuilder::connector(GENNC_CONNECT_FIXED_PROBABILITY, 0.0));
  b.projection("every", ModelBuilder::all(pop, 40), ModelBuilder::all(pop, 40), ModelBuilder::connector(GENNC_CONNECT_FIXED_PROBABILITY, 1.0, 0, false));
  Built built;
  create(b, &built);
  CHECK(read(built.sim, "none", 40, 40).pairs.empty());
  CHECK(read(built.sim, "every", 40, 40).pairs.size() == 40u * 39u);
}

TEST_CASE("fixed_number_post gives every pre neuron exactly n targets", "[connectors]") {
  const uint32_t n_pre = 200, n_post = 50, n = 20;
  for (bool replacement : {false, true}) {
    ModelBuilder b;
    uint32_t p = b.population("p", n_pre);
    uint32_t q = b.population("q", n_post);
    b.projection("pq", ModelBuilder::all(p, n_pre), ModelBuilder::all(q, n_post),
                 ModelBuilder::connector(GENNC_CONNECT_FIXED_NUMBER_POST, n, 0, true, replacement));
    b.projection("pp", ModelBuilder::all(p, n_pre), ModelBuilder::all(p, n_pre),
                 ModelBuilder::connector(GENNC_CONNECT_FIXED_NUMBER_POST, n, 0, false, replacement));
    Built built;
    create(b, &built);
    Synapses s = read(built.sim, "pq", n_pre, n_post);
    for (uint32_t d : s.out_degree) CHECK(d == n);
    std::set<std::pair<uint32_t, uint32_t>> distinct(s.pairs.begin(), s.pairs.end());
    if (!replacement) CHECK(distinct.size() == s.pairs.size());
    // With replacement, a row of 20 draws from 50 repeats a target with probability
    // 1 - 50!/(30! 50^20) = 0.98, so repeats must show up among 200 rows.
    if (replacement) CHECK(distinct.size() < s.pairs.size());
    // In-degrees: each target is hit Binomial(n_pre, n / n_post) times (exactly so without
    // replacement, as a sum of independent row indicators).
    auto [mean, var] = moments(s.in_degree);
    CHECK(mean == Approx(double(n_pre) * n / n_post));
    Synapses self = read(built.sim, "pp", n_pre, n_pre);
    CHECK_FALSE(has_self(self));
    for (uint32_t d : self.out_degree) CHECK(d == n);
  }
}

TEST_CASE("fixed_number_pre gives every post neuron exactly n sources", "[connectors]") {
  const uint32_t n_pre = 60, n_post = 300, n = 15;
  ModelBuilder b;
  uint32_t p = b.population("p", n_pre);
  uint32_t q = b.population("q", n_post);
  b.projection("pq", ModelBuilder::all(p, n_pre), ModelBuilder::all(q, n_post),
               ModelBuilder::connector(GENNC_CONNECT_FIXED_NUMBER_PRE, n));
  Built built;
  create(b, &built);
  Synapses s = read(built.sim, "pq", n_pre, n_post);
  for (uint32_t d : s.in_degree) CHECK(d == n);
  CHECK(std::set<std::pair<uint32_t, uint32_t>>(s.pairs.begin(), s.pairs.end()).size() == s.pairs.size());
  // Out-degrees are sums of independent Bernoulli(n / n_pre) indicators over the posts.
  auto [mean, var] = moments(s.out_degree);
  double q_ = double(n) / n_pre, expected_var = n_post * q_ * (1 - q_);
  CHECK(mean == Approx(n_post * q_));
  CHECK(std::fabs(var - expected_var) < 5 * expected_var * std::sqrt(2.0 / (n_pre - 1)));
}

TEST_CASE("fixed_number without replacement refuses more targets than candidates", "[connectors]") {
  ModelBuilder b;
  uint32_t p = b.population("p", 10);
  b.projection("pp", ModelBuilder::all(p, 10), ModelBuilder::all(p, 10),
               ModelBuilder::connector(GENNC_CONNECT_FIXED_NUMBER_POST, 10, 0, false));
  CHECK_THAT(create_error(b), Catch::Contains("cannot choose 10 distinct connections from 9 candidates"));
}

TEST_CASE("fixed_total_number makes exactly n synapses", "[connectors]") {
  const uint32_t n_pre = 100, n_post = 200, n = 5000;
  for (bool replacement : {false, true}) {
    ModelBuilder b;
    uint32_t p = b.population("p", n_pre);
    uint32_t q = b.population("q", n_post);
    b.projection("pq", ModelBuilder::all(p, n_pre), ModelBuilder::all(q, n_post),
                 ModelBuilder::connector(GENNC_CONNECT_FIXED_TOTAL_NUMBER, n, 0, true, replacement));
    Built built;
    create(b, &built);
    Synapses s = read(built.sim, "pq", n_pre, n_post);
    REQUIRE(s.pairs.size() == n);
    if (!replacement) CHECK(std::set<std::pair<uint32_t, uint32_t>>(s.pairs.begin(), s.pairs.end()).size() == n);
    // Row degrees: multinomial (with replacement) or multivariate hypergeometric counts
    // with mean n / n_pre and variance at most n (1/n_pre)(1 - 1/n_pre).
    auto [mean, var] = moments(s.out_degree);
    CHECK(mean == Approx(double(n) / n_pre));
    double bound = n * (1.0 / n_pre) * (1 - 1.0 / n_pre);
    CHECK(var < bound * (1 + 5 * std::sqrt(2.0 / (n_pre - 1))));
    CHECK(var > 0.5 * bound);
  }
}

namespace {
double within_five(uint32_t, uint32_t, double d, double, double, double, uint64_t) { return d < 5.0 ? 1.0 : 0.0; }
double forward(uint32_t, uint32_t, double, double dx, double, double, uint64_t) { return dx > 0 ? 1.0 : 0.0; }
double even_sum(uint32_t i, uint32_t j, double, double, double, double, uint64_t) { return (i + j) % 2 == 0 ? 1.0 : 0.0; }
double half(uint32_t, uint32_t, double, double, double, double, uint64_t) { return 0.5; }

GenncStructure line() {
  GenncStructure s{};
  s.kind = GENNC_STRUCTURE_LINE;
  s.params[0] = 1.0;  // dx
  return s;
}
}  // namespace

TEST_CASE("distance, displacement and index probabilities follow the generated function", "[connectors]") {
  const uint32_t n = 50;
  ModelBuilder b;
  uint32_t p = b.population("p", n, line());
  GenncConnector near = ModelBuilder::connector(GENNC_CONNECT_DISTANCE_PROBABILITY, 0, 0, false);
  near.probability = within_five;
  GenncConnector ahead = ModelBuilder::connector(GENNC_CONNECT_DISPLACEMENT_PROBABILITY);
  ahead.probability = forward;
  GenncConnector even = ModelBuilder::connector(GENNC_CONNECT_INDEX_PROBABILITY);
  even.probability = even_sum;
  GenncConnector coin = ModelBuilder::connector(GENNC_CONNECT_INDEX_PROBABILITY);
  coin.probability = half;
  b.projection("near", ModelBuilder::all(p, n), ModelBuilder::all(p, n), near);
  b.projection("ahead", ModelBuilder::all(p, n), ModelBuilder::all(p, n), ahead);
  b.projection("even", ModelBuilder::all(p, n), ModelBuilder::all(p, n), even);
  b.projection("coin", ModelBuilder::all(p, n), ModelBuilder::all(p, n), coin);
  Built built;
  create(b, &built);
  for (auto [i, j] : read(built.sim, "near", n, n).pairs) CHECK((i != j && std::abs(int(i) - int(j)) < 5));
  // Pairs with |i - j| in 1..4: 2 * (4n - 10).
  CHECK(read(built.sim, "near", n, n).pairs.size() == 2u * (4 * n - 10));
  Synapses a = read(built.sim, "ahead", n, n);
  CHECK(a.pairs.size() == n * (n - 1) / 2);
  for (auto [i, j] : a.pairs) CHECK(j > i);
  Synapses e = read(built.sim, "even", n, n);
  CHECK(e.pairs.size() == n * n / 2);
  for (auto [i, j] : e.pairs) CHECK((i + j) % 2 == 0);
  double count = read(built.sim, "coin", n, n).pairs.size();
  CHECK(std::fabs(count - n * n * 0.5) < 5 * std::sqrt(n * n * 0.25));
}

TEST_CASE("small_world: local edges closer than the degree, rewired with the given probability", "[connectors]") {
  const uint32_t n = 200;
  ModelBuilder b;
  uint32_t p = b.population("p", n, line());
  b.projection("local", ModelBuilder::all(p, n), ModelBuilder::all(p, n),
               ModelBuilder::connector(GENNC_CONNECT_SMALL_WORLD, 3.0, 0.0, false));
  b.projection("rewired", ModelBuilder::all(p, n), ModelBuilder::all(p, n),
               ModelBuilder::connector(GENNC_CONNECT_SMALL_WORLD, 3.0, 0.2, false));
  Built built;
  create(b, &built);
  Synapses local = read(built.sim, "local", n, n);
  // Closer than the degree, as PyNN defines it (d < 3): the two neighbours on each side.
  CHECK(local.pairs.size() == 2u * (2 * n - 3));
  for (auto [i, j] : local.pairs) CHECK((i != j && std::abs(int(i) - int(j)) < 3));
  Synapses rewired = read(built.sim, "rewired", n, n);
  // Rewiring keeps the edge count; each edge leaves the neighbourhood with probability
  // 0.2 (1 - 4 / 199) (a uniform target may land back inside it).
  CHECK(rewired.pairs.size() == local.pairs.size());
  CHECK_FALSE(has_self(rewired));
  double far = 0;
  for (auto [i, j] : rewired.pairs) far += std::abs(int(i) - int(j)) >= 3;
  double edges = local.pairs.size(), q = 0.2 * (1 - 4.0 / 199);
  CHECK(std::fabs(far - edges * q) < 5 * std::sqrt(edges * q * (1 - q)));
}

TEST_CASE("from_list: indices relative to the views, weights and delays by synapse", "[connectors]") {
  ModelBuilder b;
  uint32_t p = b.population("p", 10);
  uint32_t q = b.population("q", 10);
  // Rows: pre, post, weight, delay (ms) in view positions; pre view = p[2:10:2] (2 4 6 8),
  // post view = q[[9, 1, 5]].
  static const double rows[] = {3, 0, 0.5, 0.3,  0, 2, 1.5, 1.0,  3, 1, 2.5, 0.1,  1, 0, 3.5, 0.27};
  GenncConnector c = ModelBuilder::connector(GENNC_CONNECT_FROM_LIST);
  c.list = rows;
  c.list_rows = 4;
  c.list_columns = 4;
  b.projection("pq", ModelBuilder::slice(p, 2, 10, 2), b.list(q, {9, 1, 5}), c, true);
  Built built;
  create(b, &built);
  Synapses s = read(built.sim, "pq", 10, 10);
  // CSR order: by pre, then post population index.
  std::vector<std::pair<uint32_t, uint32_t>> expected = {{2, 5}, {4, 9}, {8, 1}, {8, 9}};
  CHECK(s.pairs == expected);
  CHECK(get_f64(built.sim, "pq.weight") == std::vector<double>{1.5, 3.5, 2.5, 0.5});
  // Delays in steps of dt = 0.1 ms: round(d / dt), at least 1.
  CHECK(get_u32(built.sim, "pq.delay") == std::vector<uint32_t>{10, 3, 1, 3});
  uint32_t depth = 0;
  REQUIRE(gennc_get_array(built.sim, "q.ring_depth", &depth, 1) == GENNC_OK);
  CHECK(depth == 16);  // longest delay 10 steps + 1, rounded up to a power of two

  ModelBuilder bad;
  uint32_t a = bad.population("a", 3);
  static const double out_of_range[] = {0, 0, 5, 1};
  GenncConnector oc = ModelBuilder::connector(GENNC_CONNECT_FROM_LIST);
  oc.list = out_of_range;
  oc.list_rows = 2;
  oc.list_columns = 2;
  bad.projection("aa", ModelBuilder::all(a, 3), ModelBuilder::all(a, 3), oc);
  CHECK_THAT(create_error(bad), Catch::Contains("row 2: pre index 5"));
}

namespace {
std::string temp_path(const std::string& name) { return std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") + "/gennc-test-" + std::to_string(::getpid()) + "-" + name; }
}  // namespace

TEST_CASE("from_file reads PyNN's connection file format", "[connectors]") {
  std::string path = temp_path("conn.txt");
  {
    std::ofstream f(path);
    f << "# columns = ['i', 'j', 'delay', 'weight']\n# dt = 0.1\n0 1 0.5 2.0\n\n2\t0\t1.0\t3.0\n1 2 0.2 4.0\n";
  }
  ModelBuilder b;
  uint32_t p = b.population("p", 3);
  GenncConnector c = ModelBuilder::connector(GENNC_CONNECT_FROM_FILE);
  c.path = path.c_str();
  b.projection("pp", ModelBuilder::all(p, 3), ModelBuilder::all(p, 3), c, true);
  Built built;
  create(b, &built);
  Synapses s = read(built.sim, "pp", 3, 3);
  CHECK(s.pairs == std::vector<std::pair<uint32_t, uint32_t>>{{0, 1}, {1, 2}, {2, 0}});
  CHECK(get_f64(built.sim, "pp.weight") == std::vector<double>{2.0, 4.0, 3.0});
  CHECK(get_u32(built.sim, "pp.delay") == std::vector<uint32_t>{5, 2, 10});
  std::remove(path.c_str());
}

TEST_CASE("from_file reports a missing or malformed file clearly", "[connectors][errors]") {
  std::string missing = temp_path("does-not-exist.txt");
  std::string malformed = temp_path("malformed.txt");
  {
    std::ofstream f(malformed);
    f << "# a header\n0 1 0.5 1.0\n1 x 0.5 1.0\n";
  }
  std::string ragged = temp_path("ragged.txt");
  {
    std::ofstream f(ragged);
    f << "0 1 0.5 1.0\n1 2 0.5\n";
  }
  auto error_for = [](const std::string& path) {
    ModelBuilder b;
    uint32_t p = b.population("p", 3);
    GenncConnector c = ModelBuilder::connector(GENNC_CONNECT_FROM_FILE);
    c.path = path.c_str();
    b.projection("pp", ModelBuilder::all(p, 3), ModelBuilder::all(p, 3), c, true);
    return create_error(b);
  };
  CHECK_THAT(error_for(missing), Catch::Contains("cannot open connection file '" + missing + "'"));
  CHECK_THAT(error_for(malformed), Catch::Contains("line 3: 'x' is not a number"));
  CHECK_THAT(error_for(ragged), Catch::Contains("line 2: expected 4 columns"));
  std::remove(malformed.c_str());
  std::remove(ragged.c_str());
}

TEST_CASE("from_file and from_list refuse weights that are not finite and negative delays", "[connectors][errors]") {
  auto error_for = [](const std::string& rows) {
    std::string path = temp_path("values.txt");
    {
      std::ofstream f(path);
      f << rows;
    }
    ModelBuilder b;
    uint32_t p = b.population("p", 3);
    GenncConnector c = ModelBuilder::connector(GENNC_CONNECT_FROM_FILE);
    c.path = path.c_str();
    b.projection("pp", ModelBuilder::all(p, 3), ModelBuilder::all(p, 3), c, true);
    std::string error = create_error(b);
    std::remove(path.c_str());
    return error;
  };
  // A file's rows are named by their line in it.
  std::string file = "connection file '" + temp_path("values.txt") + "'";
  CHECK(error_for("0 1 0.5 1.0\n1 2 nan 1.0\n") == "projection 'pp': " + file + " line 2: weight nan is not a finite number");
  CHECK(error_for("0 1 inf 1.0\n") == "projection 'pp': " + file + " line 1: weight inf is not a finite number");
  CHECK(error_for("0 1 0.5 -1\n") == "projection 'pp': " + file + " line 1: delay -1 ms is not a finite number >= 0");
  CHECK(error_for("0 1 0.5 1\n\n# a comment\n2 3 0.5 1\n") ==
        "projection 'pp': " + file + " line 4: post index 3 is not a neuron of the post side (3 neurons)");
  CHECK(error_for("0 1 0.5 1e300\n") == "projection 'pp': " + file + " line 1: delay 1e+300 ms is 1e+301 steps of dt = "
                                         "0.1 ms; the delay rings hold at most 2^31 - 1 steps");

  ModelBuilder b;
  uint32_t p = b.population("p", 3);
  static const double rows[] = {0, 1, 0.5, 1.0, 1, 2, 0.5, std::numeric_limits<double>::quiet_NaN()};
  GenncConnector c = ModelBuilder::connector(GENNC_CONNECT_FROM_LIST);
  c.list = rows;
  c.list_rows = 2;
  c.list_columns = 4;
  b.projection("pp", ModelBuilder::all(p, 3), ModelBuilder::all(p, 3), c, true);
  CHECK(create_error(b) == "projection 'pp': list row 2: delay nan ms is not a finite number >= 0");
}

TEST_CASE("array connector connects the nonzero entries of the matrix", "[connectors]") {
  ModelBuilder b;
  uint32_t p = b.population("p", 2);
  uint32_t q = b.population("q", 3);
  static const double matrix[] = {0, 1, 1,  1, 0, 0};
  GenncConnector c = ModelBuilder::connector(GENNC_CONNECT_ARRAY);
  c.list = matrix;
  c.list_rows = 2;
  c.list_columns = 3;
  b.projection("pq", ModelBuilder::all(p, 2), ModelBuilder::all(q, 3), c);
  Built built;
  create(b, &built);
  CHECK(read(built.sim, "pq", 2, 3).pairs == std::vector<std::pair<uint32_t, uint32_t>>{{0, 1}, {0, 2}, {1, 0}});
}

TEST_CASE("clone copies another projection's synapses, whatever the order", "[connectors]") {
  ModelBuilder b;
  uint32_t p = b.population("p", 100);
  uint32_t q = b.population("q", 80);
  // The clone comes first: the runtime builds its source on demand.
  b.projection("copy", ModelBuilder::all(p, 100), ModelBuilder::all(q, 80), ModelBuilder::connector(GENNC_CONNECT_CLONE, 1));
  b.projection("source", ModelBuilder::all(p, 100), ModelBuilder::all(q, 80),
               ModelBuilder::connector(GENNC_CONNECT_FIXED_PROBABILITY, 0.2));
  Built built;
  create(b, &built);
  Synapses source = read(built.sim, "source", 100, 80);
  CHECK(source.pairs.size() > 0);
  CHECK(read(built.sim, "copy", 100, 80).pairs == source.pairs);
}

TEST_CASE("connectivity depends on the seed alone, not on the thread count", "[connectors]") {
  auto pairs = [](uint64_t seed, uint32_t threads) {
    ModelBuilder b;
    uint32_t p = b.population("p", 300, line());
    b.projection("pp", ModelBuilder::all(p, 300), ModelBuilder::all(p, 300),
                 ModelBuilder::connector(GENNC_CONNECT_FIXED_PROBABILITY, 0.05));
    b.projection("fn", ModelBuilder::all(p, 300), ModelBuilder::all(p, 300),
                 ModelBuilder::connector(GENNC_CONNECT_FIXED_NUMBER_PRE, 10, 0, false, false, 8));
    b.projection("ft", ModelBuilder::all(p, 300), ModelBuilder::all(p, 300),
                 ModelBuilder::connector(GENNC_CONNECT_FIXED_TOTAL_NUMBER, 3000, 0, false, true, 9));
    b.projection("sw", ModelBuilder::all(p, 300), ModelBuilder::all(p, 300),
                 ModelBuilder::connector(GENNC_CONNECT_SMALL_WORLD, 4.0, 0.3, false, false, 10));
    Built built;
    create(b, &built, seed, threads);
    std::vector<std::pair<uint32_t, uint32_t>> all;
    for (const char* name : {"pp", "fn", "ft", "sw"}) {
      Synapses s = read(built.sim, name, 300, 300);
      all.insert(all.end(), s.pairs.begin(), s.pairs.end());
    }
    return all;
  };
  CHECK(pairs(1, 1) == pairs(1, 1));
  CHECK(pairs(1, 1) == pairs(1, 3));
  CHECK(pairs(1, 1) != pairs(2, 1));
}

TEST_CASE("views: CSR rows and columns are population indices", "[connectors]") {
  ModelBuilder b;
  uint32_t p = b.population("p", 50);
  uint32_t q = b.population("q", 40);
  b.projection("pq", ModelBuilder::slice(p, 10, 50, 4), b.list(q, {39, 0, 17}),
               ModelBuilder::connector(GENNC_CONNECT_ALL_TO_ALL));
  Built built;
  create(b, &built);
  Synapses s = read(built.sim, "pq", 50, 40);
  CHECK(s.pairs.size() == 30);
  for (auto [i, j] : s.pairs) {
    CHECK((i >= 10 && (i - 10) % 4 == 0));
    CHECK((j == 39 || j == 0 || j == 17));
  }
}

TEST_CASE("per-synapse initialisers: distributions by synapse, expressions of distance", "[connectors]") {
  ModelBuilder b;
  uint32_t p = b.population("p", 20, line());
  uint32_t proj = b.projection("pp", ModelBuilder::all(p, 20), ModelBuilder::all(p, 20),
                               ModelBuilder::connector(GENNC_CONNECT_ALL_TO_ALL), true, 0.35);
  GenncInit kernel{};
  kernel.kind = GENNC_INIT_SYNAPSE_KERNEL;
  kernel.kernel = 0;
  b.synapse_array(proj, "pp.by_distance", kernel);
  GenncInit uniform{};
  uniform.kind = GENNC_INIT_UNIFORM;
  uniform.params[0] = 1.0;
  uniform.params[1] = 2.0;
  uniform.stream = 3;
  b.synapse_array(proj, "pp.random", uniform);
  static const GenncSynapseInitFn kernels[] = {
      [](uint32_t, uint32_t, double d, double, double, double, uint64_t) { return 2.0 * d; }};
  GenncModel& m = b.model();
  m.synapse_init_kernels = kernels;
  m.synapse_init_kernel_count = 1;
  GenncOptions o = one_thread();
  GenncSim* sim = nullptr;
  REQUIRE(gennc_create(&m, &o, &sim) == GENNC_OK);
  Built built{sim};
  Synapses s = read(sim, "pp", 20, 20);
  std::vector<double> by_distance = get_f64(sim, "pp.by_distance");
  for (size_t k = 0; k < s.pairs.size(); ++k)
    CHECK(by_distance[k] == 2.0 * std::abs(double(s.pairs[k].first) - s.pairs[k].second));
  for (double w : get_f64(sim, "pp.random")) CHECK((w > 1.0 && w < 2.0));
  CHECK(get_u32(sim, "pp.delay") == std::vector<uint32_t>(400, 4));
}
