//===- RenderModel.cpp - What every backend draws, read from the IR -------===//
//
// Reads the attributes of the cost, merge, layout and color passes into a
// RenderModel. The rules that shape IDLMAV's figure live here: the log2 size
// scale, hover text, the Activations spelling `(1,64,56,56)`, thousands
// separated by spaces, and the skip-connection polylines built from
// `layout.operand_offsets`. They are the only copy: the Plotly figure and
// the widget spec carry the text they produce, and the HTML front end
// displays the spec's strings without formatting anything itself.
//
//===----------------------------------------------------------------------===//

#include "mav/Render/RenderModel.h"

#include "mav/Analysis/ParamCountAnalysis.h"
#include "mav/IR/ModelAttributes.h"
#include "mav/IR/Printer.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>

#include <fmt/format.h>

using namespace mav;

double mav::roundForOutput(double value) {
  if (!std::isfinite(value))
    return 0;
  double rounded = std::round(value * 1e6) / 1e6;
  return rounded == 0 ? 0.0 : rounded; // no "-0.0"
}

double mav::scaleLog2(double value, double smallestPositive, double largest,
                      double minSize, double maxSize) {
  // As IDLMAV: with nothing positive, or a range under 0.01 octaves, every
  // node gets the middle of the scale (two nodes of 1000 and 1001 params
  // must not come out as smallest and largest); otherwise values are
  // clipped to [smallest positive, largest], so zero maps to the minimum.
  double middle = (minSize + maxSize) / 2;
  if (!(smallestPositive > 0) || !(largest >= smallestPositive))
    return middle;
  double low = std::log2(smallestPositive), high = std::log2(largest);
  if (!(high - low >= 0.01))
    return middle;
  double clipped = std::clamp(value, smallestPositive, largest);
  double t = (std::log2(clipped) - low) / (high - low);
  return minSize + (maxSize - minSize) * t;
}

int64_t mav::countFromDouble(double value) {
  constexpr double kTwoTo63 = 9223372036854775808.0;
  if (std::isnan(value))
    return 0;
  if (value >= kTwoTo63)
    return INT64_MAX;
  if (value < -kTwoTo63)
    return INT64_MIN;
  return static_cast<int64_t>(value);
}

std::string mav::formatThousands(int64_t value) {
  std::string digits = std::to_string(value);
  size_t start = digits[0] == '-' ? 1 : 0;
  std::string out = digits.substr(0, start);
  for (size_t i = start; i < digits.size(); ++i) {
    if (i > start && (digits.size() - i) % 3 == 0)
      out += ' ';
    out += digits[i];
  }
  return out;
}

std::string mav::escapeHtml(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

void mav::appendPlotlyText(std::string &out, std::string_view text) {
  for (char c : text) {
    if (c == '&')
      out += "&amp;";
    else if (c == '<')
      out += "&lt;";
    else if (c == '>')
      out += "&gt;";
    else
      out += c;
  }
}

std::string mav::escapePlotlyText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  appendPlotlyText(out, text);
  return out;
}

/// `(1,64,56,56)` for a tensor, the IR spelling for anything else.
static void formatActivation(const Type &type, std::string &out) {
  if (!type.isRanked()) {
    out += type.str();
    return;
  }
  out += '(';
  const std::vector<int64_t> &dims = type.getDims();
  for (size_t i = 0; i < dims.size(); ++i) {
    if (i)
      out += ',';
    out += dims[i] == kUnknownDim ? std::string("?") : std::to_string(dims[i]);
  }
  out += ')';
}

/// The shapes a node produces; for an `output` node (no results), the
/// shapes it receives, i.e. the model's outputs, as IDLMAV shows them.
static std::string formatActivations(const Graph &graph, const Node &node) {
  std::string out;
  if (node.isOutput()) {
    for (size_t i = 0; i < node.operands.size(); ++i) {
      if (i)
        out += ", ";
      ValueRef ref = node.operands[i];
      formatActivation(graph.getNode(ref.node).resultTypes[ref.result], out);
    }
    return out;
  }
  for (size_t i = 0; i < node.resultTypes.size(); ++i) {
    if (i)
      out += ", ";
    formatActivation(node.resultTypes[i], out);
  }
  return out;
}

