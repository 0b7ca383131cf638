//===- ProcessTest.cpp - Out of memory as an error ------------------------===//

#include "mav/Support/Process.h"

#include <new>

#include <gtest/gtest.h>

using namespace mav;

namespace {

TEST(ProcessTest, PassesTheExitCodeThrough) {
  EXPECT_EQ(runReportingOutOfMemory([] { return 0; }), 0);
  EXPECT_EQ(runReportingOutOfMemory([] { return 3; }), 3);
}

TEST(ProcessTest, OutOfMemoryIsExitCodeOne) {
  testing::internal::CaptureStderr();
  int code = runReportingOutOfMemory([]() -> int { throw std::bad_alloc(); });
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(code, 1);
  EXPECT_NE(err.find("error: out of memory"), std::string::npos) << err;
}

} // namespace
