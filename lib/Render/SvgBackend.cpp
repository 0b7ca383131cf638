//===- SvgBackend.cpp - `mav-render --svg` --------------------------------===//
//
// The whole architecture as one SVG picture, for papers and READMEs: every
// node (sized and coloured as the dropdown entry `--size-color` says) with
// its operation beside it, the edges, the title and the legend. It is the
// picture the page's SVG button saves (lib/Render/web/app/export.js), byte
// for byte, for the same dropdown entry: test/browser/usability.test
// compares them. Colouring by a count uses the page's default colorscale,
// Bluered.
//
//===----------------------------------------------------------------------===//

#include "mav/IR/ModelAttributes.h"
#include "mav/Render/Backend.h"
#include "mav/Render/Figure.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

using namespace mav;

namespace {

/// Geometry of the picture, in pixels: per data unit along x and y when
/// levels run down/up (`down`) or right/left, and the margins.
struct SvgScale {
  double sx, sy;
  double pad = 24, top = 44;
};

/// Text from the model in SVG text and double-quoted attributes.
std::string xml(std::string_view text) { return escapeHtml(text); }

/// A coordinate to a tenth of a pixel, written as JavaScript writes
/// Math.round(v * 10) / 10 (the page's export): shortest form, no `.0`.
std::string number(double value) {
  return fmt::format("{}", std::floor(value * 10 + 0.5) / 10);
}

/// Bluered at t in [0, 1]: blue to red in RGB, rounded as Plotly does.
std::string blueRed(double t) {
  t = std::clamp(t, 0.0, 1.0);
  auto channel = [](double from, double to, double f) {
    return static_cast<int>(std::floor(from + (to - from) * f + 0.5));
  };
  return fmt::format("rgb({},{},{})", channel(0, 255, t), 0,
                     channel(255, 0, t));
}

/// The first `limit` characters of UTF-8 `text`, and `…` when cut.
std::string shortLabel(std::string_view text, size_t limit) {
  size_t chars = 0, cut = std::string_view::npos;
  for (size_t i = 0; i < text.size(); ++i) {
    if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80)
      continue;
    if (chars == limit - 1)
      cut = i;
    ++chars;
  }
  if (chars <= limit)
    return std::string(text);
  return std::string(text.substr(0, cut)) + "\u2026";
}

struct LegendEntry {
  std::string op, color;
  size_t count = 0;
};

/// One entry per operation and colour, most nodes first, then by name.
std::vector<LegendEntry> getLegendEntries(const RenderModel &model) {
  std::map<std::pair<std::string, std::string>, size_t> index;
  std::vector<LegendEntry> entries;
  for (const RenderNode &node : model.nodes) {
    auto [it, inserted] =
        index.try_emplace({node.op, node.color}, entries.size());
    if (inserted)
      entries.push_back({node.op, node.color, 0});
    ++entries[it->second].count;
  }
  std::stable_sort(entries.begin(), entries.end(),
                   [](const LegendEntry &a, const LegendEntry &b) {
                     if (a.count != b.count)
                       return a.count > b.count;
                     return a.op < b.op;
                   });
  return entries;
}

