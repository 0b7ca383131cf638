//===- ParamCountAnalysisTest.cpp - Parameter counts of nodes -------------===//
//
// attrs::getParamCount and ParamCountAnalysis: `cost.params` wins over
// `params`, counts and totals saturate at INT64_MAX instead of overflowing,
// and a zero dimension makes a tensor empty even after an overflow, as the
// cost pass counts them.
//
//===----------------------------------------------------------------------===//

#include "mav/Analysis/ParamCountAnalysis.h"
#include "mav/IR/ModelAttributes.h"
#include "mav/IR/Parser.h"

#include <gtest/gtest.h>

#include <cstdint>

using namespace mav;

namespace {

std::unique_ptr<Graph> parse(IRContext &context, std::string text) {
  DiagnosticEngine diags;
  return parseGraph(context,
                    std::make_shared<SourceBuffer>("test.mav", std::move(text)),
                    diags);
}

TEST(ParamCountAnalysisTest, CostParamsWinOverParams) {
  IRContext context;
  auto graph = parse(context, R"mav(graph @g {
  %x = node "input"() : f32[1,3]
  %a = node "nn.Linear"(%x) {params = {w = f32[4,3], b = f32[4]}} : f32[1,4]
  %b = node "nn.Linear"(%a) {cost.params = 7, params = {w = f32[4,4]}} : f32[1,4]
  %output = node "output"(%b) : ()
})mav");
  ASSERT_TRUE(graph);
  EXPECT_EQ(attrs::getParamCount(graph->getNode(1)), 16);
  EXPECT_EQ(attrs::getParamCount(graph->getNode(2)), 7);
  ParamCountAnalysis counts(*graph);
  EXPECT_EQ(counts.getParamCounts(), (std::vector<int64_t>{0, 16, 7, 0}));
  EXPECT_EQ(counts.getTotal(), 23);
}

TEST(ParamCountAnalysisTest, CountsSaturate) {
  IRContext context;
  auto graph = parse(context, R"mav(graph @g {
  %x = node "input"() : f32[1]
  %a = node "f()"(%x) {params = {w = f32[4294967296,4294967296,2], v = f32[1]}} : f32[1]
  %b = node "f()"(%a) {params = {w = f32[4294967296,4294967296,0]}} : f32[1]
  %c = node "f()"(%b) {params = {w = f32[?,3]}} : f32[1]
  %output = node "output"(%c) : ()
})mav");
  ASSERT_TRUE(graph);
  ParamCountAnalysis counts(*graph);
  EXPECT_EQ(counts.getParamCount(1), INT64_MAX);
  EXPECT_EQ(counts.getParamCount(2), 0);
  EXPECT_EQ(counts.getParamCount(3), 0); // unknown size: not counted
  EXPECT_EQ(counts.getTotal(), INT64_MAX);
}

} // namespace
