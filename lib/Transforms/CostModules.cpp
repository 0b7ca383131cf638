//===- CostModules.cpp - Cost of nodes without recorded ops ---------------===//
//
// Hand-written IR, and frontends that record no aten ops, give nodes with
// nothing but an operation string. `nn.X` module nodes are costed by
// building what the aten op would have seen from the node's `params`
// (weights by name), `args` (hyper-parameters) and operand types, and
// handing it to the same formula families (CostFormulas.h); function and
// method nodes (`relu()`, `.matmul()`) use the aten formula of their name
// when it reads nothing but tensor operands.
//
//===----------------------------------------------------------------------===//

#include "CostFormulas.h"

#include "mav/IR/ModelAttributes.h"

#include <map>
#include <string>

using namespace mav;
using namespace mav::cost;
using namespace mav::cost::detail;

namespace {

/// The parameter called `name` or `<prefix>.name` in a node's `params`.
const Type *findParam(const DictAttr &attrs, std::string_view name) {
  const Attribute *params = attrs.get(attrs::kParams);
  if (!params || !params->isDict())
    return nullptr;
  for (const NamedAttribute &entry : params->getDict()) {
    std::string_view key = entry.name;
    bool matches =
        key == name || (key.size() > name.size() &&
                        key.substr(key.size() - name.size()) == name &&
                        key[key.size() - name.size() - 1] == '.');
    if (matches && entry.value.isType() && entry.value.getType().isRanked())
      return &entry.value.getType();
  }
  return nullptr;
}

const Attribute *findArg(const DictAttr &attrs, std::string_view name) {
  const Attribute *args = attrs.get(attrs::kArgs);
  if (!args || !args->isDict())
    return nullptr;
  return args->getDict().get(name);
}

Attribute typeOrNone(const Type *type) {
  return type ? Attribute::type(*type) : Attribute::none();
}

/// Recurrent modules (nn.LSTM/GRU/RNN): every `weight_ih_l<k>[_reverse]`
/// parameter is one layer-direction.
std::optional<OpCost> recurrentModuleCost(const DictAttr &attrs,
                                          const Type *input, int gates) {
  const Attribute *params = attrs.get(attrs::kParams);
  auto steps = recurrentSteps(input);
  if (!params || !params->isDict() || !steps)
    return std::nullopt;
  OpCost cost;
  bool any = false;
  for (const NamedAttribute &entry : params->getDict()) {
    std::string_view key = entry.name;
    size_t dot = key.rfind('.');
    std::string_view leaf =
        dot == std::string_view::npos ? key : key.substr(dot + 1);
    if (leaf.substr(0, 11) != "weight_ih_l")
      continue;
    std::string suffix(leaf.substr(11));
    const Type *wIh = entry.value.isType() ? &entry.value.getType() : nullptr;
    const Type *wHh = findParam(attrs, "weight_hh_l" + suffix);
    const Type *wHr = findParam(attrs, "weight_hr_l" + suffix);
    if (!isStaticMatrix(wIh) || !isStaticMatrix(wHh) ||
        (wHr && !isStaticMatrix(wHr)))
      return std::nullopt;
    int biases = (findParam(attrs, "bias_ih_l" + suffix) ? 1 : 0) +
                 (findParam(attrs, "bias_hh_l" + suffix) ? 1 : 0);
    cost += recurrentCost(*steps, *wIh, *wHh, wHr, gates, biases);
    any = true;
  }
  if (!any)
    return std::nullopt;
  return cost;
}

/// nn.MultiheadAttention: (query, key, value) operands, batch_first and
/// num_heads from `args` (defaults false and 1).
std::optional<OpCost> mhaModuleCost(const DictAttr &attrs,
                                    const std::vector<Type> &operands) {
  if (operands.empty())
    return std::nullopt;
  const Type *q = operands[0].isRanked() ? &operands[0] : nullptr;
  const Type *k =
      operands.size() > 1 && operands[1].isRanked() ? &operands[1] : q;
  if (!q || !k || !q->hasStaticShape() || !k->hasStaticShape() ||
      q->getDims().size() != k->getDims().size() || q->getDims().size() < 2 ||
      q->getDims().size() > 3)
    return std::nullopt;
  const Attribute *batchFirstArg = findArg(attrs, "batch_first");
  bool batchFirst =
      batchFirstArg && batchFirstArg->isBool() && batchFirstArg->getBool();
  const std::vector<int64_t> &qd = q->getDims(), &kd = k->getDims();
  int64_t batch = 1, queries = qd[0], keys = kd[0];
  if (qd.size() == 3) {
    batch = batchFirst ? qd[0] : qd[1];
    queries = batchFirst ? qd[1] : qd[0];
    keys = batchFirst ? kd[1] : kd[0];
  }
  const Attribute *headsArg = findArg(attrs, "num_heads");
  int64_t heads = headsArg && headsArg->isInt() ? headsArg->getInt() : 1;
  bool inBias = findParam(attrs, "in_proj_bias") != nullptr;
  bool outBias = findParam(attrs, "out_proj.bias") != nullptr;
  MhaShape shape{batch, queries, keys,    qd.back(),
                 heads, inBias,  outBias, false};
  return mhaCost(shape);
}

/// The aten op a parameter-free module class computes, for modules whose
/// cost is a per-element formula of their (only) input.
std::optional<std::string_view> elementwiseModuleOp(std::string_view cls) {
  static const std::map<std::string_view, std::string_view> modules = {
      {"ReLU", "relu"},
      {"ReLU6", "relu6"},
      {"LeakyReLU", "leaky_relu"},
      {"PReLU", "prelu"},
      {"RReLU", "rrelu"},
      {"ELU", "elu"},
      {"CELU", "celu"},
      {"SELU", "selu"},
      {"SiLU", "silu"},
      {"Sigmoid", "sigmoid"},
      {"Tanh", "tanh"},
      {"Hardswish", "hardswish"},
      {"Hardsigmoid", "hardsigmoid"},
      {"Hardtanh", "hardtanh"},
      {"Mish", "mish"},
      {"Softplus", "softplus"},
      {"Softsign", "softsign"},
      {"LogSigmoid", "log_sigmoid"},
      {"Tanhshrink", "tanhshrink"},
      {"Hardshrink", "hardshrink"},
      {"Softshrink", "softshrink"},
      {"GLU", "glu"},
      {"Threshold", "threshold"},
      {"Softmax", "softmax"},
      {"Softmax2d", "softmax"},
      {"LogSoftmax", "log_softmax"},
      {"Softmin", "softmin"},
      {"Dropout", "view"},
      {"Dropout1d", "view"},
      {"Dropout2d", "view"},
      {"Dropout3d", "view"},
      {"AlphaDropout", "view"},
      {"FeatureAlphaDropout", "view"},
      {"Identity", "view"},
      {"Flatten", "view"},
      {"Unflatten", "view"},
      {"PixelShuffle", "view"},
      {"PixelUnshuffle", "view"},
      {"ChannelShuffle", "view"},
      {"Embedding", "view"},
      {"UpsamplingNearest2d", "view"},
      {"UpsamplingBilinear2d", "upsample_bilinear2d"},
      {"AdaptiveAvgPool1d", "adaptive_avg_pool1d"},
      {"AdaptiveAvgPool2d", "adaptive_avg_pool2d"},
      {"AdaptiveAvgPool3d", "adaptive_avg_pool3d"},
      {"AdaptiveMaxPool1d", "adaptive_max_pool1d"},
      {"AdaptiveMaxPool2d", "adaptive_max_pool2d"},
      {"AdaptiveMaxPool3d", "adaptive_max_pool3d"},
  };
  if (auto it = modules.find(cls); it != modules.end())
    return it->second;
  // Padding modules only copy.
  for (std::string_view prefix : {"ZeroPad", "ConstantPad", "ReflectionPad",
                                  "ReplicationPad", "CircularPad"})
    if (cls.substr(0, prefix.size()) == prefix)
      return std::string_view("view");
  return std::nullopt;
}

/// Spatial rank from a class name ending in `1d`, `2d` or `3d`.
int spatialRankOf(std::string_view cls) {
  if (cls.size() >= 2 && cls.back() == 'd' && cls[cls.size() - 2] >= '1' &&
      cls[cls.size() - 2] <= '3')
    return cls[cls.size() - 2] - '0';
  return 0;
}

std::optional<OpCost> moduleCost(std::string_view cls, const DictAttr &attrs,
                                 const std::vector<Type> &operands,
                                 const std::vector<Type> &results) {
  const Type *input =
      !operands.empty() && operands[0].isRanked() ? &operands[0] : nullptr;
  const Type *out = firstResult(results);
  const Type *weight = findParam(attrs, "weight");
  bool hasBias = findParam(attrs, "bias") != nullptr;

  if (std::optional<std::string_view> aten = elementwiseModuleOp(cls)) {
    ListAttr list;
    list.push_back(typeOrNone(input));
    const FormulaSpec *spec = lookupFormula(*aten);
    return spec ? applyFormula(*spec, Operands(list), results) : std::nullopt;
  }
  if (cls == "GELU") {
    const Attribute *approximate = findArg(attrs, "approximate");
    // Only "tanh" changes the formula; an absent argument reads as none.
    ListAttr list{typeOrNone(input),
                  approximate ? *approximate : Attribute::none()};
    return applyFormula({Formula::Gelu}, Operands(list), results);
  }
  if (startsWith(cls, "ConvTranspose") || startsWith(cls, "LazyConvTranspose"))
    return convCost(input, weight, hasBias, out, true);
  if (startsWith(cls, "Conv") || startsWith(cls, "LazyConv"))
    return convCost(input, weight, hasBias, out, false);
  if (cls == "Linear" || cls == "LazyLinear")
    return linearCost(weight, hasBias, out);
  if (startsWith(cls, "BatchNorm") || startsWith(cls, "LazyBatchNorm") ||
      cls == "SyncBatchNorm")
    return normCost(input, 2, weight != nullptr, hasBias);
  if (cls == "LayerNorm" || cls == "GroupNorm")
    return normCost(input, 6, weight != nullptr, hasBias);
  if (startsWith(cls, "InstanceNorm") || startsWith(cls, "LazyInstanceNorm")) {
    const Attribute *running = findArg(attrs, "track_running_stats");
    bool useRunningStats = running && running->isBool() && running->getBool();
    return normCost(input, useRunningStats ? 2 : 6, weight != nullptr, hasBias);
  }
  if (cls == "RMSNorm")
    return normCost(input, 3, weight != nullptr, false);
  if (startsWith(cls, "MaxPool") || startsWith(cls, "AvgPool")) {
    int rank = spatialRankOf(cls);
    const Attribute *kernelArg = findArg(attrs, "kernel_size");
    if (!rank || !kernelArg)
      return std::nullopt;
    ListAttr list{typeOrNone(input), *kernelArg};
    auto kernel = Operands(list).getIntList(1);
    if (!kernel)
      return std::nullopt;
    return windowPoolCost(out, *kernel, rank, startsWith(cls, "AvgPool"));
  }
  if (cls == "Upsample") {
    const Attribute *modeArg = findArg(attrs, "mode");
    std::string_view mode = modeArg && modeArg->isString()
                                ? std::string_view(modeArg->getString())
                                : "nearest";
    std::optional<int> flops = interpolationFlops(mode);
    auto outElems = numel(out);
    if (!flops || !outElems)
      return std::nullopt;
    OpCost cost;
    cost.otherFlops = *outElems * Count(*flops);
    return cost;
  }
  if (cls == "MultiheadAttention")
    return mhaModuleCost(attrs, operands);
  if (cls == "LSTM")
    return recurrentModuleCost(attrs, input, 4);
  if (cls == "GRU")
    return recurrentModuleCost(attrs, input, 3);
  if (cls == "RNN")
    return recurrentModuleCost(attrs, input, 1);
  if (cls == "LSTMCell" || cls == "GRUCell" || cls == "RNNCell") {
    int gates = cls == "LSTMCell" ? 4 : cls == "GRUCell" ? 3 : 1;
    const Type *wIh = findParam(attrs, "weight_ih");
    const Type *wHh = findParam(attrs, "weight_hh");
    ListAttr list{typeOrNone(input),
                  Attribute::none(),
                  typeOrNone(wIh),
                  typeOrNone(wHh),
                  typeOrNone(findParam(attrs, "bias_ih")),
                  typeOrNone(findParam(attrs, "bias_hh"))};
    return applyFormula({Formula::RnnCell, gates}, Operands(list), results);
  }
  return std::nullopt;
}

} // namespace

//===----------------------------------------------------------------------===//
// Public entry points for nodes
//===----------------------------------------------------------------------===//

std::optional<OpCost>
cost::costFromOperation(std::string_view operation, const DictAttr &attrs,
                        const std::vector<Type> &operandTypes,
                        const std::vector<Type> &resultTypes) {
  if (startsWith(operation, "nn."))
    return moduleCost(operation.substr(3), attrs, operandTypes, resultTypes);
  // Function `relu()` or method `.relu()` nodes: only formulas that read
  // nothing but tensor operands in their positions.
  if (operation.size() < 3 || operation.substr(operation.size() - 2) != "()")
    return std::nullopt;
  std::string_view name = operation.substr(0, operation.size() - 2);
  if (!name.empty() && name.front() == '.')
    name.remove_prefix(1);
  std::string canonical = canonicalAtenName("aten::" + std::string(name));
  const FormulaSpec *spec = lookupFormula(canonical);
  if (!spec || !spec->fromTypesOnly)
    return std::nullopt;
  ListAttr operands;
  for (const Type &type : operandTypes)
    operands.push_back(Attribute::type(type));
  return applyFormula(*spec, Operands(operands), resultTypes);
}
