//===- Cost.cpp - Parameters, MACs, FLOPs and activation sizes ------------===//
//
// The `cost` pass annotates every node with what it costs, computed from the
// IR alone (never by running the model): the trainable parameters it is the
// first to read (tied weights, listed in `shared_params`, are counted where
// they were first read, so summing over nodes counts each once), its
// buffers, the multiply-accumulates and flops of the aten ops it stands for
// (formulas in CostFormulas.cpp, documented in docs/Costs.md), and the size of
// its results. The graph gets the totals.
//
// Nothing is silently left out: an op without a formula counts 0, is listed
// in the node's `cost.uncounted` and counted in the `uncounted <op>`
// statistic, so a user sees what the totals miss. Counts are 64-bit and
// saturate on overflow, with a warning at the node.
//
//===----------------------------------------------------------------------===//

#include "mav/IR/ModelAttributes.h"
#include "mav/Pass/PassRegistry.h"
#include "mav/Support/Debug.h"
#include "mav/Transforms/CostModel.h"
#include "mav/Transforms/Passes.h"

#include <algorithm>
#include <limits>

#include <fmt/format.h>

#define DEBUG_TYPE "cost"

using namespace mav;
using namespace mav::cost;

namespace {

/// What `flops` counts besides 2 x MACs.
enum class FlopsConvention {
  /// 2 x MACs + bias adds + every per-element formula.
  All,
  /// 2 x MACs only, as torch.utils.flop_counter reports.
  Matmul,
};

/// The sums of one node.
struct NodeCost {
  Count params, paramBytes, buffers;
  OpCost ops;
  Count activationElems, activationBytes;
  std::vector<std::string> uncounted;
};

/// Elements and bytes of a tensor type, or of the tensors of a tuple.
void addTensorSize(const Type &type, Count &elems, Count &bytes) {
  if (type.getKind() == Type::Kind::Tuple) {
    for (const Type &element : type.getElements())
      addTensorSize(element, elems, bytes);
    return;
  }
  std::optional<Count> n = getNumElements(type);
  if (!n)
    return;
  elems += *n;
  bytes += *n * Count(getDTypeByteWidth(type.getDType()));
}

/// Sums numel and bytes over a dictionary of tensor types (`params`,
/// `buffers`).
void addTensorDict(const DictAttr &attrs, std::string_view key, Count &elems,
                   Count *bytes) {
  const Attribute *dict = attrs.get(key);
  if (!dict || !dict->isDict())
    return;
  Count ignored;
  for (const NamedAttribute &entry : dict->getDict())
    if (entry.value.isType())
      addTensorSize(entry.value.getType(), elems, bytes ? *bytes : ignored);
}

/// Result types of a recorded op (`results = [f32[1,64], ...]`).
std::vector<Type> getRecordedResults(const DictAttr &op) {
  std::vector<Type> results;
  const Attribute *list = op.get(attrs::kOpResults);
  if (!list || !list->isList())
    return results;
  for (const Attribute &element : list->getList())
    results.push_back(element.isType() ? element.getType() : Type::unknown());
  return results;
}

struct CostPass : Pass {
  explicit CostPass(const PassOptions &options)
      : convention(options.getString("flops") == "matmul"
                       ? FlopsConvention::Matmul
                       : FlopsConvention::All),
        fallback(options.getBool("fallback")) {}

  LogicalResult run(Graph &graph, PassContext &context) override;

  /// Costs of the aten ops recorded in `ops`.
  void costRecordedOps(const ListAttr &ops, NodeCost &cost,
                       PassStatistics &statistics) const;
  /// Cost of a node without `ops`, from its operation string.
  void costFromOperationString(const Graph &graph, const Node &node,
                               NodeCost &cost,
                               PassStatistics &statistics) const;

