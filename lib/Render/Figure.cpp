//===- Figure.cpp - Plotly figure and widget spec from a RenderModel ------===//
//
// Builds the two JSON documents of mav-render from a RenderModel: IDLMAV's
// portable figure as a Plotly figure, and the widget spec the HTML front end
// reads. The figure uses only attributes that plotly.js 2.x/3.x and
// plotly.py's validators know, so `plotly.io.from_json` accepts it as is.
//
// Text from the IR reaches Plotly's pseudo-HTML labels (hover text, table
// cells, the title) escaped with escapePlotlyText; JSON string escaping is
// nlohmann's.
//
//===----------------------------------------------------------------------===//

#include "mav/Render/Figure.h"
#include "mav/Render/GroupDrawing.h"

#include "mav/IR/ModelAttributes.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>

#include <fmt/format.h>

using namespace mav;
using json = nlohmann::json;

static constexpr const char *kWindowColor = "#1F77B4";
static constexpr const char *kWindowFill = "rgba(31,119,180,0.12)";

const std::vector<std::string> &mav::getPlotlyColorscales() {
  // plotly.js's built-in named scales (src/components/colorscale/scales.js).
  static const std::vector<std::string> scales = {
      "Blackbody", "Bluered", "Blues", "Cividis", "Earth",  "Electric",
      "Greens",    "Greys",   "Hot",   "Jet",     "Picnic", "Portland",
      "Rainbow",   "RdBu",    "Reds",  "Viridis", "YlGnBu", "YlOrRd"};
  return scales;
}

std::vector<PassOptionInfo> mav::getViewOptionInfos(bool interactive) {
  std::vector<PassOptionInfo> options;
  options.push_back({"no-table",
                     OptionType::Bool,
                     "false",
                     "Leave out the table of nodes",
                     {}});
  if (interactive) {
    options.push_back({"no-overview",
                       OptionType::Bool,
                       "false",
                       "Leave out the overview panel",
                       {}});
    options.push_back({"no-slider",
                       OptionType::Bool,
                       "false",
                       "Leave out the range slider",
                       {}});
  } else {
    options.push_back({"overview",
                       OptionType::Bool,
                       "false",
                       "Add an overview panel of the whole model",
                       {}});
    options.push_back({"slider",
                       OptionType::Bool,
                       "false",
                       "Add a slider scrolling the main view through the "
                       "levels",
                       {}});
  }
  if (interactive)
    options.push_back({"levels-shown",
                       OptionType::Int,
                       "0",
                       "Levels visible at first in the main view; 0: the "
                       "whole model when it fits the panel at a readable "
                       "density, else its top",
                       {}});
  else
    options.push_back({"levels-shown",
                       OptionType::Int,
                       "10",
                       "Levels visible at once in the main view with the "
                       "slider",
                       {}});
  options.push_back({"colorscale", OptionType::Enum, "Bluered",
                     "Continuous colorscale of the color-by-FLOPS/params "
                     "states",
                     getPlotlyColorscales()});
  options.push_back(getSizeColorOptionInfo("Initial dropdown entry"));
  return options;
}

PassOptionInfo mav::getSizeColorOptionInfo(std::string_view entry) {
  return {"size-color",
          OptionType::Int,
          "-1",
          fmt::format("{} 0-3 (size by params/FLOPS x color by "
                      "operation/FLOPS/params); -1: by FLOPS when the model "
                      "has no parameters, else 0",
                      entry),
          {}};
}

unsigned mav::getActiveState(const RenderModel &model,
                             const ViewOptions &view) {
  return view.sizeColor < 0 ? model.defaultState
                            : static_cast<unsigned>(view.sizeColor);
}

