//===- Verifier.cpp - Structural checks of a Graph ------------------------===//
//
// Checks run in one pass over the nodes, in graph order. Attribute checks come
// from one table (kNodeAttrSpecs / kGraphAttrSpecs) over the keys of
// mav/IR/ModelAttributes.h, so that docs/IR.md and the code list the same
// attributes.
//
//===----------------------------------------------------------------------===//

#include "mav/IR/Verifier.h"

#include "mav/IR/ModelAttributes.h"

#include <algorithm>
#include <array>
#include <optional>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

using namespace mav;

namespace {

/// Checks one attribute value; returns an error message, or nullopt if fine.
using AttrCheck = std::optional<std::string> (*)(const Attribute &attr,
                                                 const Graph &graph,
                                                 uint32_t nodeIndex);

struct AttrSpec {
  std::string_view name;
  AttrCheck check;
};

std::optional<std::string> expectKind(const Attribute &attr,
                                      Attribute::Kind kind) {
  if (attr.getKind() == kind)
    return std::nullopt;
  auto withArticle = [](std::string_view noun) {
    bool vowel = !noun.empty() && std::string_view("aeiou").find(noun[0]) !=
                                      std::string_view::npos;
    return fmt::format("{} {}", vowel ? "an" : "a", noun);
  };
  return fmt::format("must be {}, not {}",
                     withArticle(Attribute::getKindName(kind)),
                     withArticle(Attribute::getKindName(attr.getKind())));
}

std::optional<std::string> checkString(const Attribute &attr, const Graph &,
                                       uint32_t) {
  return expectKind(attr, Attribute::Kind::String);
}

std::optional<std::string> checkDict(const Attribute &attr, const Graph &,
                                     uint32_t) {
  return expectKind(attr, Attribute::Kind::Dict);
}

std::optional<std::string> checkStringList(const Attribute &attr, const Graph &,
                                           uint32_t) {
  if (auto err = expectKind(attr, Attribute::Kind::List))
    return err;
  for (const Attribute &element : attr.getList())
    if (!element.isString())
      return std::string("must be a list of strings");
  return std::nullopt;
}

std::optional<std::string> checkTensorDict(const Attribute &attr, const Graph &,
                                           uint32_t) {
  if (auto err = expectKind(attr, Attribute::Kind::Dict))
    return err;
  for (const NamedAttribute &entry : attr.getDict())
    if (!entry.value.isType() || !entry.value.getType().isTensor())
      return fmt::format("entry '{}' must be a tensor type", entry.name);
  return std::nullopt;
}

std::optional<std::string> checkStatus(const Attribute &attr, const Graph &,
                                       uint32_t) {
  if (auto err = expectKind(attr, Attribute::Kind::String))
    return err;
  std::string_view s = attr.getString();
  if (s == attrs::kStatusOk || s == attrs::kStatusFailed ||
      s == attrs::kStatusNotRun)
    return std::nullopt;
  return fmt::format("must be \"{}\", \"{}\" or \"{}\", not \"{}\"",
                     attrs::kStatusOk, attrs::kStatusFailed,
                     attrs::kStatusNotRun, s);
}

std::optional<std::string> checkOps(const Attribute &attr, const Graph &,
                                    uint32_t) {
  if (auto err = expectKind(attr, Attribute::Kind::List))
    return err;
  for (const Attribute &element : attr.getList()) {
    if (!element.isDict())
      return std::string("must be a list of dictionaries");
    const Attribute *op = element.getDict().get(attrs::kOpName);
    if (!op || !op->isString())
      return std::string("every entry needs a string 'op'");
  }
  return std::nullopt;
}

std::optional<std::string> checkParent(const Attribute &attr,
                                       const Graph &graph, uint32_t nodeIndex) {
  if (auto err = expectKind(attr, Attribute::Kind::String))
    return err;
  std::optional<uint32_t> parent = graph.lookup(attr.getString());
  if (!parent)
    return fmt::format("names no node: '%{}'", attr.getString());
  if (*parent == nodeIndex)
    return std::string("cannot name the node itself");
  return std::nullopt;
}

std::optional<std::string> checkCount(const Attribute &attr, const Graph &,
                                      uint32_t) {
  if (auto err = expectKind(attr, Attribute::Kind::Int))
    return err;
  if (attr.getInt() < 0)
    return std::string("must not be negative");
  return std::nullopt;
}

std::optional<std::string> checkNumber(const Attribute &attr, const Graph &,
                                       uint32_t) {
  if (!attr.isNumber())
    return fmt::format("must be a number, not a {}",
                       Attribute::getKindName(attr.getKind()));
  return std::nullopt;
}

std::optional<std::string> checkColor(const Attribute &attr, const Graph &,
                                      uint32_t) {
  if (auto err = expectKind(attr, Attribute::Kind::String))
    return err;
  std::string_view s = attr.getString();
  bool ok =
      s.size() == 7 && s[0] == '#' &&
      s.find_first_not_of("0123456789abcdefABCDEF", 1) == std::string::npos;
  if (!ok)
    return fmt::format("must be a colour '#RRGGBB', not \"{}\"", s);
  return std::nullopt;
}

std::optional<std::string> checkOperandOffsets(const Attribute &attr,
                                               const Graph &graph,
                                               uint32_t nodeIndex) {
  if (auto err = expectKind(attr, Attribute::Kind::List))
    return err;
  for (const Attribute &element : attr.getList())
    if (!element.isNumber())
      return std::string("must be a list of numbers");
  size_t operands = graph.getNode(nodeIndex).operands.size();
  if (attr.getList().size() != operands)
    return fmt::format("has {} entries for {} operands", attr.getList().size(),
                       operands);
  return std::nullopt;
}

// Sorted by name; docs/IR.md "Attributes with a meaning" lists the same.
constexpr std::array<AttrSpec, 25> kNodeAttrSpecs = {{
    {attrs::kArgs, checkDict},
    {attrs::kBuffers, checkTensorDict},
    {attrs::kCategory, checkString},
    {attrs::kClass, checkStringList},
    {attrs::kColor, checkColor},
    {attrs::kCostActivationBytes, checkCount},
    {attrs::kCostActivationElems, checkCount},
    {attrs::kCostBuffers, checkCount},
    {attrs::kCostFlops, checkCount},
    {attrs::kCostMacs, checkCount},
    {attrs::kCostParamBytes, checkCount},
    {attrs::kCostParams, checkCount},
    {attrs::kCostUncounted, checkStringList},
    {attrs::kError, checkString},
    {attrs::kGroup, checkString},
    {attrs::kLayoutLevel, checkCount},
    {attrs::kLayoutOperandOffsets, checkOperandOffsets},
    {attrs::kLayoutX, checkNumber},
    {attrs::kLayoutY, checkNumber},
    {attrs::kModule, checkString},
    {attrs::kOps, checkOps},
    {attrs::kParams, checkTensorDict},
    {attrs::kParent, checkParent},
    {attrs::kSharedParams, checkStringList},
    {attrs::kStatus, checkStatus},
}};

constexpr std::array<AttrSpec, 2> kGraphAttrSpecs = {{
    {attrs::kSource, checkString},
    {attrs::kUnusedParams, checkTensorDict},
}};

/// The graph attribute spec of `name` (two entries: a search is enough).
const AttrSpec *findGraphSpec(std::string_view name) {
  for (const AttrSpec &spec : kGraphAttrSpecs)
    if (spec.name == name)
      return &spec;
  return nullptr;
}

class Verifier {
public:
  Verifier(const Graph &graph, DiagnosticEngine &diags)
      : graph(graph), diags(diags) {
    findRepeatedNames();
    // Dictionary keys are uniqued in the graph's context: a key's spec is
    // found by the address of its text.
    for (const AttrSpec &spec : kNodeAttrSpecs)
      specByKey.emplace(
          Attribute::string(graph.getContext(), spec.name).getString().data(),
          &spec);
  }

