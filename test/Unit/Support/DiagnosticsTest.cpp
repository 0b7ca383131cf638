//===- DiagnosticsTest.cpp - Diagnostic formatting and split buffers ------===//

#include "mav/Support/Diagnostics.h"
#include "mav/Support/FileUtils.h"

#include <gtest/gtest.h>

using namespace mav;

TEST(DiagnosticsTest, FormatsLocationLineAndCaret) {
  SourceBuffer buffer("f.mav", "first\n  second line\n");
  Diagnostic d = makeDiagnostic(Severity::Error, {&buffer, 10}, "bad thing");
  d.attachNote({&buffer, 0}, "see here");
  EXPECT_EQ(formatDiagnostic(d), "f.mav:2:5: error: bad thing\n"
                                 "  second line\n"
                                 "    ^\n"
                                 "f.mav:1:1: note: see here\n"
                                 "first\n"
                                 "^\n");
}

TEST(DiagnosticsTest, CaretCountsCharactersNotBytes) {
  SourceBuffer buffer("f", "\xC3\xA9\xC3\xA9x");
  Diagnostic d = makeDiagnostic(Severity::Error, {&buffer, 4}, "m");
  EXPECT_EQ(d.column, 5u); // byte column, as LLVM reports it
  EXPECT_EQ(formatDiagnostic(d), "f:1:5: error: m\n\xC3\xA9\xC3\xA9x\n  ^\n");
}

TEST(DiagnosticsTest, EscapesTerminalControlCharacters) {
  SourceBuffer buffer("f\x1b[31m", "a\x1b[2Jb");
  Diagnostic d = makeDiagnostic(Severity::Error, {&buffer, 6}, "msg \x07 bell");
  std::string text = formatDiagnostic(d);
  EXPECT_EQ(text.find('\x1b'), std::string::npos);
  EXPECT_EQ(text.find('\x07'), std::string::npos);
  EXPECT_NE(text.find("\\x1B[2Jb"), std::string::npos);
}

TEST(DiagnosticsTest, LongLinesShowAWindowAroundTheColumn) {
  std::string line(1000000, 'a');
  line[500000] = 'X';
  SourceBuffer buffer("f", line);
  std::string text =
      formatDiagnostic(makeDiagnostic(Severity::Error, {&buffer, 500000}, "m"));
  EXPECT_LT(text.size(), 500u);
  size_t lineStart = text.find('\n') + 1;
  size_t caretLine = text.find('\n', lineStart) + 1;
  size_t x = text.find('X', lineStart) - lineStart;
  EXPECT_EQ(text.find('^', caretLine) - caretLine, x);
}

TEST(DiagnosticsTest, SplitBuffersKeepOriginalLineNumbers) {
  SourceBuffer buffer("f", "a\n// -----\nb\nc\n// -----  \nd");
  auto chunks = splitInputBuffer(buffer);
  ASSERT_EQ(chunks.size(), 3u);
  EXPECT_EQ(chunks[0]->getText(), "a\n");
  EXPECT_EQ(chunks[1]->getText(), "b\nc\n");
  EXPECT_EQ(chunks[2]->getText(), "d");
  EXPECT_EQ(chunks[1]->getLineAndColumn(2).first, 4u);
  EXPECT_EQ(chunks[2]->getLineAndColumn(0).first, 6u);
}
