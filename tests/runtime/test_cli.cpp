// The `sim` command line (runtime_test_sim: the LIF test network linked as `sim`): exit
// codes, options, the results folder, and that failures leave earlier results intact.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

namespace fs = std::filesystem;

namespace {

struct Outcome {
  int code;
  std::string output;
};

// Runs a test `sim` program with `arguments`, capturing stdout and stderr.
Outcome run(const std::string& program, const std::string& arguments) {
  std::string command = program + " " + arguments + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string output;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) output.append(buffer, n);
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

Outcome sim(const std::string& arguments) { return run(GENNC_TEST_SIM, arguments); }

std::string scratch(const std::string& name) {
  fs::path dir = fs::temp_directory_path() / ("gennc-cli-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  return (dir / name).string();
}

std::string slurp(const std::string& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("sim runs the network and writes the results folder", "[cli]") {
  std::string out = scratch("results");
  Outcome run = sim("--out " + out + " --duration 50 --seed 7 --threads 2");
  INFO(run.output);
  REQUIRE(run.code == 0);
  CHECK(run.output.find("init") != std::string::npos);
  CHECK(run.output.find("simulate") != std::string::npos);
  CHECK(run.output.find("build") != std::string::npos);
  auto manifest = nlohmann::json::parse(slurp(out + "/manifest.json"));
  CHECK(manifest["duration"].get<double>() == Approx(50.0));
  CHECK(manifest["seed"] == 7);
  CHECK(manifest["threads"] == 2);
  CHECK(fs::exists(out + "/exc.spikes.npy"));
  // The network's own duration and seed by default; --quiet prints nothing.
  Outcome quiet = sim("--out " + out + " --quiet");
  CHECK(quiet.code == 0);
  CHECK(quiet.output.empty());
  manifest = nlohmann::json::parse(slurp(out + "/manifest.json"));
  CHECK(manifest["duration"].get<double>() == Approx(100.0));
  CHECK(manifest["seed"] == 1234);
}

TEST_CASE("sim exit codes: usage errors 2, runtime errors 1, earlier results intact", "[cli][errors]") {
  std::string out = scratch("kept");
  REQUIRE(sim("--out " + out + " --duration 10 --quiet").code == 0);
  std::string before = slurp(out + "/manifest.json");

  CHECK(sim("--no-such-option").code == 2);
  CHECK(sim("--backend gpu").code == 2);
  CHECK(sim("--threads many").code == 2);
  CHECK(sim("--help").code == 0);

  Outcome negative = sim("--out " + out + " --duration=-5");
  CHECK(negative.code == 1);
  CHECK(negative.output.find("--duration must be a finite number of ms >= 0") != std::string::npos);
  Outcome cuda = sim("--out " + out + " --backend cuda");
  CHECK(cuda.code == 1);
  CHECK(cuda.output.find("backend 'cuda': the model has no GPU code") != std::string::npos);
  std::string blocked = scratch("blocked");
  std::ofstream(blocked) << "a file";
  Outcome unwritable = sim("--out " + blocked + "/results --duration 1");
  CHECK(unwritable.code == 1);
  CHECK(unwritable.output.find("cannot write results") != std::string::npos);
  // A network whose connection file is missing fails at set-up, naming the file.
  Outcome bad_file = run(GENNC_TEST_SIM_BAD_FILE, "--out " + out);
  CHECK(bad_file.code == 1);
  CHECK(bad_file.output.find("cannot open connection file 'missing-connections.txt'") != std::string::npos);
  CHECK(slurp(out + "/manifest.json") == before);
}
