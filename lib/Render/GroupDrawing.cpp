//===- GroupDrawing.cpp - A model drawn with its groups at a depth --------===//
//
// The C++ side of lib/Render/web/app/groups.js's applyGroupState, for
// fixed depths: see GroupDrawing.h.
//
//===----------------------------------------------------------------------===//

#include "mav/Render/GroupDrawing.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <utility>

using namespace mav;

int64_t mav::getMaxGroupDepth(const RenderModel &model) {
  int64_t deepest = 0;
  for (const RenderGroup &group : model.groups)
    deepest = std::max(deepest, group.depth);
  return deepest;
}

GroupDrawing mav::drawGroupsAtDepth(const RenderModel &model, int64_t depth) {
  const size_t numNodes = model.nodes.size(), numGroups = model.groups.size();
  const bool alongY = model.levelsAlongY;
  auto levelOf = [&](const Point &p) { return alongY ? p[1] : p[0]; };
  auto crossOf = [&](const Point &p) { return alongY ? p[0] : p[1]; };
  auto make = [&](double level, double cross) {
    return alongY ? Point{cross, level} : Point{level, cross};
  };
  auto expanded = [&](uint32_t g) { return model.groups[g].depth <= depth; };

  // Chains (outermost first), each group's first node, first row and
  // mean column.
  std::vector<std::vector<uint32_t>> chains(numNodes);
  std::vector<int64_t> first(numGroups, -1);
  std::vector<double> minLevel(numGroups,
                               std::numeric_limits<double>::infinity());
  std::vector<double> crossSum(numGroups, 0);
  std::vector<size_t> size(numGroups, 0);
  std::set<double> levels;
  for (uint32_t i = 0; i < numNodes; ++i) {
    const RenderNode &node = model.nodes[i];
    Point p = {node.x, node.y};
    levels.insert(levelOf(p));
    for (std::optional<uint32_t> g = node.group; g;
         g = model.groups[*g].parent) {
      chains[i].insert(chains[i].begin(), *g);
      if (first[*g] < 0)
        first[*g] = i;
      minLevel[*g] = std::min(minLevel[*g], levelOf(p));
      crossSum[*g] += crossOf(p);
      ++size[*g];
    }
  }
  double step = std::numeric_limits<double>::infinity();
  for (auto it = levels.begin();
       it != levels.end() && std::next(it) != levels.end(); ++it)
    step = std::min(step, *std::next(it) - *it);
  if (!std::isfinite(step))
    step = 1;

  // The fold head whose hidden instance node i is in, with the instance.
  auto hiddenInstance =
      [&](uint32_t i) -> std::optional<std::pair<uint32_t, uint32_t>> {
    for (uint32_t g : chains[i])
      if (model.groups[g].foldOf)
        return std::make_pair(g, *model.groups[g].foldOf);
    return std::nullopt;
  };
  auto foldHeadOf = [&](uint32_t i) -> std::optional<uint32_t> {
    for (uint32_t g : chains[i]) {
      if (model.groups[g].fold > 1)
        return g;
      if (model.groups[g].foldOf)
        return model.groups[g].foldOf;
    }
    return std::nullopt;
  };
  // What node i is drawn as: (node, group), the group being numGroups when
  // the node is drawn as itself.
  struct Rep {
    uint32_t node;
    uint32_t group;
  };
  auto representative = [&](uint32_t i) {
    for (int guard = 0; guard < 64; ++guard) {
      auto hidden = hiddenInstance(i);
      if (!hidden)
        break;
      i = static_cast<uint32_t>(i - first[hidden->first] +
                                first[hidden->second]);
    }
    for (uint32_t g : chains[i])
      if (!expanded(g))
        return Rep{i, g};
    return Rep{i, static_cast<uint32_t>(numGroups)};
  };

  std::vector<Rep> reps(numNodes);
  std::vector<bool> isItem(numGroups, false);
  std::vector<double> rows;
  // A merged sub-node drawn beside its top-level node (which comes first)
  // keeps its place between that node's row and the next; one whose
  // top-level node is in a collapsed group gets a row of its own.
  std::vector<bool> besideParent(numNodes, false);
  auto drawnAsItself = [&](uint32_t i) {
    return reps[i].group == numGroups && reps[i].node == i;
  };
  auto levelOfNode = [&](uint32_t i) {
    return levelOf({model.nodes[i].x, model.nodes[i].y});
  };
  for (uint32_t i = 0; i < numNodes; ++i) {
    reps[i] = representative(i);
    if (reps[i].group < numGroups) {
      if (!isItem[reps[i].group]) {
        isItem[reps[i].group] = true;
        rows.push_back(minLevel[reps[i].group]);
      }
    } else if (reps[i].node == i) {
      std::optional<uint32_t> top = model.nodes[i].parent;
      besideParent[i] =
          top && *top < i && drawnAsItself(*top) && !besideParent[*top];
      if (!besideParent[i])
        rows.push_back(levelOfNode(i));
    }
  }
  struct Kept {
    Rep a, b;
    const RenderEdge *edge;
    bool plain;
  };
  std::vector<Kept> kept;
  std::set<
      std::pair<std::pair<uint32_t, uint32_t>, std::pair<uint32_t, uint32_t>>>
      seen;
  auto key = [&](const Rep &r) {
    return r.group < numGroups ? std::make_pair(1u, r.group)
                               : std::make_pair(0u, r.node);
  };
  for (const RenderEdge &edge : model.edges) {
    uint32_t s = edge.source, t = edge.target;
    Rep a = reps[s], b = reps[t];
    if (key(a) == key(b))
      continue;
    auto hs = hiddenInstance(s), ht = hiddenInstance(t);
    std::optional<uint32_t> headS =
        hs ? std::optional(hs->second) : foldHeadOf(s);
    std::optional<uint32_t> headT =
        ht ? std::optional(ht->second) : foldHeadOf(t);
    if (headS && headS == headT && (hs || ht))
      continue;
    bool plain = a.group == numGroups && a.node == s && b.group == numGroups &&
                 b.node == t;
    if (!plain && !seen.insert({key(a), key(b)}).second)
      continue;
    kept.push_back({a, b, &edge, plain});
    if (plain)
      for (size_t k = 1; k + 1 < edge.points.size(); ++k)
        rows.push_back(levelOf(edge.points[k]));
  }

  std::sort(rows.begin(), rows.end());
  std::map<double, double> rowOf;
  double start = rows.empty() ? 0 : rows.front();
  for (double row : rows)
    if (!rowOf.count(row))
      rowOf.emplace(row, start + step * static_cast<double>(rowOf.size()));

  // Every level looked up was added above; a file whose `parent`s are out
  // of shape must still not throw.
  auto rowFor = [&](double level) {
    auto it = rowOf.find(level);
    return it == rowOf.end() ? level : it->second;
  };

  GroupDrawing drawing;
  drawing.nodes.resize(numNodes);
  for (uint32_t i = 0; i < numNodes; ++i)
    if (drawnAsItself(i)) {
      Point p = {model.nodes[i].x, model.nodes[i].y};
      double level;
      if (besideParent[i]) {
        uint32_t top = *model.nodes[i].parent;
        level = rowFor(levelOfNode(top)) + levelOf(p) - levelOfNode(top);
      } else {
        level = rowFor(levelOf(p));
      }
      drawing.nodes[i] = make(level, crossOf(p));
    }
  std::vector<size_t> itemAt(numGroups, 0);
  for (uint32_t g = 0; g < numGroups; ++g) {
    if (!isItem[g])
      continue;
    itemAt[g] = drawing.items.size();
    drawing.items.push_back(g);
    drawing.itemPositions.push_back(
        make(rowFor(minLevel[g]), crossSum[g] / static_cast<double>(size[g])));
  }
  auto point = [&](const Rep &r) {
    return r.group < numGroups ? drawing.itemPositions[itemAt[r.group]]
                               : *drawing.nodes[r.node];
  };
  for (const Kept &edge : kept) {
    std::vector<Point> line = {point(edge.a)};
    if (edge.plain)
      for (size_t k = 1; k + 1 < edge.edge->points.size(); ++k) {
        Point bend = edge.edge->points[k];
        (alongY ? bend[1] : bend[0]) = rowFor(levelOf(bend));
        line.push_back(bend);
      }
    line.push_back(point(edge.b));
    drawing.edges.push_back(std::move(line));
  }
  return drawing;
}
