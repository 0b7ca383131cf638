//===- Figure.h - Plotly figure and widget spec from a RenderModel -*- C++
//-*-===//
//
// The JSON documents the backends write: IDLMAV's portable figure as Plotly
// figure JSON (`--plotly-json`), and the widget spec (`--widget`) that the
// HTML front end (lib/Render/web/app/) renders with synchronised panels.
// Both are nlohmann::json values; nlohmann's default object is a std::map, so
// keys come out sorted and the bytes are the same on every run.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_RENDER_FIGURE_H
#define MAV_RENDER_FIGURE_H

#include "mav/Pass/PassRegistry.h"
#include "mav/Render/RenderModel.h"

#include <nlohmann/json.hpp>

namespace mav {

/// Version of the widget spec format (docs/Widget.md); bumped on any change
/// a front end would notice.
inline constexpr int kWidgetSpecVersion = 3;

/// The plotly.js the HTML page loads from the CDN: plotly's `gl2d` partial
/// bundle, the smallest one with `scattergl` (2 MB instead of 4.6). `--offline`
/// inlines a bundle of the same version built by utils/plotly-bundle, and
/// package.json pins the same version of plotly.js-gl2d-dist-min for
/// utils/bench-page.js.
inline constexpr const char *kPlotlyJsVersion = "2.35.3";
inline constexpr const char *kPlotlyCdnUrl =
    "https://cdn.plot.ly/plotly-gl2d-2.35.3.min.js";

/// From this many nodes on, graphs are drawn with WebGL (`scattergl`).
inline constexpr size_t kScatterGlThreshold = 2000;

/// Colour of the edges in every picture.
inline constexpr const char *kEdgeColor = "#A0A0A0";
/// Margin around the graph in its bounds (data units: half a level).
inline constexpr double kBoundsMargin = 0.5;

/// What the panels show; read from the backend options.
struct ViewOptions {
  bool table = true;
  bool overview = false;
  bool slider = false;
  /// The interactive views (widget spec, page) rather than the portable
  /// figure: levelsShown may be 0.
  bool interactive = false;
  /// Levels visible at once when the slider is on; 0 (interactive views
  /// only, their default): the page picks the first view, the whole model
  /// when it fits.
  int64_t levelsShown = 10;
  /// A Plotly named colorscale for the "color by FLOPS/params" states.
  std::string colorscale = "Bluered";
  /// The dropdown entry shown first; -1 picks RenderModel::defaultState.
  int64_t sizeColor = -1;
};

/// The options of ViewOptions as backend options. The portable figure starts
/// without overview and slider (`--overview`, `--slider` add them); the
/// interactive views start with every panel (`--no-overview`...).
std::vector<PassOptionInfo> getViewOptionInfos(bool interactive);

/// The `size-color` option (the dropdown entry 0-3), its help starting with
/// `entry` ("Initial dropdown entry" for the views that have a dropdown).
PassOptionInfo getSizeColorOptionInfo(std::string_view entry);
/// The dropdown entry `view.sizeColor` picks, or the model's default for -1.
unsigned getActiveState(const RenderModel &model, const ViewOptions &view);
/// Reads the view options a backend declared from `options`; reports
/// out-of-range values.
LogicalResult readViewOptions(const PassOptions &options, ViewOptions &view,
                              DiagnosticEngine &diags);

/// IDLMAV's portable figure: Plotly `{"data": [...], "layout": {...}}`.
nlohmann::json buildPlotlyFigure(const RenderModel &model,
                                 const ViewOptions &view);

/// The widget spec of docs/Widget.md.
nlohmann::json buildWidgetSpec(const RenderModel &model,
                               const ViewOptions &view);

/// Serialises JSON deterministically (sorted keys, nlohmann's shortest
/// round-trip floats); invalid UTF-8 from the IR is replaced, never thrown.
std::string dumpJson(const nlohmann::json &value, int indent = -1);

/// JSON made safe to place inside an HTML `<script>` element: `<`, `>`, `&`,
/// U+2028 and U+2029 become `\u003c`... (they only occur inside strings,
/// where the escapes mean the same characters).
std::string escapeJsonForScript(std::string_view json);
/// escapeJsonForScript appending to `out` (the page is built in one string).
void appendJsonForScript(std::string &out, std::string_view json);

/// The Plotly colorscales `--colorscale` accepts.
const std::vector<std::string> &getPlotlyColorscales();

} // namespace mav

#endif // MAV_RENDER_FIGURE_H
