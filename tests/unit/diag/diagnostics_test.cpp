#include <catch2/catch.hpp>

#include <sstream>

#include "diag/diagnostics.h"

using namespace gennc::diag;

namespace {
SourceRange at(FileId f, std::uint32_t begin, std::uint32_t end) { return {{f, begin}, {f, end}}; }
}  // namespace

TEST_CASE("errors print clang style with caret and range", "[diagnostics]") {
  SourceManager sm;
  FileId f = sm.add_file("net.gdsl", "network n {\n  x = 1 $ 2\n}\n");
  std::ostringstream out;
  Diagnostics d(sm, &out);
  d.report(DiagId::unexpected_token, at(f, 18, 23), "'1 $ 2'");
  CHECK(out.str() ==
        "net.gdsl:2:7: error: unexpected '1 $ 2' [syntax]\n"
        "  x = 1 $ 2\n"
        "      ^~~~~\n");
  CHECK(d.error_count() == 1);
  CHECK(d.has_errors());
}

TEST_CASE("notes follow their diagnostic without a flag", "[diagnostics]") {
  SourceManager sm;
  FileId f = sm.add_file("m.gdsl", "neuron A {\n  threshold v > 1\n  threshold v > 2\n}\n");
  std::ostringstream out;
  Diagnostics d(sm, &out);
  d.report(DiagId::duplicate_model_item, at(f, 31, 46), "threshold", "A")
      .note(DiagId::previous_model_item, at(f, 13, 28), "threshold");
  CHECK(out.str() ==
        "m.gdsl:3:3: error: 'threshold' given more than once in 'A' [duplicate-item]\n"
        "  threshold v > 2\n"
        "  ^~~~~~~~~~~~~~~\n"
        "m.gdsl:2:3: note: the first 'threshold' is here\n"
        "  threshold v > 1\n"
        "  ^~~~~~~~~~~~~~~\n");
  REQUIRE(d.all().size() == 1);
  CHECK(d.all()[0].notes.size() == 1);
}

TEST_CASE("extra ranges are underlined, tabs kept for alignment", "[diagnostics]") {
  SourceManager sm;
  FileId f = sm.add_file("t.gdsl", "\tx = a + b\n");
  std::ostringstream out;
  Diagnostics d(sm, &out);
  d.report(DiagId::unexpected_token, at(f, 7, 8), "'+'").range(at(f, 5, 6)).range(at(f, 9, 10));
  CHECK(out.str() ==
        "t.gdsl:1:8: error: unexpected '+' [syntax]\n"
        "\tx = a + b\n"
        "\t    ~ ^ ~\n");
}

TEST_CASE("a range running past the line end is cut at the line end", "[diagnostics]") {
  SourceManager sm;
  FileId f = sm.add_file("t.gdsl", "ab\ncd\n");
  std::ostringstream out;
  Diagnostics d(sm, &out);
  d.report(DiagId::unterminated_comment, at(f, 1, 5));
  CHECK(out.str() == "t.gdsl:1:2: error: unterminated /* comment [syntax]\nab\n ^\n");
}

TEST_CASE("diagnostics without a location name the program", "[diagnostics]") {
  SourceManager sm;
  std::ostringstream out;
  Diagnostics d(sm, &out);
  d.report(DiagId::file_not_found, SourceRange{}, "x.gdsl", "No such file or directory");
  CHECK(out.str() == "gennc: error: cannot open 'x.gdsl': No such file or directory [file-not-found]\n");
}

TEST_CASE("the error limit stops printing but not counting", "[diagnostics]") {
  SourceManager sm;
  FileId f = sm.add_file("t.gdsl", "$$$\n");
  std::ostringstream out;
  Diagnostics d(sm, &out);
  d.set_error_limit(2);
  for (std::uint32_t i = 0; i < 3; ++i) d.report(DiagId::bad_character, at(f, i, i + 1), "$");
  CHECK(out.str() ==
        "t.gdsl:1:1: error: invalid character '$' in source [syntax]\n$$$\n^\n"
        "t.gdsl:1:2: error: invalid character '$' in source [syntax]\n$$$\n ^\n"
        "error: too many errors emitted, stopping now\n");
  CHECK(d.error_count() == 3);
  CHECK(d.all().size() == 3);
}

TEST_CASE("colour is used only when asked", "[diagnostics]") {
  SourceManager sm;
  FileId f = sm.add_file("t.gdsl", "$\n");
  std::ostringstream plain, coloured;
  Diagnostics a(sm, &plain);
  a.report(DiagId::bad_character, at(f, 0, 1), "$");
  Diagnostics b(sm, &coloured);
  b.set_color(true);
  b.report(DiagId::bad_character, at(f, 0, 1), "$");
  CHECK(plain.str().find('\033') == std::string::npos);
  CHECK(coloured.str().find("\033[1;31merror: ") != std::string::npos);
}

TEST_CASE("a sink without a stream only collects", "[diagnostics]") {
  SourceManager sm;
  FileId f = sm.add_file("t.gdsl", "x\n");
  Diagnostics d(sm, nullptr);
  d.report(DiagId::bad_character, at(f, 0, 1), "x");
  REQUIRE(d.all().size() == 1);
  CHECK(d.all()[0].message == "invalid character 'x' in source");
  CHECK(d.all()[0].severity == Severity::Error);
}

TEST_CASE("carets count characters, not bytes, of UTF-8 text", "[diagnostics]") {
  SourceManager sm;
  FileId f = sm.add_file("u.gdsl", "// \xc2\xb5s\nx = \"\xc2\xb5\" $\n");
  std::ostringstream out;
  Diagnostics d(sm, &out);
  d.report(DiagId::bad_character, at(f, 16, 17), "$");
  CHECK(out.str() ==
        "u.gdsl:2:10: error: invalid character '$' in source [syntax]\n"
        "x = \"\xc2\xb5\" $\n"
        "        ^\n");
}

TEST_CASE("long lines are shown as a window around the caret", "[diagnostics]") {
  SourceManager sm;
  std::string line = std::string(300, 'a') + "$" + std::string(300, 'b');
  FileId f = sm.add_file("l.gdsl", line + "\n");
  std::ostringstream out;
  Diagnostics d(sm, &out);
  d.report(DiagId::bad_character, at(f, 300, 301), "$");
  std::string expected_line = "..." + std::string(53, 'a') + "$" + std::string(106, 'b') + "...";
  CHECK(out.str() == "l.gdsl:1:301: error: invalid character '$' in source [syntax]\n" + expected_line + "\n" +
                         std::string(56, ' ') + "^\n");
}