/// Reads a numeric position attribute; reports a diagnostic when it is
/// missing or not a number.
static LogicalResult readCoordinate(const Graph &graph, uint32_t index,
                                    std::string_view key, double &value,
                                    DiagnosticEngine &diags) {
  const Node &node = graph.getNode(index);
  const Attribute *attr = node.attrs.get(key);
  if (!attr) {
    diags.error(graph.getSourceLoc(index),
                fmt::format("node '%{}' has no '{}': run the layout pass "
                            "before rendering (mav-render runs it only when "
                            "no node has a position)",
                            node.name, key));
    return failure();
  }
  if (!attr->isNumber() || !std::isfinite(attr->getNumber())) {
    diags.error(graph.getSourceLoc(index),
                fmt::format("'{}' of node '%{}' must be a finite number", key,
                            node.name));
    return failure();
  }
  value = attr->getNumber();
  return success();
}

static bool isHexColor(std::string_view color) {
  if (color.size() != 7 || color[0] != '#')
    return false;
  return std::all_of(color.begin() + 1, color.end(),
                     [](char c) { return std::isxdigit((unsigned char)c); });
}

/// The node's `args` as `name: value` lines.
static std::vector<std::string> buildArgLines(const Node &node) {
  std::vector<std::string> lines;
  const Attribute *args = node.attrs.get(attrs::kArgs);
  if (!args || !args->isDict())
    return lines;
  lines.reserve(args->getDict().size());
  for (const NamedAttribute &arg : args->getDict()) {
    std::string line(arg.name);
    line += ": ";
    if (arg.value.isString())
      line += arg.value.getString();
    else
      printAttribute(arg.value, line);
    lines.push_back(std::move(line));
  }
  return lines;
}

/// The polyline of the edge from `from` to `to`: straight, or for a skip
/// connection moved `offset` sideways (across the levels) for its middle part,
/// leaving and entering the nodes half a level away from them.
static std::vector<std::array<double, 2>>
buildEdgePoints(const RenderNode &from, const RenderNode &to, double offset,
                bool levelsAlongY) {
  std::vector<std::array<double, 2>> points;
  auto add = [&](double x, double y) {
    points.push_back({roundForOutput(x), roundForOutput(y)});
  };
  if (offset == 0) {
    add(from.x, from.y);
    add(to.x, to.y);
    return points;
  }
  // Work in (main, cross) coordinates: main runs along the levels.
  double main0 = levelsAlongY ? from.y : from.x;
  double main1 = levelsAlongY ? to.y : to.x;
  double cross0 = levelsAlongY ? from.x : from.y;
  double cross1 = levelsAlongY ? to.x : to.y;
  double sign = main1 >= main0 ? 1.0 : -1.0;
  double step = std::min(0.5, std::abs(main1 - main0) / 2);
  double mains[4] = {main0, main0 + sign * step, main1 - sign * step, main1};
  double crosses[4] = {cross0, cross0 + offset, cross1 + offset, cross1};
  for (int i = 0; i < 4; ++i)
    levelsAlongY ? add(crosses[i], mains[i]) : add(mains[i], crosses[i]);
  return points;
}

