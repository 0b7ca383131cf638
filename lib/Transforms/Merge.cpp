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

#include "mav/Analysis/ParamCountAnalysis.h"
#include "mav/IR/ModelAttributes.h"
#include "mav/Pass/PassRegistry.h"
#include "mav/Support/Debug.h"
#include "mav/Transforms/Passes.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <unordered_map>

#include <fmt/format.h>

#define DEBUG_TYPE "merge"

using namespace mav;

namespace {

struct MergePass : Pass {
  explicit MergePass(const PassOptions &options)
      : threshold(options.getFloat("threshold")) {}

  LogicalResult run(Graph &graph, PassContext &context) override;

  double threshold;
};

constexpr uint32_t kNoNode = UINT32_MAX;
/// In `soleUser`: the node has users, and more than one.
constexpr uint32_t kManyUsers = UINT32_MAX - 1;

bool isFunctionCall(std::string_view op) {
  return op.size() >= 2 && op.substr(op.size() - 2) == "()";
}

LogicalResult MergePass::run(Graph &graph, PassContext &context) {
  const uint32_t numNodes = static_cast<uint32_t>(graph.size());

  // One scan of the nodes gathers what the rules need into flat arrays,
  // and the steps after it read only those. At a million nodes a scan of
  // the node array and of the operands and attributes it points to is
  // ~200 MB of cache misses, and the pass used to make four such scans
  // (users, input nodes, parameters, operations).
  //
  // Per node: its single distinct input node (kNoNode if it has none or
  // several); its sole distinct user (kNoNode: none; kManyUsers: several),
  // which counts users without building user lists; and a number for its
  // operation. Parameter counts come from the cached analysis. A model has a
  // few dozen distinct operations: a hash table numbers them with one lookup
  // per node.
  std::vector<uint32_t> inputNode(numNodes, kNoNode);
  std::vector<uint32_t> soleUser(numNodes, kNoNode);
  const ParamCountAnalysis &paramCounts =
      context.analyses.getAnalysis<ParamCountAnalysis>();
  const std::vector<int64_t> &params = paramCounts.getParamCounts();
  std::vector<uint32_t> opOf(numNodes);
  std::vector<bool> isBoundary(numNodes, false); // network inputs, outputs
  // Whether a node has a `parent` from an earlier run, looked up while its
  // attributes are in the cache rather than again in step 6.
  std::vector<bool> hadParent(numNodes, false);
  std::unordered_map<std::string_view, uint32_t> opIds;
  std::vector<bool> opIsCall;
  for (uint32_t i = 0; i < numNodes; ++i) {
    const Node &node = graph.getNode(i);
    bool single = !node.operands.empty();
    for (const ValueRef &operand : node.operands) {
      uint32_t producer = operand.node;
      single &= producer == node.operands.front().node;
      // A producer read twice by the same node (two results, or one
      // value twice) still has one user.
      uint32_t &user = soleUser[producer];
      if (user == kNoNode)
        user = i;
      else if (user != i)
        user = kManyUsers;
    }
    if (single)
      inputNode[i] = node.operands.front().node;
    hadParent[i] = attrs::hasParent(node);
    auto [it, inserted] =
        opIds.try_emplace(node.op, static_cast<uint32_t>(opIds.size()));
    if (inserted)
      opIsCall.push_back(isFunctionCall(node.op));
    opOf[i] = it->second;
    isBoundary[i] = node.isInput() || node.isOutput();
  }

  // Step 4: a node can merge if it has exactly one input node, at least one
  // user, and is its input node's only user.
  auto canMerge = [&](uint32_t i) {
    return !isBoundary[i] && inputNode[i] != kNoNode &&
           soleUser[i] != kNoNode && soleUser[inputNode[i]] == i;
  };

  // Steps 1-3: the cheapest nodes merge until their running sum of
  // parameters passes the cutoff.
  // Sums saturate: absurd shapes in a hostile file must not overflow.
  auto addSaturating = [](int64_t a, int64_t b) {
    int64_t sum;
    return __builtin_add_overflow(a, b, &sum) ? INT64_MAX : sum;
  };
  int64_t totalParams = paramCounts.getTotal();
  double cutoff = threshold * static_cast<double>(totalParams);
  MAV_DEBUG(fmt::print(
      dbgs(), "[merge] @{}: threshold {} x {} parameters = cutoff {}\n",
      graph.getName(), threshold, totalParams, cutoff));
  // In the order of step 2, nodes without parameters form one run in graph
  // order, after any negative counts (possible only in an unverified
  // graph); a node with more than the cutoff can never be within it, as
  // the running sum at it is at least its own count. Only the rest need
  // sorting: a quarter of the nodes of a ResNet rather than all of them.
  bool anyNegative = std::any_of(params.begin(), params.end(),
                                 [](int64_t n) { return n < 0; });
  std::vector<uint32_t> order;
  order.reserve(numNodes); // holds the top-level nodes after this step
  for (uint32_t i = 0; i < numNodes; ++i)
    if (params[i] != 0 &&
        (anyNegative || static_cast<double>(params[i]) <= cutoff))
      order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return params[a] < params[b];
  });
  std::vector<bool> isSubNode(numNodes, false);
  if (threshold >= 0) {
    int64_t runningParams = 0;
    auto visit = [&](uint32_t i) {
      runningParams = addSaturating(runningParams, params[i]);
      isSubNode[i] =
          canMerge(i) && static_cast<double>(runningParams) <= cutoff;
    };
    auto firstPositive = std::partition_point(
        order.begin(), order.end(), [&](uint32_t i) { return params[i] < 0; });
    std::for_each(order.begin(), firstPositive, visit);
    bool zerosFit = static_cast<double>(runningParams) <= cutoff;
    for (uint32_t i = 0; i < numNodes; ++i)
      if (params[i] == 0)
        isSubNode[i] = zerosFit && canMerge(i);
    std::for_each(firstPositive, order.end(), visit);
  }

  // Step 5: an operation is merged everywhere or nowhere, unless it is a
  // function or method call.
  std::vector<bool> opHasTopLevel(opIds.size(), false);
  for (uint32_t i = 0; i < numNodes; ++i)
    if (!isSubNode[i])
      opHasTopLevel[opOf[i]] = true;
  for (uint32_t i = 0; i < numNodes; ++i)
    if (isSubNode[i] && opHasTopLevel[opOf[i]] && !opIsCall[opOf[i]])
      isSubNode[i] = false;

  // Step 6: hang every sub-node under the top-level node its chain starts
  // from. Operands come first in graph order, so a sub-node's input already
  // knows its own top-level node. (`order` is done with: its memory holds
  // the top-level nodes, rather than another 4 MB a million nodes.)
  std::vector<uint32_t> topLevelOf = std::move(order);
  topLevelOf.resize(numNodes);
  IRContext &ctx = graph.getContext();
  int64_t merged = 0;
  for (uint32_t i = 0; i < numNodes; ++i) {
    if (!isSubNode[i]) {
      if (hadParent[i])
        graph.getNode(i).attrs.erase(attrs::kParent); // from an earlier run
      topLevelOf[i] = i;
      continue;
    }
    Node &node = graph.getNode(i);
    uint32_t top = topLevelOf[inputNode[i]];
    topLevelOf[i] = top;
    // set() replaces a `parent` left by an earlier run.
    attrs::setParent(ctx, node, graph.getNode(top).name);
    ++merged;
  }

  graph.getAttrs().set(ctx, attrs::kMergeThreshold, Attribute::real(threshold));
  MAV_DEBUG(fmt::print(dbgs(), "[merge] @{}: {} of {} nodes merged\n",
                       graph.getName(), merged, numNodes));
  context.statistics.add("merged", merged);
  context.statistics.add("top-level", static_cast<int64_t>(numNodes) - merged);
  // Only `parent` and `merge.threshold` changed: the parameter counts hold.
  context.preserved = PreservedAnalyses::none().preserve<ParamCountAnalysis>();
  return success();
}

} // namespace

void mav::registerMergePass(PassRegistry &registry) {
  PassInfo info;
  info.name = "merge";
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