std::string buildSvg(const RenderModel &model, unsigned state) {
  const SizeColorState &entry = kSizeColorStates[state];
  MarkerState markers = model.getMarkerState(state, /*overview=*/false);
  bool down = model.levelsAlongY;
  SvgScale scale{down ? 150.0 : 120.0, down ? 26.0 : 44.0};
  double bx0 = roundForOutput(model.minX - kBoundsMargin);
  double bx1 = roundForOutput(model.maxX + kBoundsMargin);
  double by0 = roundForOutput(model.minY - kBoundsMargin);
  double by1 = roundForOutput(model.maxY + kBoundsMargin);
  double graphWidth = (bx1 - bx0) * scale.sx + (down ? 110 : 0);
  double graphHeight = (by1 - by0) * scale.sy + (down ? 0 : 16);
  auto px = [&](double x) { return scale.pad + (x - bx0) * scale.sx; };
  auto py = [&](double y) { return scale.top + (y - by0) * scale.sy; };

  // The legend, right of the graph.
  std::vector<std::string> legend;
  int64_t lx = static_cast<int64_t>(std::ceil(scale.pad + graphWidth + 20));
  int64_t ly = static_cast<int64_t>(scale.top);
  int64_t legendHeight = 0;
  if (entry.color == ColorMetric::Operation) {
    legend.push_back(fmt::format(
        "<text x=\"{}\" y=\"{}\" font-weight=\"600\">Colour: operation</text>",
        lx, ly + 10));
    std::vector<LegendEntry> entries = getLegendEntries(model);
    for (size_t k = 0; k < entries.size(); ++k) {
      int64_t y = ly + 28 + static_cast<int64_t>(k) * 18;
      legend.push_back(fmt::format(
          "<circle cx=\"{}\" cy=\"{}\" r=\"5\" fill=\"{}\"/><text x=\"{}\" "
          "y=\"{}\">{} ({})</text>",
          lx + 6, y - 4, xml(entries[k].color), lx + 18, y, xml(entries[k].op),
          entries[k].count));
    }
    legendHeight = 28 + static_cast<int64_t>(entries.size()) * 18;
  } else {
    std::string stops;
    for (int k = 0; k <= 10; ++k)
      stops += fmt::format("<stop offset=\"{}\" stop-color=\"{}\"/>", k / 10.0,
                           blueRed(k / 10.0));
    const char *metric =
        entry.color == ColorMetric::Flops ? "FLOPS" : "parameters";
    legend.push_back(fmt::format("<text x=\"{}\" y=\"{}\" "
                                 "font-weight=\"600\">Colour: {} (log "
                                 "scale)</text>",
                                 lx, ly + 10, metric));
    legend.push_back("<defs><linearGradient id=\"mav-colorbar\">" + stops +
                     "</linearGradient></defs>");
    legend.push_back(fmt::format("<rect x=\"{}\" y=\"{}\" width=\"200\" "
                                 "height=\"12\" fill=\"url(#mav-colorbar)\"/>",
                                 lx, ly + 20));
    legend.push_back(
        fmt::format("<text x=\"{}\" y=\"{}\">{}</text>", lx, ly + 48,
                    xml(formatThousands(countFromDouble(markers.colorLow)))));
    legend.push_back(fmt::format(
        "<text x=\"{}\" y=\"{}\" text-anchor=\"end\">{}</text>", lx + 200,
        ly + 48, xml(formatThousands(countFromDouble(markers.colorHigh)))));
    legendHeight = 56;
  }

  int64_t width = lx + 220;
  auto height = static_cast<int64_t>(
      std::ceil(std::max(scale.top + graphHeight,
                         static_cast<double>(ly + legendHeight)) +
                scale.pad));
  std::string out = fmt::format(
      "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{0}\" "
      "height=\"{1}\" viewBox=\"0 0 {0} {1}\" font-family=\"sans-serif\" "
      "font-size=\"11\" fill=\"#222\">\n",
      width, height);
  out += "<rect width=\"100%\" height=\"100%\" fill=\"#FFFFFF\"/>\n";
  out += fmt::format("<text x=\"{}\" y=\"26\" font-size=\"16\" "
                     "font-weight=\"600\">{}</text>\n",
                     scale.pad, xml(model.title));

  // Edges: from the source node through the bends to the target node.
  out += fmt::format("<path fill=\"none\" stroke=\"{}\" stroke-width=\"1\" "
                     "d=\"",
                     kEdgeColor);
  for (const RenderEdge &edge : model.edges) {
    const RenderNode &source = model.nodes[edge.source];
    const RenderNode &target = model.nodes[edge.target];
    auto point = [&](char command, double x, double y) {
      out += command;
      out += number(px(x));
      out += ' ';
      out += number(py(y));
    };
    point('M', roundForOutput(source.x), roundForOutput(source.y));
    for (size_t k = 1; k + 1 < edge.points.size(); ++k)
      point('L', edge.points[k][0], edge.points[k][1]);
    point('L', roundForOutput(target.x), roundForOutput(target.y));
  }
  out += "\"/>\n";

  std::string labels;
  for (size_t i = 0; i < model.nodes.size(); ++i) {
    const RenderNode &node = model.nodes[i];
    bool failedNode = node.status == attrs::kStatusFailed;
    bool notRun = node.status == attrs::kStatusNotRun;
    double r = markers.sizes[i] / 2;
    double cx = px(roundForOutput(node.x)), cy = py(roundForOutput(node.y));
    std::string fill = markers.numericColors ? blueRed(markers.colorValues[i])
                                             : markers.colorNames[i];
    out += fmt::format("<circle cx=\"{}\" cy=\"{}\" r=\"{}\" fill=\"{}\"",
                       number(cx), number(cy), number(r), xml(fill));
    if (notRun)
      out += fmt::format(" fill-opacity=\"{}\"", kNotRunOpacity);
    out += fmt::format(" stroke=\"{}\" stroke-width=\"{}\"/>\n",
                       xml(failedNode ? node.color
                           : notRun   ? kNotRunOutlineColor
                                      : "#FFFFFF"),
                       failedNode ? 2
                       : notRun   ? 1
                                  : 0.5);
    if (node.parent)
      continue; // merged into the node above
    std::string text = xml(shortLabel(node.op, 24));
    if (down)
      labels += fmt::format("<text x=\"{}\" y=\"{}\">{}</text>\n",
                            number(cx + r + 4), number(cy + 4), text);
    else
      labels += fmt::format(
          "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\">{}</text>\n",
          number(cx), number(cy + r + 12), text);
  }
  out += labels;
  for (const std::string &line : legend) {
    out += line;
    out += '\n';
  }
  out += "</svg>\n";
  return out;
}

class SvgBackend : public Backend {
public:
  explicit SvgBackend(const PassOptions &options) : options(options) {}

  LogicalResult render(const Graph &graph, std::string &output,
                       DiagnosticEngine &diags) override {
    ViewOptions view;
    RenderModel model;
    if (failed(readViewOptions(options, view, diags)) ||
        failed(buildRenderModel(graph, model, diags)))
      return failure();
    output = buildSvg(model, getActiveState(model, view));
    return success();
  }

private:
  PassOptions options;
};

} // namespace

void mav::registerSvgBackend(BackendRegistry &registry) {
  BackendInfo info;
  info.name = "svg";
  info.summary = "The whole graph as one SVG picture with its legend, as the "
                 "page's SVG button saves it";
  info.options.push_back(getSizeColorOptionInfo("Dropdown entry to draw,"));
  info.factory = [](const PassOptions &options) {
    return std::make_unique<SvgBackend>(options);
  };
  registry.registerBackend(std::move(info));
}
