//===- RenderModel.h - What every backend draws, read from the IR -*- C++
//-*-===//
//
// The render model is the one place that reads the attributes the passes
// wrote (layout.x/y, layout.operand_offsets, color, cost.*, parent, status)
// and turns them into what IDLMAV's figure shows: node positions, hover text,
// edge polylines, table rows, and the marker sizes and colours of the four
// size/colour states of the dropdown. The Plotly figure, the widget spec and
// the HTML page are all built from it, so the three outputs cannot drift.
//
// Coordinates are the layout pass's: x grows to the right and y grows
// downward on screen, one level = 1.0 along the main direction.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_RENDER_RENDERMODEL_H
#define MAV_RENDER_RENDERMODEL_H

#include "mav/IR/Graph.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mav {

/// Marker sizes in px, IDLMAV's: main graph 6-18, overview 4-10.
inline constexpr double kMainMinSize = 6, kMainMaxSize = 18;
inline constexpr double kOverviewMinSize = 4, kOverviewMaxSize = 10;
/// Sub-nodes (merged under a parent) are drawn as small fixed markers.
inline constexpr double kMainSubNodeSize = 4, kOverviewSubNodeSize = 2;
/// Fill colour of nodes without a `color` attribute: failed ones get the
/// color pass's default Error colour, the others grey. A node with a
/// `color` is drawn in it, failed or not: the color pass decides colours
/// (docs/MergeAndColor.md), renderers draw what the IR says.
inline constexpr const char *kUncoloredFailedColor = "#FF0000";
inline constexpr const char *kMissingColor = "#7F7F7F";
/// Opacity of nodes that were never run (status = "not-run"), and the
/// outline that keeps their pale fill visible on white.
inline constexpr double kNotRunOpacity = 0.6;
inline constexpr const char *kNotRunOutlineColor = "#8C8C8C";

struct RenderNode {
  std::string name;
  std::string op;
  std::string category;
  /// "#RRGGBB": the node's `color`, or kUncoloredFailedColor /
  /// kMissingColor when it has none.
  std::string color;
  /// "ok", "failed" or "not-run".
  std::string status;
  std::string error;
  double x = 0, y = 0;
  int64_t level = 0;
  /// Index of the top-level node a merged sub-node hangs under.
  std::optional<uint32_t> parent;
  int64_t params = 0;
  int64_t flops = 0;
  /// `(1,64,56,56)`; empty for nodes without results or never run.
  std::string activations;
  /// The node's `args` as plain-text `name: value` lines, in key order
  /// (string values as they are, others in the IR's spelling).
  std::vector<std::string> args;
  /// Index in RenderModel::groups of the innermost group it is in.
  std::optional<uint32_t> group;
};

/// A record of the group pass's `group.groups` (docs/Layout.md, "Groups").
struct RenderGroup {
  std::string path;
  /// The class's last component (`EncoderBlock`), or the path's.
  std::string className;
  int64_t depth = 1;
  std::optional<uint32_t> parent;
  int64_t nodes = 0, params = 0, flops = 0;
  /// On a fold's first instance: N and the instances' paths.
  int64_t fold = 0;
  std::vector<std::string> foldInstances;
  /// On a fold's other instances: the first.
  std::optional<uint32_t> foldOf;
  bool expanded = false;
};

/// One edge, drawn from its source node to its target node: two points for a
/// straight edge, four for a skip connection's offset polyline.
struct RenderEdge {
  uint32_t source = 0;
  uint32_t target = 0;
  std::vector<std::array<double, 2>> points;
};

/// The four entries of IDLMAV's dropdown.
enum class SizeMetric { Params, Flops };
enum class ColorMetric { Operation, Flops, Params };
struct SizeColorState {
  const char *label;
  SizeMetric size;
  ColorMetric color;
};
inline constexpr std::array<SizeColorState, 4> kSizeColorStates = {{
    {"Size by params, color by operation", SizeMetric::Params,
     ColorMetric::Operation},
    {"Size by FLOPS, color by operation", SizeMetric::Flops,
     ColorMetric::Operation},
    {"Size by params, color by FLOPS", SizeMetric::Params, ColorMetric::Flops},
    {"Size by FLOPS, color by params", SizeMetric::Flops, ColorMetric::Params},
}};

