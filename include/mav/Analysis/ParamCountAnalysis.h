//===- ParamCountAnalysis.h - Parameters of every node ----------*- C++ -*-===//
//
// The trainable parameters of each node (attrs::getParamCount) and their
// saturated sum, computed in one scan of the graph. Merge picks sub-nodes
// by them, color orders operations by them, and the renderers size nodes by
// them: passes get it from the AnalysisManager, cached until a pass that
// changes `cost.params` or `params` runs; a backend, which has no
// AnalysisManager, constructs it.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_ANALYSIS_PARAMCOUNTANALYSIS_H
#define MAV_ANALYSIS_PARAMCOUNTANALYSIS_H

#include "mav/IR/Graph.h"

#include <cstdint>
#include <vector>

namespace mav {

class ParamCountAnalysis {
public:
  explicit ParamCountAnalysis(const Graph &graph);

  /// Parameters of node `index` (`cost.params`, else the elements of its
  /// `params`).
  int64_t getParamCount(uint32_t index) const { return counts[index]; }
  /// One count per node, in graph order.
  const std::vector<int64_t> &getParamCounts() const { return counts; }
  /// The sum over all nodes, saturating at INT64_MAX.
  int64_t getTotal() const { return total; }

private:
  std::vector<int64_t> counts;
  int64_t total = 0;
};

} // namespace mav

#endif // MAV_ANALYSIS_PARAMCOUNTANALYSIS_H
