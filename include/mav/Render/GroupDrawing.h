//===- GroupDrawing.h - A model drawn with its groups at a depth -*- C++
//-*-===//
//
// What the page's groups.js draws for an expansion state, for the portable
// Plotly figure, which cannot compute it (no kernel): its depth dropdown
// switches between the drawings at each depth. The rule is the page's
// (docs/Layout.md, "Groups on the page"): a node is drawn as the outermost
// collapsed group it is in, or as the same node of a fold's first instance
// when it is in a hidden one; a collapsed group sits at its nodes' first
// row and the mean of their columns; rows holding nothing drawn are
// removed. test/browser/groups.test checks the two agree.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_RENDER_GROUPDRAWING_H
#define MAV_RENDER_GROUPDRAWING_H

#include "mav/Render/RenderModel.h"

#include <array>
#include <optional>
#include <vector>

namespace mav {

using Point = std::array<double, 2>;

struct GroupDrawing {
  /// Per node: where it is drawn, or nullopt inside a collapsed group or a
  /// fold's hidden instance.
  std::vector<std::optional<Point>> nodes;
  /// The collapsed groups drawn, in group order, and where.
  std::vector<uint32_t> items;
  std::vector<Point> itemPositions;
  /// The edges drawn, as polylines.
  std::vector<std::vector<Point>> edges;
};

/// `model` drawn with its groups at depth `depth` or above expanded, the
/// deeper ones collapsed, and every fold folded.
GroupDrawing drawGroupsAtDepth(const RenderModel &model, int64_t depth);

/// The deepest group depth of `model` (0 without groups).
int64_t getMaxGroupDepth(const RenderModel &model);

} // namespace mav

#endif // MAV_RENDER_GROUPDRAWING_H