  FlopsConvention convention;
  bool fallback;
};

void noteUncounted(NodeCost &cost, const std::string &name,
                   PassStatistics &statistics) {
  statistics.add("ops uncounted");
  statistics.add("uncounted " + name);
  if (std::find(cost.uncounted.begin(), cost.uncounted.end(), name) ==
      cost.uncounted.end())
    cost.uncounted.push_back(name);
}

void CostPass::costRecordedOps(const ListAttr &ops, NodeCost &cost,
                               PassStatistics &statistics) const {
  static const ListAttr kNoOperands;
  for (const Attribute &entry : ops) {
    if (!entry.isDict())
      continue; // the verifier rejects this; nothing to count
    const DictAttr &op = entry.getDict();
    std::string name(op.getString(attrs::kOpName));
    const Attribute *operands = op.get(attrs::kOpOperands);
    std::optional<OpCost> opCost = costAtenOp(
        name,
        operands && operands->isList() ? operands->getList() : kNoOperands,
        getRecordedResults(op));
    if (!opCost) {
      noteUncounted(cost, name, statistics);
      continue;
    }
    statistics.add("ops counted");
    cost.ops += *opCost;
  }
}

void CostPass::costFromOperationString(const Graph &graph, const Node &node,
                                       NodeCost &cost,
                                       PassStatistics &statistics) const {
  std::optional<OpCost> opCost;
  if (fallback) {
    std::vector<Type> operandTypes;
    for (ValueRef ref : node.operands) {
      const Node &producer = graph.getNode(ref.node);
      operandTypes.push_back(ref.result < producer.resultTypes.size()
                                 ? producer.resultTypes[ref.result]
                                 : Type::unknown());
    }
    opCost =
        costFromOperation(node.op, node.attrs, operandTypes, node.resultTypes);
  }
  if (!opCost) {
    noteUncounted(cost, node.op, statistics);
    return;
  }
  statistics.add("nodes from operation");
  cost.ops += *opCost;
}

LogicalResult CostPass::run(Graph &graph, PassContext &context) {
  IRContext &ctx = graph.getContext();
  PassStatistics &statistics = context.statistics;
  Count totalParams, totalParamBytes, totalBuffers, totalMacs, totalFlops,
      totalActivationElems, totalActivationBytes;
  size_t overflowedNodes = 0;

  for (uint32_t index = 0; index < graph.size(); ++index) {
    Node &node = graph.getNode(index);
    statistics.add("nodes");
    NodeCost cost;
    addTensorDict(node.attrs, attrs::kParams, cost.params, &cost.paramBytes);
    addTensorDict(node.attrs, attrs::kBuffers, cost.buffers, nullptr);
    for (const Type &type : node.resultTypes)
      addTensorSize(type, cost.activationElems, cost.activationBytes);

    std::string_view status = attrs::getStatus(node);
    const Attribute *ops = node.attrs.get(attrs::kOps);
    if (status == attrs::kStatusFailed || status == attrs::kStatusNotRun) {
      // IDLMAV's convention: nodes that did not run keep their parameters
      // but have no compute.
      statistics.add("nodes not run");
    } else if (ops && ops->isList()) {
      costRecordedOps(ops->getList(), cost, statistics);
    } else if (!node.isInput() && !node.isOutput()) {
      costFromOperationString(graph, node, cost, statistics);
    }

    Count macs = cost.ops.macs;
    Count flops = Count(2) * macs;
    if (convention == FlopsConvention::All)
      flops += cost.ops.otherFlops;

    bool overflowed = false;
    for (const Count &count :
         {cost.params, cost.paramBytes, cost.buffers, macs, flops,
          cost.activationElems, cost.activationBytes})
      overflowed |= count.isSaturated();
    if (overflowed) {
      ++overflowedNodes;
      statistics.add("overflows");
      context.diags.warning(
          graph.getSourceLoc(index),
          fmt::format("cost of node '%{}' does not fit in 64 bits; its "
                      "counts are saturated at {}",
                      node.name, std::numeric_limits<int64_t>::max()));
    }

    // Set in key order: each lands next to the previous one.
    DictAttr &nodeAttrs = node.attrs;
    nodeAttrs.set(ctx, attrs::kCostActivationBytes,
                  Attribute::integer(cost.activationBytes.get()));
    nodeAttrs.set(ctx, attrs::kCostActivationElems,
                  Attribute::integer(cost.activationElems.get()));
    nodeAttrs.set(ctx, attrs::kCostBuffers,
                  Attribute::integer(cost.buffers.get()));
    nodeAttrs.set(ctx, attrs::kCostFlops, Attribute::integer(flops.get()));
    nodeAttrs.set(ctx, attrs::kCostMacs, Attribute::integer(macs.get()));
    nodeAttrs.set(ctx, attrs::kCostParamBytes,
                  Attribute::integer(cost.paramBytes.get()));
    nodeAttrs.set(ctx, attrs::kCostParams,
                  Attribute::integer(cost.params.get()));
    if (cost.uncounted.empty()) {
      nodeAttrs.erase(attrs::kCostUncounted);
    } else {
      MAV_DEBUG(fmt::print(dbgs(), "[cost] %{} ({}): no formula for {}\n",
                           node.name, node.op,
                           fmt::join(cost.uncounted, ", ")));
      nodeAttrs.set(ctx, attrs::kCostUncounted,
                    Attribute::stringList(ctx, cost.uncounted));
    }

    totalParams += cost.params;
    totalParamBytes += cost.paramBytes;
    totalBuffers += cost.buffers;
    totalMacs += macs;
    totalFlops += flops;
    totalActivationElems += cost.activationElems;
    totalActivationBytes += cost.activationBytes;
  }

  // Totals saturate whenever a node did; warn about them only when the sums
  // alone overflowed, so that one problem gives one warning.
  bool totalOverflowed = false;
  for (const Count &count :
       {totalParams, totalParamBytes, totalBuffers, totalMacs, totalFlops,
        totalActivationElems, totalActivationBytes})
    totalOverflowed |= count.isSaturated();
  if (totalOverflowed && overflowedNodes == 0)
    context.diags.warning(
        graph.getSourceLoc(),
        fmt::format("cost totals of graph '@{}' do not fit in 64 bits; they "
                    "are saturated at {}",
                    graph.getName(), std::numeric_limits<int64_t>::max()));

  DictAttr &graphAttrs = graph.getAttrs();
  graphAttrs.set(ctx, attrs::kCostTotalParams,
                 Attribute::integer(totalParams.get()));
  graphAttrs.set(ctx, attrs::kCostTotalParamBytes,
                 Attribute::integer(totalParamBytes.get()));
  graphAttrs.set(ctx, attrs::kCostTotalBuffers,
                 Attribute::integer(totalBuffers.get()));
  graphAttrs.set(ctx, attrs::kCostTotalMacs,
                 Attribute::integer(totalMacs.get()));
  graphAttrs.set(ctx, attrs::kCostTotalFlops,
                 Attribute::integer(totalFlops.get()));
  graphAttrs.set(ctx, attrs::kCostTotalActivationElems,
                 Attribute::integer(totalActivationElems.get()));
  graphAttrs.set(ctx, attrs::kCostTotalActivationBytes,
                 Attribute::integer(totalActivationBytes.get()));

  // `cost.params` changed, so ParamCountAnalysis is stale: nothing is
  // preserved (the default).
  return success();
}

} // namespace

