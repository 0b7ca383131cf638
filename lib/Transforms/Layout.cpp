//===- Layout.cpp - Positions of nodes and skip-edge offsets --------------===//
//
// The `layout` pass gives every node a position and every edge drawn as a
// skip polyline its sideways offset, so that renderers only read attributes.
// It works on the contracted top-level graph: nodes with a `parent`
// attribute (set by `merge`) are sub-nodes, placed under their parent as
// IDLMAV does, and their edges count as their parent's. The algorithm itself
// (levels, columns, turn, skip tracks) lives in LayoutSolver.cpp on flat
// arrays; this file translates between the IR and the solver and writes:
//   node:  layout.level, layout.x, layout.y, layout.operand_offsets
//   graph: layout.direction, layout.levels, layout.width, layout.height
// See docs/Layout.md for the algorithm, its cost function and complexity.
//
//===----------------------------------------------------------------------===//

#include "mav/Transforms/Layout.h"

#include "mav/IR/ModelAttributes.h"
#include "mav/Pass/PassRegistry.h"
#include "mav/Support/Debug.h"
#include "mav/Transforms/Passes.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include <fmt/format.h>

#define DEBUG_TYPE "layout"

using namespace mav;
using namespace mav::layout;

namespace {

struct LayoutPass : Pass {
  explicit LayoutPass(const PassOptions &options)
      : direction(*parseDirection(options.getString("direction"))),
        turn(options.getString("turn")),
        maxExactWidth(options.getInt("max-exact-width")),
        sweeps(options.getInt("sweeps")) {}

  LogicalResult run(Graph &graph, PassContext &context) override;

private:
  /// For every node, the index of its top-level node (itself if it has no
  /// `parent`); fails on unknown parents and parent cycles.
  LogicalResult resolveParents(const Graph &graph, DiagnosticEngine &diags,
                               std::vector<uint32_t> &topOf);

  Direction direction;
  std::string turn;
  int64_t maxExactWidth;
  int64_t sweeps;
};

} // namespace

LogicalResult LayoutPass::resolveParents(const Graph &graph,
                                         DiagnosticEngine &diags,
                                         std::vector<uint32_t> &topOf) {
  uint32_t n = static_cast<uint32_t>(graph.size());
  constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
  std::vector<uint32_t> parentOf(n, kNone);
  for (uint32_t i = 0; i < n; ++i) {
    const Attribute *parent = graph.getNode(i).attrs.get(attrs::kParent);
    if (!parent)
      continue;
    if (!parent->isString()) {
      diags.error(graph.getSourceLoc(i),
                  fmt::format("layout: attribute 'parent' of node '%{}' must "
                              "be a string",
                              graph.getNode(i).name));
      return failure();
    }
    std::string_view name = parent->getString();
    if (!name.empty() && name.front() == '%')
      name.remove_prefix(1);
    std::optional<uint32_t> index = graph.lookup(name);
    if (!index || *index == i) {
      diags.error(graph.getSourceLoc(i),
                  fmt::format("layout: parent '{}' of node '%{}' is not "
                              "another node of the graph",
                              parent->getString(), graph.getNode(i).name));
      return failure();
    }
    parentOf[i] = *index;
  }
  // A parent that is itself a sub-node hands its children on to its own
  // top-level node; resolved with memoisation, cycles detected by a
  // "visiting" mark.
  topOf.assign(n, kNone);
  std::vector<uint8_t> visiting(n, 0);
  std::vector<uint32_t> path;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t cur = i;
    path.clear();
    while (topOf[cur] == kNone && parentOf[cur] != kNone) {
      if (visiting[cur]) {
        diags.error(graph.getSourceLoc(cur),
                    fmt::format("layout: the 'parent' attributes of node "
                                "'%{}' form a cycle",
                                graph.getNode(cur).name));
        return failure();
      }
      visiting[cur] = 1;
      path.push_back(cur);
      cur = parentOf[cur];
    }
    uint32_t top = topOf[cur] != kNone ? topOf[cur] : cur;
    topOf[cur] = top;
    for (uint32_t p : path) {
      topOf[p] = top;
      visiting[p] = 0;
    }
  }
  return success();
}