/// Reads the group pass's `group.groups` and each node's `group` into
/// `model` (nothing when the pass did not run). The records come from a
/// file: anything out of shape is an error, not a crash.
static LogicalResult readGroups(const Graph &graph, RenderModel &model,
                                DiagnosticEngine &diags) {
  const Attribute *records = graph.getAttrs().get(attrs::kGroupGroups);
  if (!records)
    return success();
  auto bad = [&](std::string what) {
    diags.error(graph.getSourceLoc(),
                fmt::format("'{}' of graph @{}: {}", attrs::kGroupGroups,
                            graph.getName(), what));
    return failure();
  };
  if (!records->isList())
    return bad("must be a list of group records");
  std::map<std::string_view, uint32_t> byPath;
  for (const Attribute &record : records->getList()) {
    if (!record.isDict())
      return bad("must be a list of group records");
    const DictAttr &dict = record.getDict();
    RenderGroup group;
    const Attribute *path = dict.get("path");
    if (!path || !path->isString() || path->getString().empty())
      return bad("a record has no 'path'");
    group.path = std::string(path->getString());
    std::string_view className = dict.getString("class");
    size_t dot = className.rfind('.');
    group.className = std::string(
        dot == std::string_view::npos ? className : className.substr(dot + 1));
    if (group.className.empty()) {
      size_t last = group.path.rfind('.');
      group.className =
          last == std::string::npos ? group.path : group.path.substr(last + 1);
    }
    group.depth = dict.getInt("depth", 1);
    group.nodes = dict.getInt("nodes");
    group.params = dict.getInt("params");
    group.flops = dict.getInt("flops");
    group.fold = dict.getInt("fold");
    if (const Attribute *expanded = dict.get("expanded"))
      group.expanded = expanded->isBool() && expanded->getBool();
    if (const Attribute *instances = dict.get("fold_instances");
        instances && instances->isList())
      for (const Attribute &instance : instances->getList())
        if (instance.isString())
          group.foldInstances.emplace_back(instance.getString());
    // A parent or fold head is an earlier record.
    for (const char *key : {"parent", "fold_of"}) {
      const Attribute *ref = dict.get(key);
      if (!ref)
        continue;
      auto it = ref->isString() ? byPath.find(ref->getString()) : byPath.end();
      if (it == byPath.end())
        return bad(fmt::format("'{}' of group '{}' must name an earlier "
                               "group",
                               key, group.path));
      (std::string_view(key) == "parent" ? group.parent : group.foldOf) =
          it->second;
    }
    auto index = static_cast<uint32_t>(model.groups.size());
    if (!byPath.emplace(path->getString(), index).second)
      return bad(fmt::format("group '{}' appears twice", group.path));
    model.groups.push_back(std::move(group));
  }
  for (uint32_t i = 0; i < graph.size(); ++i) {
    const Attribute *group = graph.getNode(i).attrs.get(attrs::kGroup);
    if (!group)
      continue;
    auto it = byPath.find(group->getString());
    if (it == byPath.end()) {
      diags.error(graph.getSourceLoc(i),
                  fmt::format("'group' of node '%{}' names no group of "
                              "'{}'",
                              graph.getNode(i).name, attrs::kGroupGroups));
      return failure();
    }
    model.nodes[i].group = it->second;
  }
  // Totals from the nodes as drawn (after the passes mav-render ran), not
  // the record's: the group pass may have run before the cost pass.
  for (RenderGroup &group : model.groups)
    group.params = group.flops = 0;
  auto add = [](int64_t &sum, int64_t value) {
    if (__builtin_add_overflow(sum, value, &sum))
      sum = INT64_MAX;
  };
  for (const RenderNode &node : model.nodes)
    for (std::optional<uint32_t> g = node.group; g;
         g = model.groups[*g].parent) {
      add(model.groups[*g].params, node.params);
      add(model.groups[*g].flops, node.flops);
    }
  return success();
}

std::string RenderModel::getGroupLabel(uint32_t index) const {
  const RenderGroup &group = groups[index];
  if (group.fold > 1)
    return fmt::format("{} \u00d7{}", group.className, group.fold);
  // `layer1: Sequential`; an index (`layer1.0`) says nothing the class
  // does not.
  size_t dot = group.path.rfind('.');
  std::string_view last = dot == std::string::npos
                              ? std::string_view(group.path)
                              : std::string_view(group.path).substr(dot + 1);
  if (last.find_first_not_of("0123456789") == std::string_view::npos ||
      last == group.className)
    return group.className;
  return fmt::format("{}: {}", last, group.className);
}

std::vector<std::string> RenderModel::getGroupHoverLines(uint32_t index) const {
  const RenderGroup &group = groups[index];
  std::vector<std::string> lines = {"Group: " + group.path,
                                    "Class: " + group.className};
  if (group.fold > 1) {
    std::vector<std::string_view> shown;
    for (const std::string &instance : group.foldInstances) {
      if (shown.size() == 4 && group.foldInstances.size() > 5) {
        shown.push_back("...");
        shown.push_back(group.foldInstances.back());
        break;
      }
      shown.push_back(instance);
    }
    lines.push_back(fmt::format("Repeated: \u00d7{} ({})", group.fold,
                                fmt::join(shown, ", ")));
    lines.push_back(fmt::format("Nodes: {} each", group.nodes));
    lines.push_back(
        fmt::format("Params: {} each", formatThousands(group.params)));
    lines.push_back(
        fmt::format("FLOPS: {} each", formatThousands(group.flops)));
  } else {
    lines.push_back(fmt::format("Nodes: {}", group.nodes));
    lines.push_back("Params: " + formatThousands(group.params));
    lines.push_back("FLOPS: " + formatThousands(group.flops));
  }
  return lines;
}