void mav::registerCostPass(PassRegistry &registry) {
  PassInfo info;
  info.name = "cost";
  info.summary = "Annotate nodes with parameters, MACs, FLOPs and activation "
                 "sizes";
  info.description =
      "Computes, from the IR alone, each node's trainable parameters "
      "(`cost.params`, `cost.param_bytes`; tied weights counted once), "
      "buffers (`cost.buffers`), multiply-accumulates (`cost.macs`) and "
      "flops (`cost.flops` = 2 x MACs + bias adds and per-element formulas), "
      "and the size of its results (`cost.activation_elems`, "
      "`cost.activation_bytes`); the graph gets `cost.total_*`. Ops without a "
      "formula count 0 and are listed in `cost.uncounted` and in the "
      "`uncounted <op>` statistics. Formulas: docs/Costs.md.";
  info.options = {
      {"flops",
       OptionType::Enum,
       "all",
       "what cost.flops counts besides 2 x MACs: 'all' adds bias adds and "
       "per-element formulas, 'matmul' counts 2 x MACs only (like "
       "torch.utils.flop_counter)",
       {"all", "matmul"}},
      {"fallback",
       OptionType::Bool,
       "true",
       "cost nodes without `ops` from their operation string (nn.Conv2d, "
       "relu()...)",
       {}},
  };
  info.mainOption = "flops";
  info.statistics = {
      {"nodes", "Nodes annotated"},
      {"ops counted", "Recorded aten ops with a formula"},
      {"ops uncounted", "Ops or operations without a formula, counted 0 "
                        "(see the 'uncounted <op>' counters)"},
      {"nodes from operation", "Nodes without `ops` costed from their "
                               "operation string"},
      {"nodes not run", "Failed or not-run nodes, costed 0"},
      {"overflows", "Nodes whose counts were saturated at 2^63-1"},
  };
  info.factory = [](const PassOptions &options) {
    return std::make_unique<CostPass>(options);
  };
  registry.registerPass(std::move(info));
}
