//===- ParamCountAnalysis.cpp - Parameters of every node ------------------===//
//
// One scan of the nodes: each node's count from its attributes, and the
// saturated total.
//
//===----------------------------------------------------------------------===//

#include "mav/Analysis/ParamCountAnalysis.h"

#include "mav/IR/ModelAttributes.h"

using namespace mav;

ParamCountAnalysis::ParamCountAnalysis(const Graph &graph) {
  counts.reserve(graph.size());
  for (const Node &node : graph.getNodes()) {
    int64_t count = attrs::getParamCount(node);
    counts.push_back(count);
    // Saturates: absurd shapes in a hostile file must not overflow.
    if (__builtin_add_overflow(total, count, &total))
      total = INT64_MAX;
  }
}
