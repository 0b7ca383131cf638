//===- Graph.cpp - The model graph: nodes, values, locations --------------===//

#include "mav/IR/Graph.h"

using namespace mav;

uint32_t Graph::addNode(Node node) {
  uint32_t index = static_cast<uint32_t>(nodes.size());
  nodes.push_back(std::move(node));
  return index;
}

void Graph::updateNameIndex() const {
  // The index grows with the graph; renames must call invalidateNameIndex().
  if (indexedNodes > nodes.size())
    invalidateNameIndex();
  for (; indexedNodes < nodes.size(); ++indexedNodes)
    nameIndex.emplace(
        Attribute::string(*context, nodes[indexedNodes].name).getString(),
        static_cast<uint32_t>(indexedNodes));
}

std::optional<uint32_t> Graph::lookup(std::string_view nodeName) const {
  updateNameIndex();
  auto it = nameIndex.find(nodeName);
  if (it == nameIndex.end())
    return std::nullopt;
  return it->second;
}

void Graph::invalidateNameIndex() const {
  nameIndex.clear();
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
