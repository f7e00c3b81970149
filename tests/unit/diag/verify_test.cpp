#include <catch2/catch.hpp>

#include <sstream>

#include "diag/verify.h"

using namespace gennc::diag;

namespace {

struct Fixture {
  SourceManager sm;
  FileId file;
  Diagnostics diags{sm, nullptr};
  explicit Fixture(std::string text) : file(sm.add_file("v.gdsl", std::move(text))) {}
  // Reports an error at the first `word` after `context`.
  void at(const std::string& context, const std::string& word) {
    std::string_view text = sm.contents(file);
    auto offset = static_cast<std::uint32_t>(text.find(word, text.find(context)));
    diags.report(DiagId::unexpected_token, {{file, offset}, {file, offset + static_cast<std::uint32_t>(word.size())}}, "'" + word + "'");
  }
  std::pair<bool, std::string> run() {
    std::ostringstream out;
    bool ok = verify(sm, file, diags.all(), out);
    return {ok, out.str()};
  }
};

}  // namespace

TEST_CASE("directives are read with relative, absolute and no line", "[verify]") {
  SourceManager sm;
  FileId f = sm.add_file("v.gdsl",
                         "// expected-error@+2:5 {{one}}\n"
                         "x  // expected-warning {{two}} expected-note@1 {{three}}\n"
                         "y\n"
                         "// expected-error@-1 {{four}}\n");
  ExpectationSet set = read_expectations(sm, f);
  REQUIRE(set.problems.empty());
  REQUIRE(set.expectations.size() == 4);
  CHECK(set.expectations[0].line == 3);
  CHECK(set.expectations[0].column == 5u);
  CHECK(set.expectations[0].text == "one");
  CHECK(set.expectations[1].severity == Severity::Warning);
  CHECK(set.expectations[1].line == 2);
  CHECK_FALSE(set.expectations[1].column.has_value());
  CHECK(set.expectations[2].severity == Severity::Note);
  CHECK(set.expectations[2].line == 1);
  CHECK(set.expectations[3].line == 3);
}

TEST_CASE("malformed directives are problems", "[verify]") {
  SourceManager sm;
  FileId f = sm.add_file("v.gdsl",
                         "// expected-error@+x {{a}}\n"
                         "// expected-error {{unclosed\n"
                         "// expected-bogus {{b}}\n"
                         "// expected-error@-9 {{c}}\n"
                         "// expected-error no braces\n");
  ExpectationSet set = read_expectations(sm, f);
  CHECK(set.expectations.empty());
  REQUIRE(set.problems.size() == 5);
  CHECK(set.problems[0] == "line 1: expected a line after '@'");
  CHECK(set.problems[1] == "line 2: missing '}}'");
  CHECK(set.problems[2] == "line 3: unknown directive 'expected-bogus'");
  CHECK(set.problems[3] == "line 4: the line offset points before the first line");
  CHECK(set.problems[4] == "line 5: expected '{{' after the directive");
}

TEST_CASE("text outside comments is not a directive", "[verify]") {
  SourceManager sm;
  FileId f = sm.add_file("v.gdsl", "x = \"expected-error {{no}}\"  // expected-no-diagnostics\n");
  ExpectationSet set = read_expectations(sm, f);
  CHECK(set.expectations.empty());
  CHECK(set.no_diagnostics);
}

TEST_CASE("matching diagnostics verify", "[verify]") {
  Fixture fx(
      "// expected-error@+1:5 {{'bad'}}\n"
      "x = bad + worse  // expected-error {{worse}}\n");
  fx.at("x = ", "bad");
  fx.at("x = ", "worse");
  auto [ok, out] = fx.run();
  CHECK(ok);
  CHECK(out.empty());
}

TEST_CASE("a wrong column or text does not match", "[verify]") {
  Fixture fx(
      "// expected-error@+1:1 {{'bad'}}\n"
      "x = bad\n");
  fx.at("x = ", "bad");
  auto [ok, out] = fx.run();
  CHECK_FALSE(ok);
  CHECK(out ==
        "seen but not expected: v.gdsl:2:5: error: unexpected 'bad'\n"
        "expected but not seen: v.gdsl:2:1: error: {{'bad'}} (written on line 1)\n");
}

TEST_CASE("each expectation matches one diagnostic", "[verify]") {
  Fixture fx("x = bad  // expected-error {{bad}}\n");
  fx.at("x = ", "bad");
  fx.at("x = ", "bad");
  auto [ok, out] = fx.run();
  CHECK_FALSE(ok);
  CHECK(out == "seen but not expected: v.gdsl:1:5: error: unexpected 'bad'\n");
}

TEST_CASE("notes must be expected too", "[verify]") {
  Fixture fx(
      "threshold a  // expected-note {{first}}\n"
      "threshold b  // expected-error {{more than once}}\n");
  auto second = static_cast<std::uint32_t>(fx.sm.contents(fx.file).find("threshold b"));
  fx.diags.report(DiagId::duplicate_model_item, {{fx.file, second}, {fx.file, second + 11}}, "threshold", "A")
      .note(DiagId::previous_model_item, {{fx.file, 0}, {fx.file, 11}}, "threshold");
  CHECK(fx.run().first);
}

TEST_CASE("a file without directives fails unless it says so", "[verify]") {
  Fixture none("x = 1\n");
  auto [ok, out] = none.run();
  CHECK_FALSE(ok);
  CHECK(out.find("no expected-* directives found") != std::string::npos);

  Fixture quiet("x = 1  // expected-no-diagnostics\n");
  CHECK(quiet.run().first);
  quiet.at("", "x");
  CHECK_FALSE(quiet.run().first);
}
