//===- ModelAttributes.h - The attribute keys of the model graph -*- C++
//-*-===//
//
// The contract between frontends, passes and backends: every attribute key
// that a frontend (mav-trace, the .pt2 reader) or a pass writes and a pass or
// a backend reads, spelled once, with typed accessors for the values callers
// read or write in more than one place. The verifier checks the kinds of the
// same keys (lib/IR/Verifier.cpp), and docs/IR.md "Attributes with a
// meaning" documents them. Any other attribute is free-form.
//
// It lives in the IR library, below both the passes and the backends, so that
// a backend reads what a pass wrote without linking the passes.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_IR_MODELATTRIBUTES_H
#define MAV_IR_MODELATTRIBUTES_H

#include "mav/IR/Graph.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace mav::attrs {

//===----------------------------------------------------------------------===//
// Graph attributes
//===----------------------------------------------------------------------===//

/// String: the model file the graph was traced from (frontends).
inline constexpr std::string_view kSource = "source";
/// Dict of tensor types: parameters no executed node read (frontends).
inline constexpr std::string_view kUnusedParams = "unused_params";

/// Int totals over the graph (cost); tied parameters count once.
inline constexpr std::string_view kCostTotalParams = "cost.total_params";
inline constexpr std::string_view kCostTotalParamBytes =
    "cost.total_param_bytes";
inline constexpr std::string_view kCostTotalBuffers = "cost.total_buffers";
inline constexpr std::string_view kCostTotalMacs = "cost.total_macs";
inline constexpr std::string_view kCostTotalFlops = "cost.total_flops";
inline constexpr std::string_view kCostTotalActivationElems =
    "cost.total_activation_elems";
inline constexpr std::string_view kCostTotalActivationBytes =
    "cost.total_activation_bytes";

/// Float: the threshold the merge pass ran with (merge).
inline constexpr std::string_view kMergeThreshold = "merge.threshold";

/// String `down|right|up|left`, int and floats: the flow direction, the
/// number of levels and the picture's extent in layout units (layout).
inline constexpr std::string_view kLayoutDirection = "layout.direction";
inline constexpr std::string_view kLayoutLevels = "layout.levels";
inline constexpr std::string_view kLayoutWidth = "layout.width";
inline constexpr std::string_view kLayoutHeight = "layout.height";

/// List of dicts, one per group (a module with more than one node under
/// it) in the order of its first node, and the depth up to which groups
/// start expanded (group).
inline constexpr std::string_view kGroupGroups = "group.groups";
inline constexpr std::string_view kGroupDepth = "group.depth";

/// String: the palette the color pass used (color).
inline constexpr std::string_view kColorPalette = "color.palette";

//===----------------------------------------------------------------------===//
// Node attributes
//===----------------------------------------------------------------------===//

/// String: module path (`layer1.0.conv1`), `""` for the root (frontends).
inline constexpr std::string_view kModule = "module";
/// List of strings: class names from the root module down (frontends).
inline constexpr std::string_view kClass = "class";
/// Dict: qualified parameter name -> tensor type, for the parameters this
/// node is the first to read (frontends).
inline constexpr std::string_view kParams = "params";
/// List of strings: parameters read here but counted earlier (frontends).
inline constexpr std::string_view kSharedParams = "shared_params";
/// Dict: buffer name -> tensor type (frontends).
inline constexpr std::string_view kBuffers = "buffers";
/// List, one entry per result: the symbolic shape (`"[s77, 8]"`) of a result
/// whose type shows the sizes' hints, else none (the .pt2 reader).
inline constexpr std::string_view kSymShapes = "sym_shapes";
/// Dict: module hyper-parameters shown on hover (frontends).
inline constexpr std::string_view kArgs = "args";
/// List of dicts, one per aten op the node stands for (frontends); the keys
/// of an entry are kOpName, kOpOperands and kOpResults.
inline constexpr std::string_view kOps = "ops";
/// String: the aten op of an `ops` entry (`aten::conv2d`).
inline constexpr std::string_view kOpName = "op";
/// List: the operands of an `ops` entry in schema order.
inline constexpr std::string_view kOpOperands = "operands";
/// List of types: the results of an `ops` entry.
inline constexpr std::string_view kOpResults = "results";
/// String: execution status, one of the kStatus* values (frontends).
inline constexpr std::string_view kStatus = "status";
/// String: why the node failed (frontends).
inline constexpr std::string_view kError = "error";

