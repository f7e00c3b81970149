#include <catch2/catch.hpp>

#include "diag/source_manager.h"

using namespace gennc::diag;

TEST_CASE("line and column of every offset", "[source_manager]") {
  SourceManager sm;
  FileId f = sm.add_file("a.gdsl", "ab\ncd\r\nef\rg");
  struct Case {
    std::uint32_t offset, line, column;
  } cases[] = {{0, 1, 1}, {1, 1, 2}, {2, 1, 3}, {3, 2, 1}, {4, 2, 2}, {5, 2, 3}, {6, 2, 4},
               {7, 3, 1}, {9, 3, 3}, {10, 4, 1}, {11, 4, 2}};
  for (const Case& c : cases) {
    INFO("offset " << c.offset);
    LineCol lc = sm.line_col({f, c.offset});
    CHECK(lc.line == c.line);
    CHECK(lc.column == c.column);
  }
}

TEST_CASE("line text excludes terminators", "[source_manager]") {
  SourceManager sm;
  FileId f = sm.add_file("a.gdsl", "first\r\nsecond\nthird");
  CHECK(sm.line_text(f, 1) == "first");
  CHECK(sm.line_text(f, 2) == "second");
  CHECK(sm.line_text(f, 3) == "third");
  CHECK(sm.line_text(f, 4).empty());
  CHECK(sm.line_text(f, 0).empty());
}

TEST_CASE("files are registered, found and read", "[source_manager]") {
  SourceManager sm;
  FileId a = sm.add_file("a.gdsl", "x");
  FileId b = sm.add_file("b.gdsl", "y");
  CHECK(a == 1);
  CHECK(b == 2);
  CHECK(sm.path(b) == "b.gdsl");
  CHECK(sm.contents(a) == "x");
  CHECK(sm.find("b.gdsl") == b);
  CHECK_FALSE(sm.find("c.gdsl").has_value());

  std::string error;
  CHECK_FALSE(sm.load_file("/nonexistent/file.gdsl", &error).has_value());
  CHECK(error == "No such file or directory");
}

TEST_CASE("cover spans both ranges and ignores invalid ones", "[source_manager]") {
  SourceRange a{{1, 4}, {1, 6}};
  SourceRange b{{1, 10}, {1, 12}};
  SourceRange c = SourceRange::cover(a, b);
  CHECK(c.begin.offset == 4);
  CHECK(c.end.offset == 12);
  CHECK(SourceRange::cover(SourceRange{}, b).begin.offset == 10);
  CHECK(SourceRange::cover(a, SourceRange{}).end.offset == 6);
}