LogicalResult mav::buildRenderModel(const Graph &graph, RenderModel &model,
                                    DiagnosticEngine &diags) {
  model = RenderModel();
  model.title = graph.getName();
  model.direction = std::string(attrs::getLayoutDirection(graph));
  model.levelsAlongY = model.direction != "right" && model.direction != "left";
  model.nodes.resize(graph.size());
  // A backend has no AnalysisManager: it computes the analysis itself.
  ParamCountAnalysis paramCounts(graph);

  bool ok = true;
  for (uint32_t i = 0; i < graph.size(); ++i) {
    const Node &node = graph.getNode(i);
    RenderNode &view = model.nodes[i];
    view.name = node.name;
    view.op = node.op;
    view.category = std::string(attrs::getCategory(node));
    view.status = std::string(attrs::getStatus(node));
    view.error = std::string(attrs::getError(node));
    if (failed(readCoordinate(graph, i, attrs::kLayoutX, view.x, diags)) ||
        failed(readCoordinate(graph, i, attrs::kLayoutY, view.y, diags))) {
      ok = false;
      continue;
    }
    view.level = attrs::getLayoutLevel(node);
    std::string color(attrs::getColor(node));
    if (!color.empty() && !isHexColor(color)) {
      diags.error(graph.getSourceLoc(i),
                  fmt::format("'color' of node '%{}' must be \"#RRGGBB\", "
                              "not \"{}\"",
                              node.name, color));
      ok = false;
      continue;
    }
    // The IR's colour wins, also for failed nodes: a user's Error colour
    // (`color{map=[Error:...]}`) must reach the figure.
    view.color = !color.empty()                        ? color
                 : view.status == attrs::kStatusFailed ? kUncoloredFailedColor
                                                       : kMissingColor;
    if (const Attribute *parent = node.attrs.get(attrs::kParent)) {
      std::optional<uint32_t> parentIndex;
      if (parent->isString())
        parentIndex = graph.lookup(parent->getString());
      if (!parentIndex) {
        diags.error(graph.getSourceLoc(i),
                    fmt::format("'parent' of node '%{}' must name a node of "
                                "the graph",
                                node.name));
        ok = false;
        continue;
      }
      view.parent = parentIndex;
    }
    view.params = paramCounts.getParamCount(i);
    view.flops = attrs::getFlops(node);
    if (view.status != attrs::kStatusNotRun)
      view.activations = formatActivations(graph, node);
    view.args = buildArgLines(node);
  }
  if (!ok)
    return failure();

  model.minX = model.minY = std::numeric_limits<double>::infinity();
  model.maxX = model.maxY = -std::numeric_limits<double>::infinity();
  for (const RenderNode &view : model.nodes) {
    model.minX = std::min(model.minX, view.x);
    model.maxX = std::max(model.maxX, view.x);
    model.minY = std::min(model.minY, view.y);
    model.maxY = std::max(model.maxY, view.y);
    // Totals saturate like the cost pass's counts: a hostile file's
    // near-INT64_MAX counts must not overflow when summed.
    if (__builtin_add_overflow(model.totalParams, view.params,
                               &model.totalParams))
      model.totalParams = INT64_MAX;
    if (__builtin_add_overflow(model.totalFlops, view.flops, &model.totalFlops))
      model.totalFlops = INT64_MAX;
  }
  if (graph.size() == 0)
    model.minX = model.maxX = model.minY = model.maxY = 0;
  // The cost pass's totals count tied parameters once; prefer them.
  if (std::optional<int64_t> total = attrs::getTotalParams(graph))
    model.totalParams = *total;
  if (std::optional<int64_t> total = attrs::getTotalFlops(graph))
    model.totalFlops = *total;
  model.defaultState = model.totalParams == 0 ? 1 : 0;

  if (failed(readGroups(graph, model, diags)))
    return failure();

  // Edges, in the order of their target node and operand.
  for (uint32_t i = 0; i < graph.size(); ++i) {
    const Node &node = graph.getNode(i);
    const Attribute *offsets = node.attrs.get(attrs::kLayoutOperandOffsets);
    if (offsets && (!offsets->isList() ||
                    offsets->getList().size() != node.operands.size())) {
      diags.error(graph.getSourceLoc(i),
                  fmt::format("'layout.operand_offsets' of node '%{}' must be "
                              "a list with one number per operand ({})",
                              node.name, node.operands.size()));
      return failure();
    }
    for (size_t k = 0; k < node.operands.size(); ++k) {
      double offset = 0;
      if (offsets) {
        const Attribute &value = offsets->getList()[k];
        if (!value.isNumber()) {
          diags.error(graph.getSourceLoc(i),
                      fmt::format("'layout.operand_offsets' of node '%{}' "
                                  "must hold numbers",
                                  node.name));
          return failure();
        }
        offset = value.getNumber();
      }
      uint32_t source = node.operands[k].node;
      model.edges.push_back(
          {source, i,
           buildEdgePoints(model.nodes[source], model.nodes[i], offset,
                           model.levelsAlongY)});
    }
  }
  return success();
}