LogicalResult LayoutPass::run(Graph &graph, PassContext &context) {
  IRContext &ctx = graph.getContext();
  DiagnosticEngine &diags = context.diags;
  if (maxExactWidth < 0 || sweeps < 1) {
    diags.error(graph.getSourceLoc(),
                fmt::format("layout: {} must be {}, got {}",
                            maxExactWidth < 0 ? "max-exact-width" : "sweeps",
                            maxExactWidth < 0 ? "at least 0" : "at least 1",
                            maxExactWidth < 0 ? maxExactWidth : sweeps));
    return failure();
  }
  uint32_t n = static_cast<uint32_t>(graph.size());
  std::vector<uint32_t> topOf;
  if (failed(resolveParents(graph, diags, topOf)))
    return failure();

  // Compact indices of the top-level nodes, in graph order.
  constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();
  std::vector<uint32_t> compact(n, kNone), topNodes;
  for (uint32_t i = 0; i < n; ++i)
    if (topOf[i] == i) {
      compact[i] = static_cast<uint32_t>(topNodes.size());
      topNodes.push_back(i);
    }

  LayoutProblem problem;
  problem.numNodes = static_cast<uint32_t>(topNodes.size());
  problem.direction = direction;
  problem.maxExactWidth = static_cast<uint32_t>(
      std::min<int64_t>(maxExactWidth, std::numeric_limits<uint32_t>::max()));
  problem.sweeps = static_cast<uint32_t>(
      std::min<int64_t>(sweeps, std::numeric_limits<uint32_t>::max()));
  problem.isInput.resize(topNodes.size());
  for (uint32_t t = 0; t < topNodes.size(); ++t)
    problem.isInput[t] = graph.getNode(topNodes[t]).isInput();
  for (uint32_t i = 0; i < n; ++i)
    for (const ValueRef &operand : graph.getNode(i).operands) {
      uint32_t src = compact[topOf[operand.node]], dst = compact[topOf[i]];
      if (src != dst)
        problem.edges.emplace_back(src, dst);
    }
  if (!turn.empty()) {
    std::string_view name = turn;
    if (name.front() == '%')
      name.remove_prefix(1);
    std::optional<uint32_t> index = graph.lookup(name);
    if (!index) {
      diags.error(graph.getSourceLoc(),
                  fmt::format("layout: turn node '{}' not found in graph "
                              "'@{}'",
                              name, graph.getName()));
      return failure();
    }
    problem.turnNode = compact[topOf[*index]];
  }

  LayoutResult result;
  std::string error;
  if (!solveLayout(problem, result, error)) {
    diags.error(graph.getSourceLoc(), "layout: " + error);
    return failure();
  }
  MAV_DEBUG({
    // Nodes per level: the widths the column assignment worked on.
    std::vector<uint32_t> widths;
    for (int32_t level : result.level) {
      if (static_cast<size_t>(level) >= widths.size())
        widths.resize(level + 1, 0);
      ++widths[level];
    }
    fmt::print(dbgs(),
               "[layout] @{}: {} top-level nodes of {} in {} levels, "
               "{} crossings\n",
               graph.getName(), topNodes.size(), n, result.stats.levels,
               result.stats.crossings);
    constexpr size_t kShownLevels = 64;
    fmt::print(dbgs(), "[layout] level widths: {}{}\n",
               fmt::join(widths.begin(),
                         widths.begin() + std::min(widths.size(), kShownLevels),
                         " "),
               widths.size() > kShownLevels ? " ..." : "");
  });

  // Positions: top-level nodes from the solver; sub-nodes under their
  // parent in graph order, (i+1) * delta further along the flow.
  std::vector<uint32_t> subNodeCount(topNodes.size(), 0);
  for (uint32_t i = 0; i < n; ++i)
    if (topOf[i] != i)
      ++subNodeCount[compact[topOf[i]]];
  std::vector<uint32_t> subNodeSeen(topNodes.size(), 0);
  double minX = std::numeric_limits<double>::infinity(), maxX = -minX;
  double minY = minX, maxY = -minX;
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t t = compact[topOf[i]];
    double x = result.x[t], y = result.y[t];
    if (topOf[i] != i)
      std::tie(x, y) = getSubNodePosition(direction, result, t,
                                          subNodeSeen[t]++, subNodeCount[t]);
    DictAttr &nodeAttrs = graph.getNode(i).attrs;
    nodeAttrs.set(ctx, attrs::kLayoutLevel,
                  Attribute::integer(result.level[t]));
    nodeAttrs.set(ctx, attrs::kLayoutX, Attribute::real(x));
    nodeAttrs.set(ctx, attrs::kLayoutY, Attribute::real(y));
    minX = std::min(minX, x);
    maxX = std::max(maxX, x);
    minY = std::min(minY, y);
    maxY = std::max(maxY, y);
  }

  // Offsets, one per operand: that of the contracted edge it belongs to
  // (result.edges is sorted by target, then source).
  for (uint32_t i = 0; i < n; ++i) {
    Node &node = graph.getNode(i);
    ListAttr offsets;
    bool anyOffset = false;
    for (const ValueRef &operand : node.operands) {
      std::pair<uint32_t, uint32_t> edge{compact[topOf[operand.node]],
                                         compact[topOf[i]]};
      double offset = 0;
      if (edge.first != edge.second) {
        auto it = std::lower_bound(result.edges.begin(), result.edges.end(),
                                   edge, [](const auto &a, const auto &b) {
                                     return a.second != b.second
                                                ? a.second < b.second
                                                : a.first < b.first;
                                   });
        offset = result.edgeOffsets[it - result.edges.begin()];
      }
      anyOffset |= offset != 0;
      offsets.push_back(Attribute::real(offset));
    }
    if (anyOffset)
      node.attrs.set(ctx, attrs::kLayoutOperandOffsets,
                     Attribute::list(ctx, std::move(offsets)));
    else
      node.attrs.erase(attrs::kLayoutOperandOffsets);
  }

  // The picture's extent: node centres plus half a unit all round.
  double width = n ? maxX - minX + 1 : 0, height = n ? maxY - minY + 1 : 0;
  DictAttr &graphAttrs = graph.getAttrs();
  graphAttrs.set(
      ctx, attrs::kLayoutDirection,
      Attribute::string(ctx, std::string(getDirectionName(direction))));
  graphAttrs.set(ctx, attrs::kLayoutLevels,
                 Attribute::integer(result.stats.levels));
  graphAttrs.set(ctx, attrs::kLayoutWidth, Attribute::real(width));
  graphAttrs.set(ctx, attrs::kLayoutHeight, Attribute::real(height));

  PassStatistics &stats = context.statistics;
  stats.set("crossings", result.stats.crossings);
  stats.set("edge-length", std::llround(result.stats.edgeLength));
  stats.set("skip-edges", result.stats.skipEdges);
  stats.set("skip-tracks", result.stats.skipTracks);
  stats.set("width", std::llround(width));
  stats.set("height", std::llround(height));
  stats.set("levels", result.stats.levels);
  stats.set("column-cost", result.stats.columnCost);
  // Only attributes under `layout.` changed: nothing an analysis reads.
  context.preserved = PreservedAnalyses::all();
  return success();
}

