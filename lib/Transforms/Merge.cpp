//===- Merge.cpp - Hang small nodes under the node they follow -----------===//
//
// IDLMAV's merging: nodes that carry few parameters (activations, norms,
// reshapes) are drawn between the rows of the big ones instead of getting a
// row of their own. Nothing is deleted: a merged node (a sub-node) gets a
// `parent` attribute naming the top-level node it follows, and layout works
// on the graph contracted to top-level nodes.
//
// The rules are IDLMAV's (merging.py, version 1.1.0), step by step:
//  1. cutoff = threshold x total parameters;
//  2. nodes sorted by parameter count, ascending, stable;
//  3. a running sum over *every* node in that order; a node becomes a
//     sub-node if it can merge and the running sum is <= cutoff;
//  4. a node can merge if it has exactly one input node, at least one user,
//     and its input node has exactly one user; network inputs and outputs
//     never merge;
//  5. if any node of an operation stays top-level, every node of that
//     operation does, except for operations ending in `()`;
//  6. a sub-node hangs under the first top-level node up its input chain.
// "Input node" and "user" count distinct nodes: `mul()(%x, %x)` has one
// input, and a `chunk()` whose two results both feed one node has one user.
// A negative threshold merges nothing even in a parameter-free model (where
// IDLMAV's `0 <= -0.0` would merge everything).
//
//===----------------------------------------------------------------------===//

#include "mav/Pass/PassRegistry.h"
#include "mav/Transforms/CostModel.h"
#include "mav/Transforms/Passes.h"

#include <algorithm>
#include <cstdint>
#include <numeric>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

using namespace mav;

namespace {

/// The distinct node a node reads from, if there is exactly one.
std::optional<uint32_t> getSingleInputNode(const Node &node) {
  if (node.operands.empty())
    return std::nullopt;
  uint32_t producer = node.operands.front().node;
  for (const ValueRef &operand : node.operands)
    if (operand.node != producer)
      return std::nullopt;
  return producer;
}

struct MergePass : Pass {
  explicit MergePass(const PassOptions &options)
      : threshold(options.getFloat("threshold")) {}

  LogicalResult run(Graph &graph, PassContext &context) override;