  LogicalResult run();

private:
  void nodeError(uint32_t index, std::string message) {
    if (++numErrors > kMaxErrors)
      return;
    diags.error(
        graph.getSourceLoc(index),
        fmt::format("node '%{}': {}", graph.getNode(index).name, message));
  }
  void verifyNode(uint32_t index);
  /// Fills `firstWithName` (built afresh on every run: the graph's own name
  /// index would not see a pass rename a node without invalidating it).
  void findRepeatedNames();

  static constexpr unsigned kMaxErrors = 20;
  const Graph &graph;
  DiagnosticEngine &diags;
  unsigned numErrors = 0;
  std::unordered_map<const char *, const AttrSpec *> specByKey;
  /// For each node, the first node with the same name if that is an
  /// earlier one, else kNoNode.
  std::vector<uint32_t> firstWithName;
  static constexpr uint32_t kNoNode = UINT32_MAX;
};

} // namespace

void Verifier::findRepeatedNames() {
  // Nodes sorted by the hash of their name, then by index: equal names are
  // neighbours, the first of them first. One allocation, whatever the size.
  size_t n = graph.size();
  std::vector<std::pair<size_t, uint32_t>> byHash(n);
  for (uint32_t i = 0; i < n; ++i)
    byHash[i] = {std::hash<std::string_view>()(graph.getNode(i).name), i};
  std::sort(byHash.begin(), byHash.end());
  firstWithName.assign(n, kNoNode);
  for (size_t runStart = 0, runEnd; runStart < n; runStart = runEnd) {
    runEnd = runStart + 1;
    while (runEnd < n && byHash[runEnd].first == byHash[runStart].first)
      ++runEnd;
    for (size_t j = runStart + 1; j < runEnd; ++j) {
      const std::string &name = graph.getNode(byHash[j].second).name;
      for (size_t k = runStart; k < j; ++k)
        if (graph.getNode(byHash[k].second).name == name) {
          firstWithName[byHash[j].second] = byHash[k].second;
          break;
        }
    }
  }
}