LogicalResult mav::readViewOptions(const PassOptions &options,
                                   ViewOptions &view, DiagnosticEngine &diags) {
  const auto &values = options.getValues();
  auto has = [&](const char *name) { return values.count(name) != 0; };
  if (has("no-table"))
    view.table = !options.getBool("no-table");
  if (has("overview"))
    view.overview = options.getBool("overview");
  if (has("no-overview"))
    view.overview = !options.getBool("no-overview");
  if (has("slider"))
    view.slider = options.getBool("slider");
  if (has("no-slider"))
    view.slider = !options.getBool("no-slider");
  if (has("levels-shown"))
    view.levelsShown = options.getInt("levels-shown");
  if (has("colorscale"))
    view.colorscale = options.getString("colorscale");
  if (has("size-color"))
    view.sizeColor = options.getInt("size-color");
  int64_t fewestLevels = view.interactive ? 0 : 1;
  if (view.levelsShown < fewestLevels) {
    diags.error(SourceLoc{}, fmt::format("--levels-shown must be at least {}, "
                                         "not {}",
                                         fewestLevels, view.levelsShown));
    return failure();
  }
  if (view.sizeColor < -1 ||
      view.sizeColor >= static_cast<int64_t>(kSizeColorStates.size())) {
    diags.error(SourceLoc{},
                fmt::format("--size-color must be 0-{} (or -1 for the "
                            "default), not {}",
                            kSizeColorStates.size() - 1, view.sizeColor));
    return failure();
  }
  return success();
}

std::string mav::dumpJson(const json &value, int indent) {
  return value.dump(indent, ' ', /*ensure_ascii=*/false,
                    json::error_handler_t::replace);
}

