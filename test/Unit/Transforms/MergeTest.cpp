//===- MergeTest.cpp - The merge pass against IDLMAV's rules, literally ---===//
//
// The pass finds its sub-nodes without sorting every node and without
// building user lists. Here, on seeded random graphs, it is compared with a
// direct transcription of IDLMAV's steps (a stable sort of every node by
// parameter count, a running sum over all of them, user lists), with
// parameter counts that are zero, equal, near the cutoff, near overflow,
// and negative (which only an unverified graph can have: the pass must
// still give IDLMAV's answer).
//
//===----------------------------------------------------------------------===//

#include "mav/Pass/PassManager.h"
#include "mav/Pass/PassRegistry.h"
#include "mav/Transforms/Passes.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <random>
#include <set>

using namespace mav;

namespace {

/// IDLMAV's merging, step by step, as docs/MergeAndColor.md states it: the
/// name of each node's parent ("" for top-level nodes).
std::vector<std::string> referenceParents(const Graph &graph,
                                          const std::vector<int64_t> &params,
                                          double threshold) {
  uint32_t n = static_cast<uint32_t>(graph.size());
  std::vector<std::set<uint32_t>> inputs(n), users(n);
  for (uint32_t i = 0; i < n; ++i)
    for (const ValueRef &operand : graph.getNode(i).operands) {
      inputs[i].insert(operand.node);
      users[operand.node].insert(i);
    }
  auto canMerge = [&](uint32_t i) {
    const Node &node = graph.getNode(i);
    return !node.isInput() && !node.isOutput() && inputs[i].size() == 1 &&
           !users[i].empty() && users[*inputs[i].begin()].size() == 1;
  };
  auto add = [](int64_t a, int64_t b) {
    int64_t sum;
    return __builtin_add_overflow(a, b, &sum) ? INT64_MAX : sum;
  };
  int64_t total =
      std::accumulate(params.begin(), params.end(), int64_t(0), add);
  double cutoff = threshold * static_cast<double>(total);
  std::vector<uint32_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return params[a] < params[b];
  });
  std::vector<bool> sub(n, false);
  int64_t running = 0;
  for (uint32_t i : order) {
    running = add(running, params[i]);
    sub[i] =
        threshold >= 0 && canMerge(i) && static_cast<double>(running) <= cutoff;
  }
  std::set<std::string> opsWithTopLevel;
  for (uint32_t i = 0; i < n; ++i)
    if (!sub[i])
      opsWithTopLevel.insert(graph.getNode(i).op);
  for (uint32_t i = 0; i < n; ++i) {
    const std::string &op = graph.getNode(i).op;
    bool call = op.size() >= 2 && op.substr(op.size() - 2) == "()";
    if (sub[i] && opsWithTopLevel.count(op) && !call)
      sub[i] = false;
  }
  std::vector<uint32_t> top(n);
  std::vector<std::string> parents(n);
  for (uint32_t i = 0; i < n; ++i) {
    top[i] = sub[i] ? top[*inputs[i].begin()] : i;
    if (sub[i])
      parents[i] = graph.getNode(top[i]).name;
  }
  return parents;
}

/// A random DAG in topological order: chains with branches, joins, nodes
/// reading one producer twice, and a few operations (some calls).
Graph makeGraph(IRContext &ctx, std::mt19937_64 &rng,
                std::vector<int64_t> &params) {
  static const char *kOps[] = {"nn.Conv2d",      "nn.ReLU", "add()",
                               "nn.BatchNorm2d", ".view()", "nn.Linear"};
  static const int64_t kSpecial[] = {
      0, 0, 0, 1, 7, 7, 100, INT64_MAX / 2, INT64_MAX, -5, -1000};
  bool negatives = rng() % 4 == 0, huge = rng() % 4 == 0;
  Graph graph(ctx, "g");
  uint32_t n = 3 + rng() % 60;
  params.assign(n, 0);
  for (uint32_t i = 0; i < n; ++i) {
    Node node;
    node.name = "n" + std::to_string(i);
    node.resultTypes = {Type(), Type()};
    if (i == 0) {
      node.op = "input";
    } else {
      node.op = i + 1 == n ? "output" : kOps[rng() % std::size(kOps)];
      uint32_t operands = 1 + (rng() % 4 == 0) + (rng() % 8 == 0);
      for (uint32_t k = 0; k < operands; ++k) {
        uint32_t producer = rng() % 3 ? i - 1 : rng() % i;
        node.operands.push_back({producer, static_cast<uint32_t>(rng() % 2)});
      }
      if (node.op == "output")
        node.resultTypes.clear();
      int64_t count = static_cast<int64_t>(rng() % 200);
      if (rng() % 3 == 0)
        count = kSpecial[rng() % (std::size(kSpecial) - 2)];
      if (huge && rng() % 10 == 0)
        count = kSpecial[7 + rng() % 2];
      if (negatives && rng() % 6 == 0)
        count = kSpecial[9 + rng() % 2];
      params[i] = count;
      node.attrs.set(ctx, "cost.params", Attribute::integer(count));
    }
    graph.addNode(std::move(node));
  }
  return graph;
}

TEST(MergeTest, MatchesIdlmavsRulesOnRandomGraphs) {
  PassRegistry registry;
  registerAllPasses(registry);
  std::mt19937_64 rng(20261124);
  const double kThresholds[] = {-1, 0, 0.001, 0.01, 0.1, 0.5, 1, 2};
  for (int round = 0; round < 3000; ++round) {
    std::vector<int64_t> params;
    IRContext ctx;
    Graph graph = makeGraph(ctx, rng, params);
    double threshold = kThresholds[rng() % std::size(kThresholds)];
    std::vector<std::string> expected =
        referenceParents(graph, params, threshold);

    DiagnosticEngine diags;
    std::vector<PipelineElement> pipeline;
    ASSERT_TRUE(succeeded(
        parsePassPipeline("merge{threshold=" + std::to_string(threshold) + "}",
                          registry, pipeline, diags)));
    PassManagerOptions options;
    options.verifyEach = false; // negative counts do not verify
    PassManager pm(diags, options, [](const std::string &) {});
    pm.addPass(pipeline.front());
    ASSERT_TRUE(succeeded(pm.run(graph))) << "round " << round;
    for (uint32_t i = 0; i < graph.size(); ++i) {
      const Attribute *parent = graph.getNode(i).attrs.get("parent");
      std::string actual(parent ? parent->getString() : std::string_view());
      ASSERT_EQ(actual, expected[i])
          << "round " << round << ", node " << i << ", threshold " << threshold;
    }
  }
}

} // namespace