MarkerState RenderModel::getMarkerState(unsigned state, bool overview) const {
  const SizeColorState &entry = kSizeColorStates[state];
  auto metric = [](const RenderNode &node, bool byFlops) {
    return static_cast<double>(byFlops ? node.flops : node.params);
  };
  // Extremes of a metric over all nodes, for the log2 scales.
  auto extremes = [&](bool byFlops) {
    double smallest = 0, largest = 0;
    for (const RenderNode &node : nodes) {
      double value = metric(node, byFlops);
      if (value > 0 && (smallest == 0 || value < smallest))
        smallest = value;
      largest = std::max(largest, value);
    }
    return std::make_pair(smallest, largest);
  };

  MarkerState result;
  bool sizeByFlops = entry.size == SizeMetric::Flops;
  auto [sizeLow, sizeHigh] = extremes(sizeByFlops);
  double minSize = overview ? kOverviewMinSize : kMainMinSize;
  double maxSize = overview ? kOverviewMaxSize : kMainMaxSize;
  double subSize = overview ? kOverviewSubNodeSize : kMainSubNodeSize;
  for (const RenderNode &node : nodes)
    result.sizes.push_back(node.parent ? subSize
                                       : roundForOutput(scaleLog2(
                                             metric(node, sizeByFlops), sizeLow,
                                             sizeHigh, minSize, maxSize)));

  if (entry.color == ColorMetric::Operation) {
    for (const RenderNode &node : nodes)
      result.colorNames.push_back(node.color);
    return result;
  }
  result.numericColors = true;
  bool colorByFlops = entry.color == ColorMetric::Flops;
  auto [colorLow, colorHigh] = extremes(colorByFlops);
  result.colorLow = colorLow;
  result.colorHigh = colorHigh;
  for (const RenderNode &node : nodes)
    result.colorValues.push_back(roundForOutput(
        scaleLog2(metric(node, colorByFlops), colorLow, colorHigh, 0, 1)));
  return result;
}

std::vector<std::string> RenderModel::getHoverLines(uint32_t index) const {
  const RenderNode &view = nodes[index];
  std::vector<std::string> lines = {
      "Name: " + view.name,
      "Operation: " + view.op,
      "Activations: " + view.activations,
      "Parameters: " + formatThousands(view.params),
      "FLOPS: " + formatThousands(view.flops),
  };
  if (view.status == attrs::kStatusFailed)
    lines.push_back("Error: " +
                    (view.error.empty() ? std::string("failed") : view.error));
  else if (view.status == attrs::kStatusNotRun)
    lines.push_back("Status: not run");
  lines.insert(lines.end(), view.args.begin(), view.args.end());
  return lines;
}

std::string RenderModel::getHoverText(uint32_t index) const {
  std::vector<std::string> lines = getHoverLines(index);
  size_t size = 0;
  for (const std::string &line : lines)
    size += line.size() + 4;
  std::string text;
  text.reserve(size + 16);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (i)
      text += "<br>";
    appendPlotlyText(text, lines[i]); // in place: 10,000s of lines
  }
  return text;
}

std::vector<std::string> RenderModel::getTableHeader() const {
  return {"Name", "Operation", "Activations",
          fmt::format("Params [{}]", formatThousands(totalParams)),
          fmt::format("FLOPS [{}]", formatThousands(totalFlops))};
}

std::vector<std::string> RenderModel::getTableRow(uint32_t index) const {
  const RenderNode &node = nodes[index];
  return {node.name, node.op, getActivationsCell(index),
          formatThousands(node.params), formatThousands(node.flops)};
}

std::string RenderModel::getActivationsCell(uint32_t index) const {
  const RenderNode &node = nodes[index];
  if (node.status == attrs::kStatusFailed)
    return "failed: " +
           (node.error.empty() ? std::string("no message") : node.error);
  if (node.status == attrs::kStatusNotRun)
    return "not run";
  return node.activations;
}