/// Marker arrays of one dropdown state for one panel. `colors` holds either
/// "#RRGGBB" strings (colour by operation) or values in [0, 1] on the log2
/// scale (`numericColors`), drawn with the continuous colorscale.
struct MarkerState {
  std::vector<double> sizes;
  bool numericColors = false;
  std::vector<std::string> colorNames;
  std::vector<double> colorValues;
  /// The metric's smallest positive and largest value: colour values 0
  /// and 1 (log2 in between). Both 0 when nothing is positive.
  double colorLow = 0, colorHigh = 0;
};

struct RenderModel {
  std::string title;
  /// layout.direction ("down" unless the layout pass said otherwise).
  std::string direction = "down";
  /// Whether levels run along y (down/up) rather than x (right/left).
  bool levelsAlongY = true;
  std::vector<RenderNode> nodes;
  std::vector<RenderEdge> edges;
  /// The group pass's groups, parents before children; empty if it did
  /// not run.
  std::vector<RenderGroup> groups;
  /// Bounding box of the node positions.
  double minX = 0, maxX = 0, minY = 0, maxY = 0;
  int64_t totalParams = 0;
  int64_t totalFlops = 0;
  /// The dropdown entry shown first: FLOPS when the model has no parameters.
  unsigned defaultState = 0;

  /// Marker sizes and colours of dropdown state `state` in the main graph or
  /// the overview.
  MarkerState getMarkerState(unsigned state, bool overview) const;
  /// Hover lines of a node as plain text: Name, Operation, Activations,
  /// Parameters, FLOPS, then `Error: ...` for a failed node or `Status: not
  /// run`, then the args lines; backends escape them for their context.
  /// This is the one place the hover text is composed (docs/Widget.md,
  /// "Hover text"); the widget spec carries these lines (`nodes.hover`).
  std::vector<std::string> getHoverLines(uint32_t node) const;
  /// The hover lines as a Plotly label: each escaped with escapePlotlyText,
  /// joined with `<br>`, as the figure's node trace carries them.
  std::string getHoverText(uint32_t node) const;
  /// Table columns (`Params [11 689 512]` carries the total) and one row per
  /// node in graph order. The widget spec carries the counts as they appear
  /// in these rows (`nodes.paramsText`, `nodes.flopsText`; docs/Widget.md,
  /// "Table").
  std::vector<std::string> getTableHeader() const;
  std::vector<std::string> getTableRow(uint32_t node) const;
  /// The row's Activations cell: the activations, or why there are none
  /// (`failed: <error>`, `not run`), so a partial model's table says where
  /// it stopped. The widget spec carries it as `nodes.activations`.
  std::string getActivationsCell(uint32_t node) const;
  /// A group's label (`EncoderBlock ×12`) and hover lines (path, class,
  /// nodes, totals and, for a fold, its instances).
  std::string getGroupLabel(uint32_t group) const;
  std::vector<std::string> getGroupHoverLines(uint32_t group) const;
};

/// Reads `graph` into `model`. Fails with a diagnostic at the node when a
/// position is missing or an attribute has the wrong type.
LogicalResult buildRenderModel(const Graph &graph, RenderModel &model,
                               DiagnosticEngine &diags);

/// IDLMAV's log2 size scale: between `minSize` (smallest positive value,
/// and anything below it, zero included) and `maxSize` (largest value); the
/// middle of the scale for every value when nothing is positive or the
/// positive values span less than 0.01 octaves.
double scaleLog2(double value, double smallestPositive, double largest,
                 double minSize, double maxSize);

/// `3 628 899 328`: thousands separated by spaces.
std::string formatThousands(int64_t value);

/// A count held as a double (a colour range's end) back as an int64,
/// saturating: INT64_MAX as a double is 2^63, one past the range, and
/// converting that is undefined behaviour.
int64_t countFromDouble(double value);

/// Escapes `&`, `<`, `>` and `"` for HTML text and attribute values.
std::string escapeHtml(std::string_view text);

/// Escapes `&`, `<` and `>` for Plotly's pseudo-HTML labels (hover text,
/// table cells, titles). Plotly decodes only a few entities (`&amp;`,
/// `&lt;`, `&gt;`), so quotes stay as they are: outside a tag they are text.
std::string escapePlotlyText(std::string_view text);
/// The same, appended to `out`.
void appendPlotlyText(std::string &out, std::string_view text);

/// Rounds a coordinate or size so that outputs are short and stable.
double roundForOutput(double value);

} // namespace mav

#endif // MAV_RENDER_RENDERMODEL_H
