//===- LayoutSolver.cpp - Levels, columns and skip routing ----------------===//
//
// The layout algorithm of the `layout` pass on a DAG of top-level nodes given
// as flat arrays (see Layout.h and docs/Layout.md):
//
//   1. levels: longest path to a sink ("as late as possible"), inputs at 0;
//   2. columns: sweeps over the levels, each level assigned to distinct
//      integer columns minimising `|x| + 10 * sum |x - x_neighbour|` given
//      its placed neighbours (exactly by the Hungarian method on narrow
//      levels, by weighted medians and nearest free columns on wide ones);
//   3. the optional turn: later levels go back up in a second column band;
//   4. skip routing: an edge with a node strictly between its ends is drawn
//      as a 4-point polyline offset sideways, on tracks assigned from the
//      inside out per column (interval colouring with a max segment tree).
//
// Everything is indices into vectors, sorted with explicit tie-breaks, so a
// run is deterministic and near-linear: O((N + E) log E) plus the per-level
// assignment, O(k^2 W) for a level of k nodes when the widest level W is
// small.
//
//===----------------------------------------------------------------------===//

#include "mav/Transforms/Layout.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>
#include <unordered_map>

using namespace mav;
using namespace mav::layout;

std::optional<Direction> layout::parseDirection(std::string_view text) {
  if (text == "down")
    return Direction::Down;
  if (text == "right")
    return Direction::Right;
  if (text == "up")
    return Direction::Up;
  if (text == "left")
    return Direction::Left;
  return std::nullopt;
}

std::string_view layout::getDirectionName(Direction direction) {
  switch (direction) {
  case Direction::Down:
    return "down";
  case Direction::Right:
    return "right";
  case Direction::Up:
    return "up";
  case Direction::Left:
    return "left";
  }
  return "down";
}

std::pair<double, double> layout::mapToOutput(Direction direction, double u,
                                              double v, int32_t maxRow) {
  switch (direction) {
  case Direction::Down:
    return {v, u};
  case Direction::Up:
    return {v, maxRow - u};
  case Direction::Right:
    return {u, v};
  case Direction::Left:
    return {maxRow - u, v};
  }
  return {v, u};
}

std::pair<double, double>
layout::getSubNodePosition(Direction direction, const LayoutResult &result,
                           uint32_t node, uint32_t index, uint32_t count) {
  double delta = count <= 4 ? 0.15 : 0.6 / count;
  // In double: `flow` is signed, the index is not, and their product must
  // not wrap to 2^32 - 1 on the return side of a turn.
  double along = (static_cast<double>(index) + 1) * delta;
  double u = result.row[node] + (result.flow[node] < 0 ? -along : along);
  return mapToOutput(direction, u, result.lane[node], result.maxRow);
}

static bool isVerticalFlow(Direction direction) {
  return direction == Direction::Down || direction == Direction::Up;
}

std::vector<std::pair<double, double>>
layout::getEdgePolyline(Direction direction, std::pair<double, double> from,
                        std::pair<double, double> to, double offset) {
  if (offset == 0)
    return {from, to};
  // Work in (main, cross) coordinates; an edge along a row (only with a
  // turn) swaps the roles so that the offset is perpendicular to it.
  bool vertical = isVerticalFlow(direction);
  auto mainOf = [&](const std::pair<double, double> &p) {
    return vertical ? p.second : p.first;
  };
  auto crossOf = [&](const std::pair<double, double> &p) {
    return vertical ? p.first : p.second;
  };
  double m1 = mainOf(from), c1 = crossOf(from);
  double m2 = mainOf(to), c2 = crossOf(to);
  bool swapped = false;
  if (m1 == m2) {
    std::swap(m1, c1);
    std::swap(m2, c2);
    swapped = true;
  }
  double sign = m2 > m1 ? 1.0 : -1.0;
  double d = std::min(0.3 * std::abs(m2 - m1), 0.5);
  std::pair<double, double> a{m1 + sign * d, c1 + offset};
  // The run along the flow stays beside the source; the last stretch (at
  // most half a level, where no node can be) joins the target.
  std::pair<double, double> b{m2 - sign * d, c1 + offset};
  auto toXY = [&](std::pair<double, double> mc) -> std::pair<double, double> {
    if (swapped)
      std::swap(mc.first, mc.second);
    return vertical ? std::pair<double, double>{mc.second, mc.first} : mc;
  };
  return {from, toXY(a), toXY(b), to};
}