void mav::appendJsonForScript(std::string &out, std::string_view text) {
  // A table of the bytes that may need escaping; the runs between them are
  // copied in one piece (this runs over megabytes of JSON).
  static constexpr auto kSpecial = [] {
    std::array<bool, 256> special{};
    special['<'] = special['>'] = special['&'] = special[0xE2] = true;
    return special;
  }();
  // Whether any byte of an 8-byte word equals `byte` (the classic
  // "has zero byte" test on word ^ byte...byte).
  auto hasByte = [](uint64_t word, unsigned char byte) {
    uint64_t x = word ^ (0x0101010101010101ULL * byte);
    return (x - 0x0101010101010101ULL) & ~x & 0x8080808080808080ULL;
  };
  size_t pos = 0, i = 0;
  while (i < text.size()) {
    if (i + 8 <= text.size()) {
      uint64_t word;
      std::memcpy(&word, text.data() + i, 8);
      if (!(hasByte(word, '<') | hasByte(word, '>') | hasByte(word, '&') |
            hasByte(word, 0xE2))) {
        i += 8;
        continue;
      }
    }
    if (!kSpecial[static_cast<unsigned char>(text[i])]) {
      ++i;
      continue;
    }
    out.append(text.data() + pos, i - pos);
    char c = text[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (i + 2 < text.size() && text[i + 1] == '\x80' &&
               (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
      out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
    pos = ++i;
  }
  out.append(text.data() + pos, text.size() - pos);
}

std::string mav::escapeJsonForScript(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  appendJsonForScript(out, text);
  return out;
}

namespace {

/// A range along one axis, in data coordinates (low < high).
struct AxisRange {
  double low = 0, high = 0;
};

/// What the main graph and the slider show, along x and y.
struct ViewGeometry {
  AxisRange fullX, fullY;
  AxisRange mainX, mainY;
  /// Start of every slider position along the level axis.
  std::vector<double> sliderStarts;
  double window = 0;
};

} // namespace

static ViewGeometry computeGeometry(const RenderModel &model,
                                    const ViewOptions &view) {
  ViewGeometry geometry;
  geometry.fullX = {model.minX - kBoundsMargin, model.maxX + kBoundsMargin};
  geometry.fullY = {model.minY - kBoundsMargin, model.maxY + kBoundsMargin};
  geometry.mainX = geometry.fullX;
  geometry.mainY = geometry.fullY;
  AxisRange levels = model.levelsAlongY ? geometry.fullY : geometry.fullX;
  double span = levels.high - levels.low;
  geometry.window = view.levelsShown == 0
                        ? span
                        : std::min(static_cast<double>(view.levelsShown), span);
  size_t steps = static_cast<size_t>(
      std::max(0.0, std::ceil(span - geometry.window - 1e-9)));
  for (size_t k = 0; k <= steps; ++k)
    geometry.sliderStarts.push_back(roundForOutput(std::min(
        levels.low + static_cast<double>(k), levels.high - geometry.window)));
  if (view.slider) {
    AxisRange &main = model.levelsAlongY ? geometry.mainY : geometry.mainX;
    main = {levels.low, levels.low + geometry.window};
  }
  return geometry;
}

/// Plotly range of an axis: y grows downward on screen, so y axes are
/// reversed by giving the range high-to-low.
static json xRange(AxisRange range) {
  return json::array({roundForOutput(range.low), roundForOutput(range.high)});
}
static json yRange(AxisRange range) {
  return json::array({roundForOutput(range.high), roundForOutput(range.low)});
}

/// A JSON array of strings, moved in rather than copied.
static json stringArray(std::vector<std::string> &&strings) {
  json array = json::array();
  auto &elements = array.get_ref<json::array_t &>();
  elements.reserve(strings.size());
  for (std::string &text : strings)
    elements.emplace_back(std::move(text));
  return array;
}

static json markerColors(const MarkerState &state) {
  return state.numericColors ? json(state.colorValues) : json(state.colorNames);
}
static json markerColors(MarkerState &&state) {
  return state.numericColors ? json(state.colorValues)
                             : stringArray(std::move(state.colorNames));
}

static const char *scatterType(const RenderModel &model) {
  return model.nodes.size() >= kScatterGlThreshold ? "scattergl" : "scatter";
}

/// The edge polylines as one line trace's x and y, separated by nulls.
static std::pair<json, json> edgeArrays(const RenderModel &model) {
  json xs = json::array(), ys = json::array();
  for (const RenderEdge &edge : model.edges) {
    for (const auto &point : edge.points) {
      xs.push_back(point[0]);
      ys.push_back(point[1]);
    }
    xs.push_back(nullptr);
    ys.push_back(nullptr);
  }
  return {xs, ys};
}

static json axisStyle(json domain, json range, bool fixed) {
  json axis = {{"domain", std::move(domain)}, {"range", std::move(range)},
               {"showgrid", false},           {"zeroline", false},
               {"showticklabels", false},     {"showline", false}};
  if (fixed)
    axis["fixedrange"] = true;
  return axis;
}

json mav::buildPlotlyFigure(const RenderModel &model, const ViewOptions &view) {
  ViewGeometry geometry = computeGeometry(model, view);
  unsigned active = getActiveState(model, view);
  const char *type = scatterType(model);

  // Horizontal domains, left to right: overview, main graph, table.
  double mainLeft = view.overview ? 0.14 : 0.0;
  double mainRight = view.table ? 0.58 : 1.0;

  json data = json::array();
  // Not a structured binding: clang 14 cannot capture one in a lambda.
  std::pair<json, json> edgeXY = edgeArrays(model);
  const json &edgeXs = edgeXY.first, &edgeYs = edgeXY.second;
  json hover = json::array(), opacity = json::array(),
       lineColors = json::array(), lineWidths = json::array();
  for (uint32_t i = 0; i < model.nodes.size(); ++i) {
    const RenderNode &node = model.nodes[i];
    hover.push_back(model.getHoverText(i));
    opacity.push_back(node.status == attrs::kStatusNotRun ? kNotRunOpacity
                                                          : 1.0);
    bool failedNode = node.status == attrs::kStatusFailed;
    bool notRun = node.status == attrs::kStatusNotRun;
    // A failed node is outlined in its own colour (the Error colour the
    // color pass chose), thicker than the others.
    lineColors.push_back(failedNode ? node.color
                         : notRun   ? kNotRunOutlineColor
                                    : "#FFFFFF");
    lineWidths.push_back(failedNode ? 2 : notRun ? 1 : 0.5);
  }
  json xs = json::array(), ys = json::array();
  for (const RenderNode &node : model.nodes) {
    xs.push_back(roundForOutput(node.x));
    ys.push_back(roundForOutput(node.y));
  }

  auto nodeTrace = [&](bool overview) {
    MarkerState state = model.getMarkerState(active, overview);
    json marker = {{"size", state.sizes},
                   {"color", markerColors(state)},
                   {"colorscale", view.colorscale},
                   {"cmin", 0},
                   {"cmax", 1},
                   {"opacity", opacity},
                   {"line", {{"color", lineColors}, {"width", lineWidths}}}};
    json trace = {{"type", type},
                  {"mode", "markers"},
                  {"name", overview ? "overview nodes" : "nodes"},
                  {"x", xs},
                  {"y", ys},
                  {"marker", std::move(marker)},
                  {"showlegend", false},
                  {"xaxis", overview ? "x2" : "x"},
                  {"yaxis", overview ? "y2" : "y"}};
    if (overview) {
      trace["hoverinfo"] = "skip";
    } else {
      trace["text"] = hover;
      trace["hoverinfo"] = "text";
    }
    return trace;
  };
  auto edgeTrace = [&](bool overview) {
    return json{{"type", type},
                {"mode", "lines"},
                {"name", overview ? "overview edges" : "edges"},
                {"x", edgeXs},
                {"y", edgeYs},
                {"line", {{"color", kEdgeColor}, {"width", 1}}},
                {"hoverinfo", "skip"},
                {"showlegend", false},
                {"xaxis", overview ? "x2" : "x"},
                {"yaxis", overview ? "y2" : "y"}};
  };

  std::vector<int> nodeTraces;
  if (view.overview) {
    data.push_back(edgeTrace(true));
    nodeTraces.push_back(static_cast<int>(data.size()));
    data.push_back(nodeTrace(true));
  }
  // With the group pass's groups, the main graph has a drawing per depth
  // (GroupDrawing.h): its edges, nodes and collapsed groups, of which the
  // depth dropdown shows one. Without them, one drawing of every node.
  std::vector<int> mainNodeTraces;
  std::vector<std::vector<int>> depthTraces;
  int64_t shownDepth = 0;
  if (model.groups.empty()) {
    data.push_back(edgeTrace(false));
    mainNodeTraces.push_back(static_cast<int>(data.size()));
    data.push_back(nodeTrace(false));
  } else {
    for (const RenderGroup &group : model.groups)
      if (group.expanded)
        shownDepth = std::max(shownDepth, group.depth);
    for (int64_t d = 0; d <= getMaxGroupDepth(model); ++d) {
      GroupDrawing drawing = drawGroupsAtDepth(model, d);
      bool visible = d == shownDepth;
      std::vector<int> traces;
      json edgeX = json::array(), edgeY = json::array();
      for (const std::vector<Point> &line : drawing.edges) {
        for (const Point &p : line) {
          edgeX.push_back(roundForOutput(p[0]));
          edgeY.push_back(roundForOutput(p[1]));
        }
        edgeX.push_back(nullptr);
        edgeY.push_back(nullptr);
      }
      json edges = edgeTrace(false);
      edges["x"] = std::move(edgeX);
      edges["y"] = std::move(edgeY);
      edges["visible"] = visible;
      traces.push_back(static_cast<int>(data.size()));
      data.push_back(std::move(edges));
      json nodeX = json::array(), nodeY = json::array();
      for (const std::optional<Point> &p : drawing.nodes) {
        nodeX.push_back(p ? json(roundForOutput((*p)[0])) : json());
        nodeY.push_back(p ? json(roundForOutput((*p)[1])) : json());
      }
      json nodesAtDepth = nodeTrace(false);
      nodesAtDepth["x"] = std::move(nodeX);
      nodesAtDepth["y"] = std::move(nodeY);
      nodesAtDepth["visible"] = visible;
      traces.push_back(static_cast<int>(data.size()));
      mainNodeTraces.push_back(static_cast<int>(data.size()));
      data.push_back(std::move(nodesAtDepth));
      json itemX = json::array(), itemY = json::array(), labels = json::array(),
           itemHover = json::array();
      for (size_t k = 0; k < drawing.items.size(); ++k) {
        itemX.push_back(roundForOutput(drawing.itemPositions[k][0]));
        itemY.push_back(roundForOutput(drawing.itemPositions[k][1]));
        labels.push_back(
            escapePlotlyText(model.getGroupLabel(drawing.items[k])));
        std::vector<std::string> lines =
            model.getGroupHoverLines(drawing.items[k]);
        std::string text;
        for (const std::string &line : lines)
          text += (text.empty() ? "" : "<br>") + escapePlotlyText(line);
        itemHover.push_back(std::move(text));
      }
      traces.push_back(static_cast<int>(data.size()));
      data.push_back({{"type", "scatter"},
                      {"mode", "markers+text"},
                      {"name", "groups"},
                      {"x", std::move(itemX)},
                      {"y", std::move(itemY)},
                      {"text", std::move(labels)},
                      {"textposition", "middle right"},
                      {"hovertext", std::move(itemHover)},
                      {"hoverinfo", "text"},
                      {"marker",
                       {{"symbol", "square"},
                        {"size", 16},
                        {"color", "#D9D9D9"},
                        {"line", {{"color", "#555555"}, {"width", 1.5}}}}},
                      {"showlegend", false},
                      {"visible", visible},
                      {"xaxis", "x"},
                      {"yaxis", "y"}});
      depthTraces.push_back(std::move(traces));
    }
  }
  // Restyle the main traces first, then the overview's.
  nodeTraces.insert(nodeTraces.begin(), mainNodeTraces.begin(),
                    mainNodeTraces.end());

  if (view.table) {
    json header = json::array(), columns = json::array();
    for (const std::string &title : model.getTableHeader())
      header.push_back("<b>" + escapePlotlyText(title) + "</b>");
    for (size_t c = 0; c < 5; ++c)
      columns.push_back(json::array());
    for (uint32_t i = 0; i < model.nodes.size(); ++i) {
      std::vector<std::string> row = model.getTableRow(i);
      for (size_t c = 0; c < row.size(); ++c)
        columns[c].push_back(escapePlotlyText(row[c]));
    }
    data.push_back(
        {{"type", "table"},
         {"name", "table"},
         {"domain",
          {{"x", {roundForOutput(mainRight + 0.02), 1.0}}, {"y", {0, 1}}}},
         {"columnwidth", {3, 3, 3, 2, 3}},
         {"header",
          {{"values", header},
           {"align", "left"},
           {"fill", {{"color", "#E8E8E8"}}}}},
         {"cells", {{"values", columns}, {"align", "left"}}}});
  }

  json layout = {
      {"title", {{"text", escapePlotlyText(model.title)}, {"x", 0.5}}},
      {"showlegend", false},
      {"hovermode", "closest"},
      {"height", 700},
      {"margin", {{"l", 10}, {"r", 10}, {"t", 70}, {"b", 10}}},
      {"plot_bgcolor", "#FFFFFF"},
      {"paper_bgcolor", "#FFFFFF"},
      {"xaxis",
       axisStyle({mainLeft, mainRight}, xRange(geometry.mainX), false)},
      {"yaxis", axisStyle({0, 1}, yRange(geometry.mainY), false)},
  };
  layout["xaxis"]["anchor"] = "y";
  layout["yaxis"]["anchor"] = "x";
  if (view.overview) {
    layout["xaxis2"] = axisStyle({0, roundForOutput(mainLeft - 0.02)},
                                 xRange(geometry.fullX), true);
    layout["yaxis2"] = axisStyle({0, 1}, yRange(geometry.fullY), true);
    layout["xaxis2"]["anchor"] = "y2";
    layout["yaxis2"]["anchor"] = "x2";
  }

  // The dropdown: each entry restyles the main and overview node traces.
  json buttons = json::array();
  for (unsigned s = 0; s < kSizeColorStates.size(); ++s) {
    json sizes = json::array(), colors = json::array();
    for (bool overview : {false, true}) {
      if (overview && !view.overview)
        continue;
      MarkerState state = model.getMarkerState(s, overview);
      json stateSizes = state.sizes, stateColors = markerColors(state);
      for (size_t k = 0; k < (overview ? 1 : mainNodeTraces.size()); ++k) {
        sizes.push_back(stateSizes);
        colors.push_back(stateColors);
      }
    }
    buttons.push_back(
        {{"label", kSizeColorStates[s].label},
         {"method", "restyle"},
         {"args",
          {{{"marker.size", sizes}, {"marker.color", colors}}, nodeTraces}}});
  }
  layout["updatemenus"] = {{{"type", "dropdown"},
                            {"active", active},
                            {"buttons", buttons},
                            {"showactive", true},
                            {"x", 0},
                            {"xanchor", "left"},
                            {"y", 1.01},
                            {"yanchor", "bottom"}}};
  if (!depthTraces.empty()) {
    // The depth dropdown: each entry shows one depth's drawing.
    json depthButtons = json::array();
    int64_t deepest = static_cast<int64_t>(depthTraces.size()) - 1;
    for (int64_t d = 0; d <= deepest; ++d) {
      json visible = json::array();
      for (size_t t = 0; t < data.size(); ++t) {
        bool atSomeDepth = false, atThisDepth = false;
        for (size_t k = 0; k < depthTraces.size(); ++k)
          for (int trace : depthTraces[k])
            if (static_cast<size_t>(trace) == t) {
              atSomeDepth = true;
              atThisDepth = static_cast<int64_t>(k) == d;
            }
        visible.push_back(!atSomeDepth || atThisDepth);
      }
      depthButtons.push_back(
          {{"label", d == 0         ? std::string("Collapse all")
                     : d == deepest ? std::string("Expand all")
                                    : fmt::format("Expand to depth {}", d)},
           {"method", "restyle"},
           {"args", {{{"visible", std::move(visible)}}}}});
    }
    layout["updatemenus"].push_back({{"type", "dropdown"},
                                     {"active", shownDepth},
                                     {"buttons", std::move(depthButtons)},
                                     {"showactive", true},
                                     {"x", 0.3},
                                     {"xanchor", "left"},
                                     {"y", 1.01},
                                     {"yanchor", "bottom"}});
  }

  if (view.slider) {
    const char *axis = model.levelsAlongY ? "yaxis" : "xaxis";
    const char *low = model.levelsAlongY ? "shapes[0].y0" : "shapes[0].x0";
    const char *high = model.levelsAlongY ? "shapes[0].y1" : "shapes[0].x1";
    json steps = json::array();
    for (size_t k = 0; k < geometry.sliderStarts.size(); ++k) {
      AxisRange window = {geometry.sliderStarts[k],
                          geometry.sliderStarts[k] + geometry.window};
      json update = {{std::string(axis) + ".range",
                      model.levelsAlongY ? yRange(window) : xRange(window)}};
      if (view.overview) {
        update[low] = roundForOutput(window.low);
        update[high] = roundForOutput(window.high);
      }
      steps.push_back({{"label", std::to_string(k)},
                       {"method", "relayout"},
                       {"args", {update}}});
    }
    layout["sliders"] = {{{"active", 0},
                          {"steps", steps},
                          {"currentvalue", {{"prefix", "First level: "}}},
                          {"x", mainLeft},
                          {"len", roundForOutput(mainRight - mainLeft)},
                          {"y", 0},
                          {"yanchor", "top"},
                          {"pad", {{"t", 10}}}}};
    layout["margin"]["b"] = 80;
    if (view.overview) {
      AxisRange wx = geometry.mainX, wy = geometry.mainY;
      layout["shapes"] = {{{"type", "rect"},
                           {"xref", "x2"},
                           {"yref", "y2"},
                           {"x0", roundForOutput(wx.low)},
                           {"x1", roundForOutput(wx.high)},
                           {"y0", roundForOutput(wy.low)},
                           {"y1", roundForOutput(wy.high)},
                           {"line", {{"color", kWindowColor}, {"width", 1}}},
                           {"fillcolor", kWindowFill}}};
    }
  }
  return {{"data", std::move(data)}, {"layout", std::move(layout)}};
}

json mav::buildWidgetSpec(const RenderModel &model, const ViewOptions &view) {
  ViewGeometry geometry = computeGeometry(model, view);
  unsigned active = getActiveState(model, view);

  // Nodes and edges are most of the document: they are columns (one array
  // per field, filled in place) rather than an object per node, which in
  // nlohmann is a std::map with an allocation per member. The text a node
  // shows (hover lines, the table's counts) is composed here, by the
  // RenderModel's rules, and the front end only displays it. Hover lines
  // are plain text, not the figure's Plotly markup: in the HTML page every
  // `<br>` would be written `\u003cbr\u003e`, 10 bytes a line more.
  size_t count = model.nodes.size();
  auto column = [count]() {
    json array = json::array();
    array.get_ref<json::array_t &>().reserve(count);
    return array;
  };
  auto list = [](json &array) -> json::array_t & {
    return array.get_ref<json::array_t &>();
  };
  json names = column(), ops = column(), categories = column(),
       colors = column(), statuses = column(), errors = column(), xs = column(),
       ys = column(), levelList = column(), parents = column(),
       params = column(), flops = column(), activations = column(),
       argCounts = column(), args = json::array(), hovers = column(),
       paramsTexts = column(), flopsTexts = column(), groupOf = column();
  for (uint32_t i = 0; i < count; ++i) {
    const RenderNode &node = model.nodes[i];
    list(names).emplace_back(node.name);
    list(ops).emplace_back(node.op);
    list(categories).emplace_back(node.category);
    list(colors).emplace_back(node.color);
    list(statuses).emplace_back(node.status);
    list(errors).emplace_back(node.error);
    list(xs).emplace_back(roundForOutput(node.x));
    list(ys).emplace_back(roundForOutput(node.y));
    list(levelList).emplace_back(node.level);
    list(parents).emplace_back(node.parent ? json(*node.parent) : json());
    list(params).emplace_back(node.params);
    list(flops).emplace_back(node.flops);
    list(activations).emplace_back(model.getActivationsCell(i));
    list(argCounts).emplace_back(node.args.size());
    for (const std::string &line : node.args)
      list(args).emplace_back(line);
    list(hovers).emplace_back(stringArray(model.getHoverLines(i)));
    list(paramsTexts).emplace_back(formatThousands(node.params));
    list(flopsTexts).emplace_back(formatThousands(node.flops));
    list(groupOf).emplace_back(node.group ? json(*node.group) : json());
  }
  json::object_t nodes;
  nodes.emplace("activations", std::move(activations));
  nodes.emplace("args", std::move(args));
  nodes.emplace("argCount", std::move(argCounts));
  nodes.emplace("category", std::move(categories));
  nodes.emplace("color", std::move(colors));
  nodes.emplace("error", std::move(errors));
  nodes.emplace("flops", std::move(flops));
  nodes.emplace("flopsText", std::move(flopsTexts));
  nodes.emplace("group", std::move(groupOf));
  nodes.emplace("hover", std::move(hovers));
  nodes.emplace("level", std::move(levelList));
  nodes.emplace("name", std::move(names));
  nodes.emplace("op", std::move(ops));
  nodes.emplace("params", std::move(params));
  nodes.emplace("paramsText", std::move(paramsTexts));
  nodes.emplace("parent", std::move(parents));
  nodes.emplace("status", std::move(statuses));
  nodes.emplace("x", std::move(xs));
  nodes.emplace("y", std::move(ys));

  // An edge's polyline starts and ends at its nodes' positions; only the
  // points in between (the bends of a skip connection) are stored.
  size_t edgeCount = model.edges.size();
  json sources = json::array(), targets = json::array(), bends = json::array(),
       bendXs = json::array(), bendYs = json::array();
  list(sources).reserve(edgeCount);
  list(targets).reserve(edgeCount);
  list(bends).reserve(edgeCount);
  for (const RenderEdge &edge : model.edges) {
    list(sources).emplace_back(edge.source);
    list(targets).emplace_back(edge.target);
    size_t inner = edge.points.size() >= 2 ? edge.points.size() - 2 : 0;
    list(bends).emplace_back(inner);
    for (size_t k = 1; k <= inner; ++k) {
      list(bendXs).emplace_back(edge.points[k][0]);
      list(bendYs).emplace_back(edge.points[k][1]);
    }
  }
  json::object_t edges;
  edges.emplace("bendX", std::move(bendXs));
  edges.emplace("bendY", std::move(bendYs));
  edges.emplace("bends", std::move(bends));
  edges.emplace("source", std::move(sources));
  edges.emplace("target", std::move(targets));

  // The group pass's groups (docs/Widget.md, "Groups"), as columns.
  json groupPaths = json::array(), groupLabels = json::array(),
       groupDepths = json::array(), groupParents = json::array(),
       groupFolds = json::array(), groupFoldOf = json::array(),
       groupExpanded = json::array(), groupHovers = json::array(),
       groupParams = json::array(), groupFlops = json::array(),
       groupClasses = json::array(), groupParamsTexts = json::array(),
       groupFlopsTexts = json::array();
  for (uint32_t g = 0; g < model.groups.size(); ++g) {
    const RenderGroup &group = model.groups[g];
    list(groupPaths).emplace_back(group.path);
    list(groupLabels).emplace_back(model.getGroupLabel(g));
    list(groupDepths).emplace_back(group.depth);
    list(groupParents)
        .emplace_back(group.parent ? json(*group.parent) : json());
    list(groupFolds).emplace_back(group.fold);
    list(groupFoldOf).emplace_back(group.foldOf ? json(*group.foldOf) : json());
    list(groupExpanded).emplace_back(group.expanded);
    list(groupHovers).emplace_back(stringArray(model.getGroupHoverLines(g)));
    list(groupParams).emplace_back(group.params);
    list(groupFlops).emplace_back(group.flops);
    list(groupClasses).emplace_back(group.className);
    list(groupParamsTexts).emplace_back(formatThousands(group.params));
    list(groupFlopsTexts).emplace_back(formatThousands(group.flops));
  }
  json::object_t groups;
  groups.emplace("className", std::move(groupClasses));
  groups.emplace("depth", std::move(groupDepths));
  groups.emplace("expanded", std::move(groupExpanded));
  groups.emplace("flops", std::move(groupFlops));
  groups.emplace("flopsText", std::move(groupFlopsTexts));
  groups.emplace("fold", std::move(groupFolds));
  groups.emplace("foldOf", std::move(groupFoldOf));
  groups.emplace("hover", std::move(groupHovers));
  groups.emplace("label", std::move(groupLabels));
  groups.emplace("params", std::move(groupParams));
  groups.emplace("paramsText", std::move(groupParamsTexts));
  groups.emplace("parent", std::move(groupParents));
  groups.emplace("path", std::move(groupPaths));

  json states = json::array();
  for (unsigned s = 0; s < kSizeColorStates.size(); ++s) {
    const SizeColorState &entry = kSizeColorStates[s];
    json state = {
        {"label", entry.label},
        {"size", entry.size == SizeMetric::Params ? "params" : "flops"},
        {"color", entry.color == ColorMetric::Operation ? "operation"
                  : entry.color == ColorMetric::Flops   ? "flops"
                                                        : "params"}};
    for (bool overview : {false, true}) {
      MarkerState marker = model.getMarkerState(s, overview);
      if (marker.numericColors && !overview) {
        // The colour bar's ends (the legend): values, and as the table
        // writes them.
        state["colorRange"] = {marker.colorLow, marker.colorHigh};
        state["colorRangeText"] = {
            formatThousands(countFromDouble(marker.colorLow)),
            formatThousands(countFromDouble(marker.colorHigh))};
      }
      json::object_t markers;
      markers.emplace("color", markerColors(std::move(marker)));
      markers.emplace("size", json(marker.sizes));
      state[overview ? "overview" : "main"] = std::move(markers);
    }
    states.push_back(std::move(state));
  }

  AxisRange levels = model.levelsAlongY ? geometry.fullY : geometry.fullX;
  return {
      {"version", kWidgetSpecVersion},
      {"generator", "mav-render"},
      {"title", model.title},
      {"direction", model.direction},
      {"levelAxis", model.levelsAlongY ? "y" : "x"},
      {"traceType", scatterType(model)},
      {"bounds",
       {{"x", xRange(geometry.fullX)},
        {"y",
         {roundForOutput(geometry.fullY.low),
          roundForOutput(geometry.fullY.high)}}}},
      {"view",
       {{"x", xRange(geometry.mainX)},
        {"y",
         {roundForOutput(geometry.mainY.low),
          roundForOutput(geometry.mainY.high)}}}},
      {"totals", {{"params", model.totalParams}, {"flops", model.totalFlops}}},
      {"nodes", json(std::move(nodes))},
      {"edges", json(std::move(edges))},
      {"groups", json(std::move(groups))},
      {"overview", {{"enabled", view.overview}}},
      {"table", {{"enabled", view.table}, {"columns", model.getTableHeader()}}},
      {"slider",
       {{"enabled", view.slider},
        {"min", roundForOutput(levels.low)},
        {"max", roundForOutput(levels.high)},
        {"levelsShown", view.levelsShown},
        {"window", roundForOutput(geometry.window)}}},
      {"menu",
       {{"active", active},
        {"colorscale", view.colorscale},
        {"states", std::move(states)}}},
      {"style",
       {{"edgeColor", kEdgeColor},
        {"notRunOpacity", kNotRunOpacity},
        {"notRunOutlineColor", kNotRunOutlineColor},
        {"mainSizeRange", {kMainMinSize, kMainMaxSize}},
        {"overviewSizeRange", {kOverviewMinSize, kOverviewMaxSize}}}},
  };
}