void mav::registerLayoutPass(PassRegistry &registry) {
  PassInfo info;
  info.name = "layout";
  info.summary = "Assign node positions and skip-connection offsets";
  info.description =
      "Lays the contracted top-level graph out in levels (longest path to an "
      "output, inputs at level 0) and integer columns that minimise "
      "`|x| + 10 * sum |x - x_neighbour|` (exact per level up to "
      "`max-exact-width` columns, greedy beyond), places sub-nodes (nodes "
      "with a `parent`) under their parent, and routes edges that would pass "
      "through a node as offset polylines on separate tracks. Writes "
      "`layout.level`, `layout.x`, `layout.y` and `layout.operand_offsets` "
      "on nodes and `layout.direction`, `layout.levels`, `layout.width`, "
      "`layout.height` on the graph. Deterministic; near-linear in the graph "
      "size. See docs/Layout.md.";
  info.options = {
      {"direction",
       OptionType::Enum,
       "down",
       "direction of the flow: down (y grows with level), right (x grows "
       "with level), up or left (mirrored)",
       {"down", "right", "up", "left"}},
      {"turn",
       OptionType::String,
       "",
       "name of the node at which the flow turns back (U-Net, autoencoder): "
       "later levels go back in a second column band",
       {}},
      {"max-exact-width",
       OptionType::Int,
       "16",
       "widest level for which each level's columns are assigned exactly "
       "(Hungarian method); wider graphs use the greedy assignment",
       {}},
      {"sweeps",
       OptionType::Int,
       "4",
       "column sweeps over the levels (down, up, down, ...)",
       {}},
  };
  info.mainOption = "direction";
  info.statistics = {
      {"crossings", "Crossings of edges between adjacent levels"},
      {"edge-length", "Total drawn edge length, layout units (rounded)"},
      {"skip-edges", "Edges drawn as offset polylines"},
      {"skip-tracks", "Most skip tracks along one column"},
      {"width", "Width of the picture, layout units (rounded)"},
      {"height", "Height of the picture, layout units (rounded)"},
      {"levels", "Levels of the top-level graph"},
      {"column-cost", "Column cost |x| + 10 * sum |dx| of the layout"},
  };
  info.factory = [](const PassOptions &options) {
    return std::make_unique<LayoutPass>(options);
  };
  registry.registerPass(std::move(info));
}
