//===- Layout.h - Layered layout of a contracted model graph ----*- C++ -*-===//
//
// The algorithm behind the `layout` pass, on flat arrays so that it can be
// tested on thousands of random DAGs without building IR, and so that a
// million-node graph stays a handful of vectors. The pass (Layout.cpp)
// contracts the IR to its top-level nodes, calls solveLayout, and writes the
// result back as attributes; docs/Layout.md describes the algorithm, its
// cost function and its complexity.
//
// Coordinates: the solver works in a "down frame" (U along the flow, one
// level = 1.0; V across, one column = 1.0) and maps to output coordinates for
// the requested direction. Output coordinates are screen-like (x to the
// right, y downward) for every direction.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_TRANSFORMS_LAYOUT_H
#define MAV_TRANSFORMS_LAYOUT_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace mav::layout {

/// Which way the flow of the picture goes.
enum class Direction { Down, Right, Up, Left };

/// Parses `down|right|up|left`.
std::optional<Direction> parseDirection(std::string_view text);
std::string_view getDirectionName(Direction direction);

/// Weight of the centring term and of the edge term of the column cost
/// `sum |x| + kEdgeWeight * sum over edges |x_src - x_dst|`.
inline constexpr int64_t kCentreWeight = 1;
inline constexpr int64_t kEdgeWeight = 10;
/// An edge "passes through" a node when it comes closer than this to the
/// node's centre (layout units).
inline constexpr double kNodeClearance = 0.1;
/// Largest sideways offset of a skip polyline.
inline constexpr double kMaxSkipOffset = 0.4;

/// A DAG of top-level nodes: what the layout is computed on.
struct LayoutProblem {
  uint32_t numNodes = 0;
  /// (source, target) pairs; duplicates and self-loops are ignored.
  std::vector<std::pair<uint32_t, uint32_t>> edges;
  /// Nodes forced to level 0 (network inputs); empty = none.
  std::vector<uint8_t> isInput;
  Direction direction = Direction::Down;
  /// Nodes on a later level than this one go back against the flow in a
  /// second column band (U-Net and autoencoder shapes).
  std::optional<uint32_t> turnNode;
  /// Levels of at most this many columns are assigned exactly (Hungarian
  /// method); wider ones greedily.
  uint32_t maxExactWidth = 16;
  /// Column sweeps over the levels (first down, then alternating).
  uint32_t sweeps = 4;
};

/// Quality measures of a layout (also reported as pass statistics).
struct LayoutStats {
  /// Crossings of edges joining adjacent levels.
  int64_t crossings = 0;
  /// Total drawn length of all edges, layout units.
  double edgeLength = 0;
  /// Edges drawn as an offset polyline.
  int64_t skipEdges = 0;
  /// Most tracks used by skip edges along one column (or row), both sides.
  int64_t skipTracks = 0;
  int64_t levels = 0;
  /// The column cost `sum |x| + 10 sum |dx|` of the final columns.
  int64_t columnCost = 0;
};

struct LayoutResult {
  /// Per node: level (0 = first) and integer column in level space.
  std::vector<int32_t> level;
  std::vector<int32_t> column;
  /// Per node, down frame: row and column after the turn is applied
  /// (row = level without a turn) and the sign of the flow there (+1, or -1
  /// in the band after the turn node).
  std::vector<int32_t> row;
  std::vector<int32_t> lane;
  std::vector<int8_t> flow;
  /// Largest row; rows are 0..maxRow.
  int32_t maxRow = 0;
  /// Per node: output coordinates.
  std::vector<double> x;
  std::vector<double> y;
  /// The distinct edges (sorted by target, then source) and the sideways
  /// offset of each in output coordinates (0 = straight).
  std::vector<std::pair<uint32_t, uint32_t>> edges;
  std::vector<double> edgeOffsets;
  LayoutStats stats;
};

/// Computes levels, columns, positions and skip offsets. Fails (with a
/// message) only if the edges contain a cycle.
bool solveLayout(const LayoutProblem &problem, LayoutResult &result,
                 std::string &error);

/// Maps a down-frame point to output coordinates.
std::pair<double, double> mapToOutput(Direction direction, double u, double v,
                                      int32_t maxRow);

/// Output position of the `index`-th (from 0) of the `count` sub-nodes of
/// top-level node `node`: in its lane, (index + 1) * delta further along the
/// flow on its side of the turn (towards row 0 on the return side), so that
/// it sits between its parent and the next row; delta = 0.15 for up to four
/// sub-nodes, else 0.6 / count.
std::pair<double, double> getSubNodePosition(Direction direction,
                                             const LayoutResult &result,
                                             uint32_t node, uint32_t index,
                                             uint32_t count);

/// The points of an edge as drawn, in output coordinates: two points for a
/// straight edge, four for an offset polyline (see docs/Layout.md).
std::vector<std::pair<double, double>>
getEdgePolyline(Direction direction, std::pair<double, double> from,
                std::pair<double, double> to, double offset);

/// Cost of `column` under the column cost, on the distinct edges.
int64_t
computeColumnCost(const std::vector<int32_t> &column,
                  const std::vector<std::pair<uint32_t, uint32_t>> &edges);

/// Minimum-cost assignment of rows to distinct columns (rows <= columns),
/// Hungarian method, O(rows^2 * columns). `cost` is row-major. Returns the
/// column of each row.
std::vector<uint32_t> solveAssignment(const std::vector<int64_t> &cost,
                                      uint32_t rows, uint32_t columns);

} // namespace mav::layout

#endif // MAV_TRANSFORMS_LAYOUT_H