int64_t layout::computeColumnCost(
    const std::vector<int32_t> &column,
    const std::vector<std::pair<uint32_t, uint32_t>> &edges) {
  int64_t cost = 0;
  for (int32_t x : column)
    cost += kCentreWeight * std::abs(static_cast<int64_t>(x));
  for (const auto &[src, dst] : edges)
    cost +=
        kEdgeWeight * std::abs(static_cast<int64_t>(column[src]) - column[dst]);
  return cost;
}

std::vector<uint32_t> layout::solveAssignment(const std::vector<int64_t> &cost,
                                              uint32_t rows, uint32_t columns) {
  assert(rows <= columns && cost.size() == size_t(rows) * columns);
  // Hungarian method with potentials (1-based; column 0 is a sentinel).
  const int64_t inf = std::numeric_limits<int64_t>::max() / 4;
  std::vector<int64_t> u(rows + 1, 0), v(columns + 1, 0);
  std::vector<uint32_t> match(columns + 1, 0), way(columns + 1, 0);
  std::vector<int64_t> minv(columns + 1);
  std::vector<uint8_t> used(columns + 1);
  for (uint32_t i = 1; i <= rows; ++i) {
    match[0] = i;
    uint32_t j0 = 0;
    std::fill(minv.begin(), minv.end(), inf);
    std::fill(used.begin(), used.end(), 0);
    do {
      used[j0] = 1;
      uint32_t i0 = match[j0], j1 = 0;
      int64_t delta = inf;
      for (uint32_t j = 1; j <= columns; ++j) {
        if (used[j])
          continue;
        int64_t cur = cost[size_t(i0 - 1) * columns + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (uint32_t j = 0; j <= columns; ++j) {
        if (used[j]) {
          u[match[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (match[j0] != 0);
    do {
      uint32_t j1 = way[j0];
      match[j0] = match[j1];
      j0 = j1;
    } while (j0);
  }
  std::vector<uint32_t> assignment(rows, 0);
  for (uint32_t j = 1; j <= columns; ++j)
    if (match[j])
      assignment[match[j] - 1] = j - 1;
  return assignment;
}

namespace {

/// Compressed sparse rows: the items of key k are
/// `items[start[k] .. start[k+1])`.
struct Csr {
  std::vector<uint32_t> start;
  std::vector<uint32_t> items;
  const uint32_t *begin(uint32_t k) const { return items.data() + start[k]; }
  const uint32_t *end(uint32_t k) const { return items.data() + start[k + 1]; }
  uint32_t size(uint32_t k) const { return start[k + 1] - start[k]; }
};

/// Groups `values` by `keys` (0..numKeys-1), keeping the order of `values`.
Csr buildCsr(uint32_t numKeys, const std::vector<uint32_t> &keys,
             const std::vector<uint32_t> &values) {
  Csr csr;
  csr.start.assign(numKeys + 1, 0);
  for (uint32_t k : keys)
    ++csr.start[k + 1];
  std::partial_sum(csr.start.begin(), csr.start.end(), csr.start.begin());
  csr.items.resize(values.size());
  std::vector<uint32_t> fill(csr.start.begin(), csr.start.end() - 1);
  for (size_t i = 0; i < values.size(); ++i)
    csr.items[fill[keys[i]]++] = values[i];
  return csr;
}

/// Range "raise to at least t" updates and range maximum queries over
/// `size` slots; used to stack skip edges on tracks.
class MaxSegmentTree {
public:
  void reset(uint32_t newSize) {
    size = std::max<uint32_t>(newSize, 1);
    maxima.assign(4 * size, 0);
    tags.assign(4 * size, 0);
  }
  int32_t query(uint32_t lo, uint32_t hi) const { // [lo, hi)
    return query(1, 0, size, lo, hi);
  }
  void raise(uint32_t lo, uint32_t hi, int32_t value) {
    raise(1, 0, size, lo, hi, value);
  }

private:
  int32_t query(uint32_t node, uint32_t nodeLo, uint32_t nodeHi, uint32_t lo,
                uint32_t hi) const {
    if (hi <= nodeLo || nodeHi <= lo)
      return 0;
    if (lo <= nodeLo && nodeHi <= hi)
      return maxima[node];
    uint32_t mid = (nodeLo + nodeHi) / 2;
    return std::max({tags[node], query(2 * node, nodeLo, mid, lo, hi),
                     query(2 * node + 1, mid, nodeHi, lo, hi)});
  }
  void raise(uint32_t node, uint32_t nodeLo, uint32_t nodeHi, uint32_t lo,
             uint32_t hi, int32_t value) {
    if (hi <= nodeLo || nodeHi <= lo)
      return;
    maxima[node] = std::max(maxima[node], value);
    if (lo <= nodeLo && nodeHi <= hi) {
      tags[node] = std::max(tags[node], value);
      return;
    }
    uint32_t mid = (nodeLo + nodeHi) / 2;
    raise(2 * node, nodeLo, mid, lo, hi, value);
    raise(2 * node + 1, mid, nodeHi, lo, hi, value);
  }

  uint32_t size = 1;
  std::vector<int32_t> maxima;
  std::vector<int32_t> tags;
};

/// Free columns of one level for the greedy assignment: union-find over the
/// touched columns only, so a level costs O(k) whatever its width.
class FreeColumns {
public:
  void reset(int32_t lo, int32_t hi) {
    this->lo = lo;
    this->hi = hi;
    right.clear();
    left.clear();
  }
  /// The free column nearest to `want` (ties go left).
  int32_t takeNearest(int32_t want) {
    want = std::clamp(want, lo, hi);
    int32_t r = find(right, want);
    int32_t l = find(left, want);
    int32_t pick;
    if (r > hi)
      pick = l;
    else if (l < lo)
      pick = r;
    else
      pick = (want - l <= r - want) ? l : r;
    right[pick] = pick + 1;
    left[pick] = pick - 1;
    return pick;
  }

private:
  int32_t find(std::unordered_map<int32_t, int32_t> &next, int32_t column) {
    // Lookups only: the map's iteration order is never observed.
    int32_t root = column;
    while (root >= lo && root <= hi) {
      auto it = next.find(root);
      if (it == next.end())
        break;
      root = it->second;
    }
    while (column != root && column >= lo && column <= hi) {
      auto it = next.find(column);
      if (it == next.end())
        break;
      column = it->second;
      it->second = root;
    }
    return root;
  }

  int32_t lo = 0, hi = 0;
  std::unordered_map<int32_t, int32_t> right, left;
};

class LayoutSolver {
public:
  LayoutSolver(const LayoutProblem &problem, LayoutResult &result)
      : problem(problem), result(result), numNodes(problem.numNodes) {}

  bool run(std::string &error);

private:
  void buildEdges();
  bool assignLevels(std::string &error);
  void assignColumns();
  void assignLevelColumns(uint32_t levelIndex);
  void applyTurn();
  void routeSkipEdges();
  void computeOutput();
  void countCrossings();

  const LayoutProblem &problem;
  LayoutResult &result;
  uint32_t numNodes;

  Csr preds, succs;
  /// Nodes of each level, sorted by column once columns exist.
  Csr levels;
  uint32_t numLevels = 0;
  uint32_t widestLevel = 0;
  int32_t firstColumn = 0;
  std::vector<uint8_t> placed;
  /// Skip edges along a column or row: their down-frame offsets.
  std::vector<double> downOffsets;
  std::vector<uint8_t> offsetAlongRow;
  // Scratch buffers of assignLevelColumns.
  std::vector<int32_t> neighbourColumns;
  std::vector<uint32_t> neighbourStart;
  std::vector<int64_t> costMatrix;
  FreeColumns freeColumns;
};

} // namespace

void LayoutSolver::buildEdges() {
  auto &edges = result.edges;
  edges.clear();
  edges.reserve(problem.edges.size());
  for (const auto &[src, dst] : problem.edges)
    if (src != dst && src < numNodes && dst < numNodes)
      edges.emplace_back(src, dst);
  std::sort(edges.begin(), edges.end(), [](const auto &a, const auto &b) {
    return a.second != b.second ? a.second < b.second : a.first < b.first;
  });
  edges.erase(std::unique(edges.begin(), edges.end()), edges.end());
  std::vector<uint32_t> srcs(edges.size()), dsts(edges.size());
  for (size_t i = 0; i < edges.size(); ++i) {
    srcs[i] = edges[i].first;
    dsts[i] = edges[i].second;
  }
  preds = buildCsr(numNodes, dsts, srcs);
  succs = buildCsr(numNodes, srcs, dsts);
}

bool LayoutSolver::assignLevels(std::string &error) {
  // Kahn's algorithm: a topological order of the contracted graph (the IR's
  // order is topological, but contraction to parents may reorder).
  std::vector<uint32_t> indegree(numNodes), order;
  order.reserve(numNodes);
  for (uint32_t n = 0; n < numNodes; ++n) {
    indegree[n] = preds.size(n);
    if (!indegree[n])
      order.push_back(n);
  }
  for (size_t head = 0; head < order.size(); ++head)
    for (const uint32_t *s = succs.begin(order[head]);
         s != succs.end(order[head]); ++s)
      if (--indegree[*s] == 0)
        order.push_back(*s);
  if (order.size() != numNodes) {
    error = "the graph of top-level nodes has a cycle";
    return false;
  }
  // Longest path to a sink, then "as late as possible" levels.
  std::vector<int32_t> depth(numNodes, 0);
  int32_t maxDepth = 0;
  for (size_t i = numNodes; i-- > 0;) {
    uint32_t n = order[i];
    int32_t d = 0;
    for (const uint32_t *s = succs.begin(n); s != succs.end(n); ++s)
      d = std::max(d, depth[*s] + 1);
    depth[n] = d;
    maxDepth = std::max(maxDepth, d);
  }
  result.level.assign(numNodes, 0);
  int32_t maxLevel = 0;
  for (uint32_t n = 0; n < numNodes; ++n) {
    bool isInput = n < problem.isInput.size() && problem.isInput[n];
    result.level[n] = isInput ? 0 : maxDepth - depth[n];
    maxLevel = std::max(maxLevel, result.level[n]);
  }
  numLevels = numNodes ? static_cast<uint32_t>(maxLevel) + 1 : 0;
  std::vector<uint32_t> keys(result.level.begin(), result.level.end());
  std::vector<uint32_t> nodes(numNodes);
  std::iota(nodes.begin(), nodes.end(), 0);
  levels = buildCsr(numLevels, keys, nodes);
  widestLevel = 0;
  for (uint32_t l = 0; l < numLevels; ++l)
    widestLevel = std::max(widestLevel, levels.size(l));
  return true;
}

void LayoutSolver::assignLevelColumns(uint32_t levelIndex) {
  uint32_t *nodes = levels.items.data() + levels.start[levelIndex];
  uint32_t k = levels.size(levelIndex);
  const uint32_t w = widestLevel;
  auto &column = result.column;

  // The placed neighbours' columns of each node of the level.
  neighbourColumns.clear();
  neighbourStart.assign(k + 1, 0);
  for (uint32_t i = 0; i < k; ++i) {
    uint32_t n = nodes[i];
    for (const uint32_t *p = preds.begin(n); p != preds.end(n); ++p)
      if (placed[*p])
        neighbourColumns.push_back(column[*p]);
    for (const uint32_t *s = succs.begin(n); s != succs.end(n); ++s)
      if (placed[*s])
        neighbourColumns.push_back(column[*s]);
    neighbourStart[i + 1] = static_cast<uint32_t>(neighbourColumns.size());
  }

  if (w <= problem.maxExactWidth) {
    // Exact: Hungarian method on k nodes x w columns. A secondary cost, too
    // small to change the optimum, keeps ties in the level's current order.
    const int64_t tieScale = int64_t(k) * w + 1;
    costMatrix.assign(size_t(k) * w, 0);
    uint32_t pad = (w - k) / 2;
    for (uint32_t i = 0; i < k; ++i) {
      for (uint32_t j = 0; j < w; ++j) {
        int64_t x = firstColumn + int32_t(j);
        int64_t c = kCentreWeight * std::abs(x);
        for (uint32_t e = neighbourStart[i]; e < neighbourStart[i + 1]; ++e)
          c += kEdgeWeight * std::abs(x - neighbourColumns[e]);
        int64_t tie = std::abs(int64_t(j) - int64_t(i + pad));
        costMatrix[size_t(i) * w + j] = c * tieScale + tie;
      }
    }
    if (k == 1) {
      // One node: the cheapest column (the common case in deep graphs).
      size_t best = std::min_element(costMatrix.begin(), costMatrix.end()) -
                    costMatrix.begin();
      column[nodes[0]] = firstColumn + int32_t(best);
    } else {
      std::vector<uint32_t> assignment = solveAssignment(costMatrix, k, w);
      for (uint32_t i = 0; i < k; ++i)
        column[nodes[i]] = firstColumn + int32_t(assignment[i]);
    }
  } else {
    // Greedy: each node wants the weighted median of its neighbours (and 0,
    // with the centring weight), the minimiser of its own cost; nodes take
    // the nearest free column in order of that wish.
    struct Wish {
      int32_t median;
      double barycentre;
      uint32_t position;
    };
    std::vector<Wish> wishes(k);
    std::vector<std::pair<int32_t, int64_t>> weighted;
    for (uint32_t i = 0; i < k; ++i) {
      weighted.clear();
      weighted.emplace_back(0, kCentreWeight);
      double sum = 0;
      for (uint32_t e = neighbourStart[i]; e < neighbourStart[i + 1]; ++e) {
        weighted.emplace_back(neighbourColumns[e], kEdgeWeight);
        sum += neighbourColumns[e];
      }
      uint32_t count = neighbourStart[i + 1] - neighbourStart[i];
      std::sort(weighted.begin(), weighted.end());
      int64_t total = 0;
      for (const auto &entry : weighted)
        total += entry.second;
      int64_t cumulative = 0;
      int32_t median = 0;
      for (const auto &entry : weighted) {
        cumulative += entry.second;
        if (2 * cumulative >= total) {
          median = entry.first;
          break;
        }
      }
      wishes[i] = {median, count ? sum / count : 0.0, i};
    }
    std::vector<uint32_t> byWish(k);
    std::iota(byWish.begin(), byWish.end(), 0);
    std::sort(byWish.begin(), byWish.end(), [&](uint32_t a, uint32_t b) {
      const Wish &wa = wishes[a], &wb = wishes[b];
      if (wa.median != wb.median)
        return wa.median < wb.median;
      if (wa.barycentre != wb.barycentre)
        return wa.barycentre < wb.barycentre;
      return wa.position < wb.position;
    });
    freeColumns.reset(firstColumn, firstColumn + int32_t(w) - 1);
    std::vector<int32_t> taken(k);
    for (uint32_t i = 0; i < k; ++i)
      taken[i] = freeColumns.takeNearest(wishes[byWish[i]].median);
    // The columns taken, handed out again in order of wish, so that nodes
    // wanting the same column keep their order instead of alternating
    // sides.
    std::sort(taken.begin(), taken.end());
    for (uint32_t i = 0; i < k; ++i)
      column[nodes[byWish[i]]] = taken[i];
  }
  for (uint32_t i = 0; i < k; ++i)
    placed[nodes[i]] = 1;
  std::sort(nodes, nodes + k,
            [&](uint32_t a, uint32_t b) { return column[a] < column[b]; });
}

void LayoutSolver::assignColumns() {
  result.column.assign(numNodes, 0);
  placed.assign(numNodes, 0);
  if (!numNodes)
    return;
  // IDLMAV's candidate columns: as many as the widest level, centred on 0.
  firstColumn = -static_cast<int32_t>((widestLevel - 1) / 2);
  std::vector<int32_t> best;
  int64_t bestCost = std::numeric_limits<int64_t>::max();
  uint32_t sweeps = std::max<uint32_t>(problem.sweeps, 1);
  for (uint32_t sweep = 0; sweep < sweeps; ++sweep) {
    // Sweep 0 goes down seeing only predecessors; later sweeps alternate
    // and see all neighbours, so each level step is an exact (or greedy)
    // minimisation of the whole cost over that level's columns.
    bool downward = sweep % 2 == 0;
    for (uint32_t i = 0; i < numLevels; ++i)
      assignLevelColumns(downward ? i : numLevels - 1 - i);
    int64_t cost = computeColumnCost(result.column, result.edges);
    if (cost < bestCost) {
      bestCost = cost;
      best = result.column;
    }
  }
  result.column = std::move(best);
  result.stats.columnCost = bestCost;
  for (uint32_t l = 0; l < numLevels; ++l)
    std::sort(levels.items.data() + levels.start[l],
              levels.items.data() + levels.start[l + 1],
              [&](uint32_t a, uint32_t b) {
                return result.column[a] < result.column[b];
              });
}

void LayoutSolver::applyTurn() {
  result.row.assign(result.level.begin(), result.level.end());
  result.lane.assign(result.column.begin(), result.column.end());
  result.flow.assign(numNodes, 1);
  if (problem.turnNode && *problem.turnNode < numNodes) {
    int32_t turnLevel = result.level[*problem.turnNode];
    int32_t maxFirst = std::numeric_limits<int32_t>::min();
    int32_t minSecond = std::numeric_limits<int32_t>::max();
    for (uint32_t n = 0; n < numNodes; ++n) {
      if (result.level[n] <= turnLevel)
        maxFirst = std::max(maxFirst, result.column[n]);
      else
        minSecond = std::min(minSecond, result.column[n]);
    }
    // The second band starts on the column after the first band's last;
    // its first level shares the turn node's row.
    int32_t shift = minSecond == std::numeric_limits<int32_t>::max()
                        ? 0
                        : maxFirst - minSecond + 1;
    int32_t minRow = 0;
    for (uint32_t n = 0; n < numNodes; ++n) {
      if (result.level[n] <= turnLevel)
        continue;
      result.row[n] = 2 * turnLevel + 1 - result.level[n];
      result.lane[n] = result.column[n] + shift;
      result.flow[n] = -1;
      minRow = std::min(minRow, result.row[n]);
    }
    for (int32_t &row : result.row)
      row -= minRow;
  }
  result.maxRow = 0;
  for (int32_t row : result.row)
    result.maxRow = std::max(result.maxRow, row);
}

void LayoutSolver::routeSkipEdges() {
  const auto &edges = result.edges;
  const auto &row = result.row;
  const auto &lane = result.lane;
  downOffsets.assign(edges.size(), 0.0);
  offsetAlongRow.assign(edges.size(), 0);
  if (!numNodes)
    return;

  // Nodes by (lane, row) and by (row, lane), for "is there a node strictly
  // between" queries by binary search.
  int32_t minLane = *std::min_element(lane.begin(), lane.end());
  int32_t maxLane = *std::max_element(lane.begin(), lane.end());
  uint32_t numLanes = static_cast<uint32_t>(maxLane - minLane + 1);
  std::vector<uint32_t> nodes(numNodes);
  std::iota(nodes.begin(), nodes.end(), 0);
  std::vector<uint32_t> laneKeys(numNodes), rowKeys(numNodes);
  for (uint32_t n = 0; n < numNodes; ++n) {
    laneKeys[n] = static_cast<uint32_t>(lane[n] - minLane);
    rowKeys[n] = static_cast<uint32_t>(row[n]);
  }
  Csr byLane = buildCsr(numLanes, laneKeys, nodes);
  for (uint32_t l = 0; l < numLanes; ++l)
    std::sort(byLane.items.data() + byLane.start[l],
              byLane.items.data() + byLane.start[l + 1],
              [&](uint32_t a, uint32_t b) { return row[a] < row[b]; });
  Csr byRow = buildCsr(result.maxRow + 1, rowKeys, nodes);
  for (int32_t r = 0; r <= result.maxRow; ++r)
    std::sort(byRow.items.data() + byRow.start[r],
              byRow.items.data() + byRow.start[r + 1],
              [&](uint32_t a, uint32_t b) { return lane[a] < lane[b]; });

  auto anyInLaneBetween = [&](int32_t l, int32_t lo, int32_t hi) {
    const uint32_t *b = byLane.begin(static_cast<uint32_t>(l - minLane));
    const uint32_t *e = byLane.end(static_cast<uint32_t>(l - minLane));
    const uint32_t *it = std::upper_bound(
        b, e, lo, [&](int32_t value, uint32_t n) { return value < row[n]; });
    return it != e && row[*it] < hi;
  };
  auto anyInRowBetween = [&](int32_t r, int32_t lo, int32_t hi) {
    const uint32_t *b = byRow.begin(static_cast<uint32_t>(r));
    const uint32_t *e = byRow.end(static_cast<uint32_t>(r));
    const uint32_t *it = std::upper_bound(
        b, e, lo, [&](int32_t value, uint32_t n) { return value < lane[n]; });
    return it != e && lane[*it] < hi;
  };
  // Distance from `v` to the nearest node centre on row `r`.
  auto clearanceInRow = [&](int32_t r, double v) {
    const uint32_t *b = byRow.begin(static_cast<uint32_t>(r));
    const uint32_t *e = byRow.end(static_cast<uint32_t>(r));
    const uint32_t *it = std::lower_bound(
        b, e, v, [&](uint32_t n, double value) { return lane[n] < value; });
    double best = std::numeric_limits<double>::infinity();
    if (it != e)
      best = std::min(best, std::abs(lane[*it] - v));
    if (it != b)
      best = std::min(best, std::abs(lane[*(it - 1)] - v));
    return best;
  };
  // Smallest clearance of a straight diagonal edge over the rows strictly
  // between its ends.
  auto diagonalClearance = [&](uint32_t src, uint32_t dst) {
    double r1 = row[src], r2 = row[dst], c1 = lane[src], c2 = lane[dst];
    double clearance = std::numeric_limits<double>::infinity();
    int32_t lo = std::min(row[src], row[dst]),
            hi = std::max(row[src], row[dst]);
    for (int32_t r = lo + 1; r < hi; ++r)
      clearance = std::min(
          clearance, clearanceInRow(r, c1 + (c2 - c1) * (r - r1) / (r2 - r1)));
    return clearance;
  };

  // A skip edge along a lane (column) or a row: its span on that line.
  struct Interval {
    uint8_t alongRow;
    int32_t line;
    int32_t lo, hi;
    uint32_t edge;
  };
  std::vector<Interval> intervals;
  for (uint32_t e = 0; e < edges.size(); ++e) {
    auto [src, dst] = edges[e];
    int32_t r1 = row[src], r2 = row[dst], c1 = lane[src], c2 = lane[dst];
    if (r1 != r2 && c1 == c2) {
      int32_t lo = std::min(r1, r2), hi = std::max(r1, r2);
      if (anyInLaneBetween(c1, lo, hi))
        intervals.push_back({0, c1, lo, hi, e});
    } else if (r1 == r2) {
      int32_t lo = std::min(c1, c2), hi = std::max(c1, c2);
      if (anyInRowBetween(r1, lo, hi))
        intervals.push_back({1, r1, lo, hi, e});
    } else if (std::abs(r2 - r1) >= 2 &&
               diagonalClearance(src, dst) < kNodeClearance) {
      // A diagonal through a node runs beside its source's column instead.
      intervals.push_back({0, c1, std::min(r1, r2), std::max(r1, r2), e});
    }
  }

  // Tracks, per line, inside out: shorter spans first; each takes the side
  // where it needs the lower track (one above every overlapping span
  // already there), so nested spans never cross.
  std::sort(intervals.begin(), intervals.end(),
            [](const Interval &a, const Interval &b) {
              if (a.alongRow != b.alongRow)
                return a.alongRow < b.alongRow;
              if (a.line != b.line)
                return a.line < b.line;
              if (a.hi - a.lo != b.hi - b.lo)
                return a.hi - a.lo < b.hi - b.lo;
              if (a.lo != b.lo)
                return a.lo < b.lo;
              return a.edge < b.edge;
            });
  MaxSegmentTree sides[2];
  std::vector<int32_t> points;
  std::vector<int32_t> tracks;
  for (size_t begin = 0; begin < intervals.size();) {
    size_t end = begin;
    while (end < intervals.size() &&
           intervals[end].alongRow == intervals[begin].alongRow &&
           intervals[end].line == intervals[begin].line)
      ++end;
    points.clear();
    for (size_t i = begin; i < end; ++i) {
      points.push_back(intervals[i].lo);
      points.push_back(intervals[i].hi);
    }
    std::sort(points.begin(), points.end());
    points.erase(std::unique(points.begin(), points.end()), points.end());
    auto slot = [&](int32_t p) {
      return static_cast<uint32_t>(
          std::lower_bound(points.begin(), points.end(), p) - points.begin());
    };
    sides[0].reset(static_cast<uint32_t>(points.size()));
    sides[1].reset(static_cast<uint32_t>(points.size()));
    tracks.assign(end - begin, 0);
    int32_t maxTrack = 0;
    for (size_t i = begin; i < end; ++i) {
      uint32_t lo = slot(intervals[i].lo), hi = slot(intervals[i].hi);
      int32_t onRight = sides[0].query(lo, hi) + 1;
      int32_t onLeft = sides[1].query(lo, hi) + 1;
      int side = onLeft < onRight ? 1 : 0;
      int32_t track = side ? onLeft : onRight;
      sides[side].raise(lo, hi, track);
      tracks[i - begin] = side ? -track : track;
      maxTrack = std::max(maxTrack, track);
    }
    result.stats.skipTracks =
        std::max<int64_t>(result.stats.skipTracks, maxTrack);
    for (size_t i = begin; i < end; ++i) {
      int32_t track = std::abs(tracks[i - begin]);
      // Evenly spaced up to kMaxSkipOffset; the innermost track stays
      // kNodeClearance away from the nodes it passes.
      double magnitude =
          maxTrack <= 4 ? kMaxSkipOffset * track / maxTrack
                        : kNodeClearance + (kMaxSkipOffset - kNodeClearance) *
                                               (track - 1) / (maxTrack - 1);
      downOffsets[intervals[i].edge] =
          tracks[i - begin] < 0 ? -magnitude : magnitude;
      offsetAlongRow[intervals[i].edge] = intervals[i].alongRow;
      ++result.stats.skipEdges;
    }
    begin = end;
  }
}

void LayoutSolver::computeOutput() {
  Direction direction = problem.direction;
  result.x.resize(numNodes);
  result.y.resize(numNodes);
  for (uint32_t n = 0; n < numNodes; ++n)
    std::tie(result.x[n], result.y[n]) =
        mapToOutput(direction, result.row[n], result.lane[n], result.maxRow);
  // Offsets across the flow keep their sign in every direction; offsets
  // along it (edges along a row) flip where the main axis is mirrored.
  bool mirrored = direction == Direction::Up || direction == Direction::Left;
  result.edgeOffsets.resize(result.edges.size());
  double length = 0;
  for (size_t e = 0; e < result.edges.size(); ++e) {
    double offset = downOffsets[e];
    if (offsetAlongRow[e] && mirrored)
      offset = -offset;
    result.edgeOffsets[e] = offset;
    auto [src, dst] = result.edges[e];
    auto points = getEdgePolyline(direction, {result.x[src], result.y[src]},
                                  {result.x[dst], result.y[dst]}, offset);
    for (size_t i = 1; i < points.size(); ++i)
      length += std::hypot(points[i].first - points[i - 1].first,
                           points[i].second - points[i - 1].second);
  }
  result.stats.edgeLength = length;
  result.stats.levels = numLevels;
}

void LayoutSolver::countCrossings() {
  // Edges between adjacent levels, grouped by source level and sorted by
  // (source column, target column): crossings are the inversions of the
  // target columns within a group.
  struct Span {
    int32_t level, from, to;
  };
  std::vector<Span> spans;
  for (const auto &[src, dst] : result.edges)
    if (result.level[dst] == result.level[src] + 1)
      spans.push_back(
          {result.level[src], result.column[src], result.column[dst]});
  std::sort(spans.begin(), spans.end(), [](const Span &a, const Span &b) {
    if (a.level != b.level)
      return a.level < b.level;
    if (a.from != b.from)
      return a.from < b.from;
    return a.to < b.to;
  });
  std::vector<int32_t> targets, scratch;
  int64_t crossings = 0;
  // Merge sort counting strict inversions.
  auto countInversions = [&](auto &self, size_t lo, size_t hi) -> int64_t {
    if (hi - lo < 2)
      return 0;
    size_t mid = (lo + hi) / 2;
    int64_t count = self(self, lo, mid) + self(self, mid, hi);
    size_t i = lo, j = mid, k = 0;
    scratch.resize(hi - lo);
    while (i < mid || j < hi) {
      if (j == hi || (i < mid && targets[i] <= targets[j])) {
        scratch[k++] = targets[i++];
      } else {
        count += static_cast<int64_t>(mid - i);
        scratch[k++] = targets[j++];
      }
    }
    std::copy(scratch.begin(), scratch.begin() + (hi - lo),
              targets.begin() + lo);
    return count;
  };
  for (size_t begin = 0; begin < spans.size();) {
    size_t end = begin;
    targets.clear();
    while (end < spans.size() && spans[end].level == spans[begin].level)
      targets.push_back(spans[end++].to);
    crossings += countInversions(countInversions, 0, targets.size());
    begin = end;
  }
  result.stats.crossings = crossings;
}

bool LayoutSolver::run(std::string &error) {
  result.stats = LayoutStats();
  buildEdges();
  if (!assignLevels(error))
    return false;
  assignColumns();
  applyTurn();
  routeSkipEdges();
  computeOutput();
  countCrossings();
  return true;
}

bool layout::solveLayout(const LayoutProblem &problem, LayoutResult &result,
                         std::string &error) {
  LayoutSolver solver(problem, result);
  return solver.run(error);
}
