//===- Graph.cpp - The model graph: nodes, values, locations --------------===//

#include "mav/IR/Graph.h"
#include "mav/Support/MathExtras.h"

#include "IRStorage.h"

using namespace mav;

uint32_t Graph::addNode(Node node) {
  uint32_t index = static_cast<uint32_t>(nodes.size());
  nodes.push_back(std::move(node));
  return index;
}

void Graph::reserve(size_t numNodes) {
  nodes.reserve(numNodes);
  if (nameSlots.size() < 2 * numNodes)
    resizeNameIndex(numNodes);
}

static constexpr uint32_t kEmptySlot = UINT32_MAX;

/// The slot is chosen by the low bits of the hash; the high half is kept
/// in the slot as its tag.
static uint32_t getHashTag(size_t hash) {
  return static_cast<uint32_t>(static_cast<uint64_t>(hash) >> 32);
}

void Graph::resizeNameIndex(size_t numNodes) const {
  // At most half full, so that a probe for an absent name (every new
  // node's, to check it is not a redefinition) ends after a slot or two.
  nameSlots.assign(powerOf2Ceil(2 * numNodes, 64), NameSlot{kEmptySlot, 0});
  indexedNodes = 0;
}

void Graph::updateNameIndex() const {
  // The index grows with the graph; renames must call invalidateNameIndex().
  if (indexedNodes > nodes.size())
    invalidateNameIndex();
  if (indexedNodes == nodes.size())
    return;
  if (nameSlots.size() < 2 * nodes.size())
    resizeNameIndex(nodes.size());
  size_t mask = nameSlots.size() - 1;
  for (; indexedNodes < nodes.size(); ++indexedNodes) {
    const std::string &name = nodes[indexedNodes].name;
    size_t hash = detail::hashBytes(name);
    uint32_t tag = getHashTag(hash);
    for (size_t i = hash & mask;; i = (i + 1) & mask) {
      NameSlot &slot = nameSlots[i];
      if (slot.node == kEmptySlot) {
        slot = NameSlot{static_cast<uint32_t>(indexedNodes), tag};
        break;
      }
      if (slot.hashTag == tag && nodes[slot.node].name == name)
        break; // a later node with the same name: the first one keeps it
    }
  }
}

std::optional<uint32_t> Graph::lookup(std::string_view nodeName) const {
  updateNameIndex();
  if (nameSlots.empty())
    return std::nullopt;
  size_t mask = nameSlots.size() - 1;
  size_t hash = detail::hashBytes(nodeName);
  uint32_t tag = getHashTag(hash);
  for (size_t i = hash & mask;; i = (i + 1) & mask) {
    const NameSlot &slot = nameSlots[i];
    if (slot.node == kEmptySlot)
      return std::nullopt;
    if (slot.hashTag == tag && nodes[slot.node].name == nodeName)
      return slot.node;
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
