//===- ProgressTest.cpp - mav-trace's progress line -----------------------===//

#include "mav/Trace/Trace.h"

#include <gtest/gtest.h>

using namespace mav;

namespace {

TraceProgress makeProgress(size_t run, size_t expected) {
  TraceProgress progress;
  progress.opsRun = run;
  progress.opsExpected = expected;
  progress.nodes = 7;
  progress.module = "features.1.0.block.3";
  return progress;
}

TEST(TraceProgressTest, WithinTheEstimate) {
  EXPECT_EQ(formatTraceProgress(makeProgress(18, 469), 1.06),
            "mav-trace: 18/~469 ops (3%), 7 nodes, at 'features.1.0.block.3' "
            "(1.1 s)");
}

TEST(TraceProgressTest, NeverAHundredPercentBeforeTheEnd) {
  EXPECT_EQ(formatTraceProgress(makeProgress(155, 155), 2.0),
            "mav-trace: 155/~155 ops (99%), 7 nodes, at "
            "'features.1.0.block.3' (2.0 s)");
}

// wav2vec2 showed "294/~155 ops (99%)" and then "782/~155": past the
// estimate, only the count.
TEST(TraceProgressTest, PastTheEstimateDropsIt) {
  EXPECT_EQ(formatTraceProgress(makeProgress(782, 155), 3.24),
            "mav-trace: 782 ops, 7 nodes, at 'features.1.0.block.3' (3.2 s)");
}

} // namespace
