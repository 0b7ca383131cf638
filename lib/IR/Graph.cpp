//===- Graph.cpp - The model graph: nodes, values, locations --------------===//

#include "mav/IR/Graph.h"
#include "mav/Support/MathExtras.h"

using namespace mav;

uint32_t Graph::addNode(Node node) {
  uint32_t index = static_cast<uint32_t>(nodes.size());
  nodes.push_back(std::move(node));
  return index;
}

static constexpr uint32_t kEmptySlot = UINT32_MAX;

static size_t hashName(std::string_view name) {
  return std::hash<std::string_view>()(name);
}

void Graph::updateNameIndex() const {
  // The index grows with the graph; renames must call invalidateNameIndex().
  if (indexedNodes > nodes.size())
    invalidateNameIndex();
  if (indexedNodes == nodes.size())
    return;
  // Keep the table at most half full.
  if (nameSlots.size() < 2 * nodes.size()) {
    nameSlots.assign(powerOf2Ceil(2 * nodes.size(), 64), kEmptySlot);
    indexedNodes = 0;
  }
  size_t mask = nameSlots.size() - 1;
  for (; indexedNodes < nodes.size(); ++indexedNodes) {
    const std::string &name = nodes[indexedNodes].name;
    for (size_t i = hashName(name) & mask;; i = (i + 1) & mask) {
      if (nameSlots[i] == kEmptySlot) {
        nameSlots[i] = static_cast<uint32_t>(indexedNodes);
        break;
      }
      if (nodes[nameSlots[i]].name == name)
        break; // a later node with the same name: the first one keeps it
    }
  }
}

std::optional<uint32_t> Graph::lookup(std::string_view nodeName) const {
  updateNameIndex();
  if (nameSlots.empty())
    return std::nullopt;
  size_t mask = nameSlots.size() - 1;
  for (size_t i = hashName(nodeName) & mask;; i = (i + 1) & mask) {
    uint32_t index = nameSlots[i];
    if (index == kEmptySlot)
      return std::nullopt;
    if (nodes[index].name == nodeName)
      return index;
  }
}

void Graph::invalidateNameIndex() const {
  nameSlots.clear();
  indexedNodes = 0;
}

SourceLoc Graph::getSourceLoc(uint32_t nodeIndex) const {
  const Node &node = nodes[nodeIndex];
  if (!source || node.sourceOffset == kNoSourceOffset)
    return getSourceLoc();
  return SourceLoc{source.get(), node.sourceOffset};
}

SourceLoc Graph::getSourceLoc() const {
  if (!source || sourceOffset == kNoSourceOffset)
    return SourceLoc{};
  return SourceLoc{source.get(), sourceOffset};
}

UserLists UserLists::compute(const Graph &graph) {
  UserLists users;
  size_t n = graph.size();
  users.offsets.assign(n + 1, 0);
  // Count each (producer, user) pair once even when a node uses several
  // results of the same producer or the same value twice.
  auto forEachDistinctProducer = [&](const Node &node, auto &&fn) {
    const auto &ops = node.operands;
    for (size_t i = 0; i < ops.size(); ++i) {
      bool seen = false;
      for (size_t j = 0; j < i && !seen; ++j)
        seen = ops[j].node == ops[i].node;
      if (!seen)
        fn(ops[i].node);
    }
  };
  for (const Node &node : graph.getNodes())
    forEachDistinctProducer(node, [&](uint32_t p) { ++users.offsets[p + 1]; });
  for (size_t i = 0; i < n; ++i)
    users.offsets[i + 1] += users.offsets[i];
  users.targets.resize(users.offsets[n]);
  std::vector<uint32_t> fill(users.offsets.begin(), users.offsets.end() - 1);
  for (uint32_t i = 0; i < n; ++i)
    forEachDistinctProducer(graph.getNode(i),
                            [&](uint32_t p) { users.targets[fill[p]++] = i; });
  return users;
}