  double threshold;
};

LogicalResult MergePass::run(Graph &graph, PassContext &context) {
  const uint32_t numNodes = static_cast<uint32_t>(graph.size());
  UserLists users = UserLists::compute(graph);

  // Step 4: which nodes may merge at all.
  std::vector<std::optional<uint32_t>> inputNode(numNodes);
  std::vector<bool> canMerge(numNodes, false);
  for (uint32_t i = 0; i < numNodes; ++i) {
    const Node &node = graph.getNode(i);
    inputNode[i] = getSingleInputNode(node);
    canMerge[i] = !node.isInput() && !node.isOutput() && inputNode[i] &&
                  users.count(i) >= 1 && users.count(*inputNode[i]) == 1;
  }

  // Steps 1-3: the cheapest nodes merge until their running sum of
  // parameters passes the cutoff.
  std::vector<int64_t> params(numNodes);
  for (uint32_t i = 0; i < numNodes; ++i)
    params[i] = cost::getNodeParamCount(graph.getNode(i).attrs);
  // Sums saturate: absurd shapes in a hostile file must not overflow.
  auto addSaturating = [](int64_t a, int64_t b) {
    int64_t sum;
    return __builtin_add_overflow(a, b, &sum) ? INT64_MAX : sum;
  };
  int64_t totalParams = std::accumulate(params.begin(), params.end(),
                                        int64_t(0), addSaturating);
  double cutoff = threshold * static_cast<double>(totalParams);
  std::vector<uint32_t> order(numNodes);
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return params[a] < params[b];
  });
  std::vector<bool> isSubNode(numNodes, false);
  int64_t runningParams = 0;
  for (uint32_t i : order) {
    runningParams = addSaturating(runningParams, params[i]);
    isSubNode[i] = threshold >= 0 && canMerge[i] &&
                   static_cast<double>(runningParams) <= cutoff;
  }

  // Step 5: an operation is merged everywhere or nowhere, unless it is a
  // function or method call. A model has a few dozen distinct operations
  // and up to millions of nodes: number the operations through a hash table
  // once, so that the rule costs a table lookup per node rather than a sort
  // of every node's operation string and a binary search per sub-node.
  std::unordered_map<std::string_view, uint32_t> opIds;
  std::vector<uint32_t> opOf(numNodes);
  std::vector<bool> opHasTopLevel;
  for (uint32_t i = 0; i < numNodes; ++i) {
    auto [it, inserted] = opIds.try_emplace(
        graph.getNode(i).op, static_cast<uint32_t>(opIds.size()));
    if (inserted)
      opHasTopLevel.push_back(false);
    opOf[i] = it->second;
    if (!isSubNode[i])
      opHasTopLevel[it->second] = true;
  }
  auto isFunctionCall = [](std::string_view op) {
    return op.size() >= 2 && op.substr(op.size() - 2) == "()";
  };
  for (uint32_t i = 0; i < numNodes; ++i)
    if (isSubNode[i] && opHasTopLevel[opOf[i]] &&
        !isFunctionCall(graph.getNode(i).op))
      isSubNode[i] = false;

  // Step 6: hang every sub-node under the top-level node its chain starts
  // from. Operands come first in graph order, so a sub-node's input already
  // knows its own top-level node.
  // The `parent` attribute is made once per top-level node and shared by
  // its sub-nodes (an activation and a norm often follow one convolution):
  // making it uniques the name, a hash of it and a probe of the
  // process-wide string table.
  std::vector<uint32_t> topLevelOf(numNodes);
  std::vector<Attribute> parentAttr(numNodes);
  int64_t merged = 0;
  for (uint32_t i = 0; i < numNodes; ++i) {
    Node &node = graph.getNode(i);
    if (!isSubNode[i]) {
      node.attrs.erase("parent"); // from an earlier run of the pass
      topLevelOf[i] = i;
      continue;
    }
    uint32_t top = topLevelOf[*inputNode[i]];
    topLevelOf[i] = top;
    if (parentAttr[top].isNone())
      parentAttr[top] = Attribute::string(graph.getNode(top).name);
    // set() replaces a `parent` left by an earlier run.
    node.attrs.set("parent", parentAttr[top]);
    ++merged;
  }

  graph.getAttrs().set("merge.threshold", Attribute::real(threshold));
  context.statistics.add("merged", merged);
  context.statistics.add("top-level", static_cast<int64_t>(numNodes) - merged);
  return success();
}

} // namespace

void mav::registerMergePass(PassRegistry &registry) {
  PassInfo info;
  info.name = "merge";
  info.nodeAttributes = 1; // parent
  info.summary = "Hang parameter-light nodes under the node they follow "
                 "(IDLMAV's merging)";
  info.description =
      "Marks nodes as sub-nodes by giving them a `parent` attribute (the "
      "top-level node they are drawn under); nothing is deleted. Nodes are "
      "taken from the fewest parameters up while the running sum of "
      "parameters stays within `threshold` x the model's total; a node can "
      "merge only if it has exactly one input node, at least one user, and "
      "its input node has no other user. An operation that is not a "
      "function call (`()`) is merged in all its nodes or in none. "
      "`threshold=0` merges only parameter-free nodes; a negative threshold "
      "merges nothing. Uses `cost.params` when present, else counts the "
      "elements of `params`. Sets the graph attribute `merge.threshold`. "
      "See docs/MergeAndColor.md.";
  info.options = {{"threshold",
                   OptionType::Float,
                   "0.01",
                   "fraction of the total parameters that sub-nodes may "
                   "hold together",
                   {}}};
  info.mainOption = "threshold";
  info.statistics = {{"merged", "Nodes made sub-nodes"},
                     {"top-level", "Nodes left at the top level"}};
  info.factory = [](const PassOptions &options) {
    return std::make_unique<MergePass>(options);
  };
  registry.registerPass(std::move(info));
}