/// The values of `status`; a node without one ran.
inline constexpr std::string_view kStatusOk = "ok";
inline constexpr std::string_view kStatusFailed = "failed";
inline constexpr std::string_view kStatusNotRun = "not-run";

/// Non-negative ints per node (cost).
inline constexpr std::string_view kCostActivationBytes =
    "cost.activation_bytes";
inline constexpr std::string_view kCostActivationElems =
    "cost.activation_elems";
inline constexpr std::string_view kCostBuffers = "cost.buffers";
inline constexpr std::string_view kCostFlops = "cost.flops";
inline constexpr std::string_view kCostMacs = "cost.macs";
inline constexpr std::string_view kCostParamBytes = "cost.param_bytes";
inline constexpr std::string_view kCostParams = "cost.params";
/// List of strings: aten ops of the node without a formula (cost).
inline constexpr std::string_view kCostUncounted = "cost.uncounted";

/// String: the top-level node a sub-node hangs under (merge).
inline constexpr std::string_view kParent = "parent";

/// String: the path of the innermost group the node is in (group).
inline constexpr std::string_view kGroup = "group";

/// Non-negative int, numbers, and a list of numbers with one per operand
/// (layout).
inline constexpr std::string_view kLayoutLevel = "layout.level";
inline constexpr std::string_view kLayoutX = "layout.x";
inline constexpr std::string_view kLayoutY = "layout.y";
inline constexpr std::string_view kLayoutOperandOffsets =
    "layout.operand_offsets";

/// String `#RRGGBB` and string (color).
inline constexpr std::string_view kColor = "color";
inline constexpr std::string_view kCategory = "category";

//===----------------------------------------------------------------------===//
// Typed accessors
//===----------------------------------------------------------------------===//
//
// Getters return a fallback when the attribute is absent or of another kind
// (the verifier reports the latter); callers that must diagnose a wrong kind
// read the key themselves.

/// Trainable parameters of a node: `cost.params` when the cost pass has run,
/// else the elements of the tensors in `params` (the parameters this node is
/// the first to read, so tied weights count once per graph). Saturates at
/// INT64_MAX. Merge, color and the renderers size nodes by it, through
/// ParamCountAnalysis (mav/Analysis/ParamCountAnalysis.h).
int64_t getParamCount(const Node &node);

/// `status`, or "ok" when the node has none.
std::string_view getStatus(const Node &node);
/// `error`, or "" when the node has none.
std::string_view getError(const Node &node);
/// `category`, or "" before the color pass.
std::string_view getCategory(const Node &node);
/// `color`, or "" before the color pass.
std::string_view getColor(const Node &node);
/// `cost.flops`, or 0 before the cost pass.
int64_t getFlops(const Node &node);
/// `layout.level`, or 0 before the layout pass.
int64_t getLayoutLevel(const Node &node);
/// `layout.direction`, or "down" before the layout pass.
std::string_view getLayoutDirection(const Graph &graph);
/// `cost.total_params` and `cost.total_flops`, if the cost pass has run.
std::optional<int64_t> getTotalParams(const Graph &graph);
std::optional<int64_t> getTotalFlops(const Graph &graph);

/// Whether the node has a `parent` (whatever its kind).
bool hasParent(const Node &node);
/// Makes `node` a sub-node of the node called `parentName` (merge).
void setParent(IRContext &context, Node &node, std::string_view parentName);

} // namespace mav::attrs

#endif // MAV_IR_MODELATTRIBUTES_H