void Verifier::verifyNode(uint32_t index) {
  const Node &node = graph.getNode(index);
  if (node.name.empty())
    nodeError(index, "a node needs a name");
  if (firstWithName[index] != kNoNode)
    nodeError(index, fmt::format("name is already used by node #{}",
                                 firstWithName[index]));
  if (node.op.empty())
    nodeError(index, "operation name is empty");

  for (size_t i = 0; i < node.operands.size(); ++i) {
    ValueRef ref = node.operands[i];
    if (ref.node >= index) {
      nodeError(index, fmt::format("operand #{} refers to a node that is not "
                                   "before it (nodes must be in topological "
                                   "order)",
                                   i));
      continue;
    }
    const Node &producer = graph.getNode(ref.node);
    if (ref.result >= producer.resultTypes.size())
      nodeError(index, fmt::format("operand #{} uses result #{} of '%{}', "
                                   "which has {} result(s)",
                                   i, ref.result, producer.name,
                                   producer.resultTypes.size()));
  }

  if (node.isInput()) {
    if (!node.operands.empty())
      nodeError(index, "an 'input' node takes no operands");
    if (node.resultTypes.empty())
      nodeError(index, "an 'input' node needs a result");
  } else if (node.isOutput()) {
    if (node.operands.empty())
      nodeError(index, "an 'output' node needs at least one operand");
    if (!node.resultTypes.empty())
      nodeError(index, "an 'output' node has no results");
  } else if (node.resultTypes.empty()) {
    nodeError(index,
              fmt::format("operation '{}' needs at least one result", node.op));
  }

  for (const NamedAttribute &attr : node.attrs) {
    auto spec = specByKey.find(attr.name.data());
    if (spec == specByKey.end())
      continue;
    if (auto message = spec->second->check(attr.value, graph, index))
      nodeError(index, fmt::format("attribute '{}' {}", attr.name, *message));
  }
}

LogicalResult Verifier::run() {
  for (const NamedAttribute &attr : graph.getAttrs())
    if (const AttrSpec *spec = findGraphSpec(attr.name))
      if (auto message = spec->check(attr.value, graph, 0)) {
        ++numErrors;
        diags.error(graph.getSourceLoc(), fmt::format("graph attribute '{}' {}",
                                                      attr.name, *message));
      }

  bool hasOutput = false;
  const uint32_t numNodes = static_cast<uint32_t>(graph.size());
  for (uint32_t i = 0; i < numNodes; ++i) {
    verifyNode(i);
    hasOutput |= graph.getNode(i).isOutput();
  }
  if (!hasOutput) {
    ++numErrors;
    diags.error(
        graph.getSourceLoc(),
        fmt::format("graph '@{}' has no 'output' node", graph.getName()));
  }
  if (numErrors > kMaxErrors)
    diags.emit(makeDiagnostic(Severity::Note, SourceLoc{},
                              fmt::format("{} more verifier errors not shown",
                                          numErrors - kMaxErrors)));
  return numErrors ? failure() : success();
}

LogicalResult mav::verify(const Graph &graph, DiagnosticEngine &diags) {
  return Verifier(graph, diags).run();
}
