//===- CostFormulas.cpp - Formula families of the cost model --------------===//
//
// One function per formula family turns an op's recorded operands into MACs
// and other flops; `applyFormula` picks it by the family an op has in the
// table (CostOps.def) and passes it the family's constants. The building
// blocks (convolution, linear, attention, normalisation, pooling, recurrent)
// are shared with the module costs in CostModules.cpp. docs/Costs.md derives
// and documents every constant used here; keep the two in step.
//
// Conventions (see docs/Costs.md): a MAC is one multiply-accumulate of
// matmul-like work and is reported as 2 flops; every other arithmetic
// operation (add, multiply, compare, exp, erf, tanh...) counts as 1 flop.
//
//===----------------------------------------------------------------------===//

#include "CostFormulas.h"

#include <algorithm>
#include <numeric>

using namespace mav;
using namespace mav::cost;
using namespace mav::cost::detail;

namespace {

/// Flops per hidden unit and time step of the elementwise part of a
/// recurrent cell, without bias adds (docs/Costs.md "Recurrent").
int64_t cellElementwiseFlops(int gates) {
  switch (gates) {
  case 4: // LSTM: gate sums 4, sigmoid x3 = 12, tanh 1, c' 3, tanh 1, h' 1
    return 22;
  case 3: // GRU: r/z sums 2, sigmoid x2 = 8, n 3, h' 4
    return 17;
  default: // RNN: sum 1, tanh or relu 1
    return 2;
  }
}

/// Shapes of one attention computation, after the heads were split off
/// (`batch` counts batch x heads for softmax purposes).
struct AttentionShape {
  Count batch;     ///< product of batch (and head) dims
  int64_t queries; ///< L
  int64_t keys;    ///< S
  int64_t qkDim;   ///< E (per head: summed over heads it is the same)
  int64_t vDim;    ///< Ev
};

/// Q K^T and A V: batch x L x S x (E + Ev) MACs; scaling Q (batch x L x E),
/// softmax (5 per score) and an additive mask (1 per score).
OpCost attentionCost(const AttentionShape &s, Count softmaxRows, bool hasMask) {
  OpCost cost;
  Count scores = softmaxRows * Count(s.keys);
  cost.macs = s.batch * Count(s.queries) * Count(s.keys) *
              (Count(s.qkDim) + Count(s.vDim));
  cost.otherFlops = s.batch * Count(s.queries) * Count(s.qkDim) +
                    Count(5) * scores + (hasMask ? scores : Count(0));
  return cost;
}

/// Windows of adaptive pooling along one dimension: output i reads
/// [floor(i*I/O), ceil((i+1)*I/O)), and the window lengths sum to
/// I + O - gcd(I, O) (docs/Costs.md derives it).
Count adaptiveWindowSum(int64_t in, int64_t out) {
  if (in <= 0 || out <= 0)
    return 0;
  return Count(in) + Count(out - std::gcd(in, out));
}

std::optional<OpCost> adaptivePoolCost(const Type *input, const Type *output,
                                       size_t spatialRank, bool average) {
  if (!input || !output ||
      input->getDims().size() != output->getDims().size() ||
      input->getDims().size() < spatialRank)
    return std::nullopt;
  size_t rank = input->getDims().size();
  auto outer = dimProduct(*output, 0, rank - spatialRank);
  auto outElems = numel(output);
  if (!outer || !outElems || !input->hasStaticShape())
    return std::nullopt;
  Count reads = *outer;
  for (size_t d = rank - spatialRank; d < rank; ++d)
    reads *= adaptiveWindowSum(input->getDims()[d], output->getDims()[d]);
  OpCost cost;
  cost.otherFlops = reads + (average ? *outElems : Count(0));
  return cost;
}

} // namespace

//===----------------------------------------------------------------------===//
// Building blocks shared with module costs
//===----------------------------------------------------------------------===//

std::optional<OpCost> cost::detail::convCost(const Type *input,
                                             const Type *weight, bool hasBias,
                                             const Type *output,
                                             bool transposed) {
  if (!weight || weight->getDims().size() < 3)
    return std::nullopt;
  auto perPosition = dimProduct(*weight, 1, weight->getDims().size());
  auto outElems = numel(output);
  auto positions = transposed ? numel(input) : outElems;
  if (!perPosition || !outElems || !positions)
    return std::nullopt;
  OpCost cost;
  cost.macs = *positions * *perPosition;
  if (hasBias)
    cost.otherFlops = *outElems;
  return cost;
}

std::optional<OpCost> cost::detail::linearCost(const Type *weight, bool hasBias,
                                               const Type *output) {
  auto k = lastDim(weight);
  auto outElems = numel(output);
  if (!k || !outElems)
    return std::nullopt;
  OpCost cost;
  cost.macs = *outElems * Count(*k);
  if (hasBias)
    cost.otherFlops = *outElems;
  return cost;
}

OpCost cost::detail::mhaCost(const MhaShape &s) {
  Count rowsQ = s.batch * Count(s.queries);
  Count rowsKV = s.batch * Count(s.keys);
  Count e = s.embed;
  OpCost cost;
  // Projections: Q (rowsQ x E x E), K and V (rowsKV x E x E each), output.
  cost.macs = rowsQ * e * e * Count(2) + rowsKV * e * e * Count(2);
  if (s.inBias)
    cost.otherFlops += rowsQ * e + rowsKV * e * Count(2);
  if (s.outBias)
    cost.otherFlops += rowsQ * e;
  AttentionShape attention{s.batch, s.queries, s.keys, s.embed, s.embed};
  cost += attentionCost(attention,
                        s.batch * Count(std::max<int64_t>(s.heads, 1)) *
                            Count(s.queries),
                        s.hasMask);
  return cost;
}

std::optional<OpCost> cost::detail::normCost(const Type *input,
                                             int64_t perElement, bool hasWeight,
                                             bool hasBias) {
  auto n = numel(input);
  if (!n)
    return std::nullopt;
  OpCost cost;
  cost.otherFlops =
      *n * Count(perElement + (hasWeight ? 1 : 0) + (hasBias ? 1 : 0));
  return cost;
}

std::optional<OpCost>
cost::detail::windowPoolCost(const Type *output,
                             const std::vector<int64_t> &kernel,
                             size_t spatialRank, bool average) {
  auto outElems = numel(output);
  if (!outElems || kernel.empty() ||
      (kernel.size() != 1 && kernel.size() != spatialRank))
    return std::nullopt;
  Count window = 1;
  for (size_t d = 0; d < spatialRank; ++d) {
    int64_t k = kernel.size() == 1 ? kernel[0] : kernel[d];
    if (k <= 0)
      return std::nullopt;
    window *= Count(k);
  }
  OpCost cost;
  cost.otherFlops = *outElems * window + (average ? *outElems : Count(0));
  return cost;
}

std::optional<int> cost::detail::interpolationFlops(std::string_view mode) {
  if (mode == "nearest" || mode == "nearest-exact" || mode == "nearest_exact")
    return 0;
  if (mode == "linear")
    return 3;
  if (mode == "bilinear")
    return 7;
  if (mode == "trilinear")
    return 15;
  if (mode == "bicubic")
    return 31;
  return std::nullopt;
}

OpCost cost::detail::recurrentCost(Count steps, const Type &wIh,
                                   const Type &wHh, const Type *wHr, int gates,
                                   int biases) {
  OpCost cost;
  Count weights = *getNumElements(wIh) + *getNumElements(wHh);
  if (wHr)
    weights += *getNumElements(*wHr);
  cost.macs = steps * weights;
  int64_t hidden = wIh.getDims()[0] / gates;
  cost.otherFlops =
      steps * Count(hidden) *
      Count(cellElementwiseFlops(gates) + static_cast<int64_t>(biases) * gates);
  return cost;
}

std::optional<Count> cost::detail::recurrentSteps(const Type *input) {
  if (!input || input->getDims().size() < 2)
    return std::nullopt;
  return dimProduct(*input, 0, input->getDims().size() - 1);
}

//===----------------------------------------------------------------------===//
// Applying a formula family
//===----------------------------------------------------------------------===//

std::optional<OpCost>
cost::detail::applyFormula(const FormulaSpec &spec, const Operands &ops,
                           const std::vector<Type> &results) {
  const Type *out = firstResult(results);
  auto perOutputElement = [&](int64_t flops) -> std::optional<OpCost> {
    auto n = numel(out);
    if (!n)
      return std::nullopt;
    OpCost cost;
    cost.otherFlops = *n * Count(flops);
    return cost;
  };

  switch (spec.formula) {
  case Formula::Zero:
    return OpCost{};
  case Formula::Elementwise:
    return perOutputElement(spec.a);
  case Formula::AddSub: {
    std::optional<double> alpha = ops.getNumber(2);
    return perOutputElement(alpha && *alpha != 1.0 ? 2 : 1);
  }
  case Formula::Gelu: {
    std::optional<std::string_view> approximate = ops.getString(1);
    return perOutputElement(approximate && *approximate == "tanh" ? 9 : 5);
  }
  case Formula::Softmax: {
    auto n = numel(ops.tensor(0));
    if (!n)
      n = numel(out);
    if (!n)
      return std::nullopt;
    OpCost cost;
    cost.otherFlops = *n * Count(spec.a);
    return cost;
  }
  case Formula::MaxMin:
    if (ops.isTensor(1))
      return perOutputElement(1);
    [[fallthrough]];
  case Formula::Reduction: {
    auto in = numel(ops.tensor(0));
    auto outElems = numel(out);
    if (!in || !outElems)
      return std::nullopt;
    OpCost cost;
    cost.otherFlops =
        *in * Count(spec.formula == Formula::MaxMin ? 1 : spec.a) +
        *outElems * Count(spec.b);
    return cost;
  }
  case Formula::Dropout: {
    if (!ops.getBool(2, false))
      return OpCost{};
    return perOutputElement(2);
  }
  case Formula::Conv: {
    bool transposed = spec.a == 1 || ops.getBool(6, false);
    return convCost(ops.tensor(0), ops.tensor(1), ops.isTensor(2), out,
                    transposed);
  }
  case Formula::Linear:
    return linearCost(ops.tensor(1), ops.isTensor(2), out);
  case Formula::MatmulLike: {
    // Every output element is a dot product over the last dimension of the
    // left factor (operand a; operand 0 is the added term when b is set).
    auto k = lastDim(ops.tensor(spec.a));
    auto outElems = numel(out);
    if (!k || !outElems)
      return std::nullopt;
    OpCost cost;
    cost.macs = *outElems * Count(*k);
    std::optional<double> beta = ops.getNumber(3);
    if (spec.b && !(beta && *beta == 0.0))
      cost.otherFlops = *outElems;
    return cost;
  }
  case Formula::Addbmm: {
    const Type *batch1 = ops.tensor(1);
    auto outElems = numel(out);
    if (!batch1 || batch1->getDims().size() != 3 || !batch1->hasStaticShape() ||
        !outElems)
      return std::nullopt;
    OpCost cost;
    cost.macs =
        *outElems * Count(batch1->getDims()[0]) * Count(batch1->getDims()[2]);
    std::optional<double> beta = ops.getNumber(3);
    if (!(beta && *beta == 0.0))
      cost.otherFlops = *outElems;
    return cost;
  }
  case Formula::Einsum: {
    std::optional<std::string_view> equation = ops.getString(0);
    auto tensors = ops.getTensorList(1);
    if (!equation || !tensors)
      return std::nullopt;
    return einsumCost(*equation, *tensors);
  }
  case Formula::Attention: {
    const Type *q = ops.tensor(0), *k = ops.tensor(1), *v = ops.tensor(2);
    auto queries = dimFromEnd(q, 2), qkDim = dimFromEnd(q, 1);
    auto keys = dimFromEnd(k, 2), vDim = dimFromEnd(v, 1);
    if (!queries || !qkDim || !keys || !vDim)
      return std::nullopt;
    auto batch = dimProduct(*q, 0, q->getDims().size() - 2);
    if (!batch)
      return std::nullopt;
    AttentionShape shape{*batch, *queries, *keys, *qkDim, *vDim};
    return attentionCost(shape, *batch * Count(*queries), ops.isTensor(3));
  }
  case Formula::NativeMha: {
    const Type *q = ops.tensor(0), *k = ops.tensor(1);
    auto queries = dimFromEnd(q, 2), embed = dimFromEnd(q, 1);
    auto keys = dimFromEnd(k, 2);
    if (!queries || !embed || !keys)
      return std::nullopt;
    auto batch = dimProduct(*q, 0, q->getDims().size() - 2);
    if (!batch)
      return std::nullopt;
    MhaShape shape{*batch,
                   *queries,
                   *keys,
                   *embed,
                   ops.getInt(4).value_or(1),
                   ops.isTensor(6),
                   ops.isTensor(8),
                   ops.isTensor(9)};
    return mhaCost(shape);
  }
  case Formula::EncoderLayer: {
    const Type *src = ops.tensor(0);
    auto length = dimFromEnd(src, 2), embed = dimFromEnd(src, 1);
    const Type *ffn1 = ops.tensor(14);
    if (!length || !embed || !isStaticMatrix(ffn1))
      return std::nullopt;
    auto batch = dimProduct(*src, 0, src->getDims().size() - 2);
    if (!batch)
      return std::nullopt;
    MhaShape shape{*batch,
                   *length,
                   *length,
                   *embed,
                   ops.getInt(2).value_or(1),
                   ops.isTensor(4),
                   ops.isTensor(6),
                   ops.isTensor(18)};
    OpCost cost = mhaCost(shape);
    Count rows = *batch * Count(*length);
    Count e = *embed, f = ffn1->getDims()[0];
    // Two layer norms, two residual adds, the feed-forward block.
    Count normFlops =
        Count(6 + (ops.isTensor(10) ? 1 : 0) + (ops.isTensor(11) ? 1 : 0)) +
        Count(6 + (ops.isTensor(12) ? 1 : 0) + (ops.isTensor(13) ? 1 : 0));
    cost.otherFlops += rows * e * (normFlops + Count(2));
    cost.macs += rows * e * f * Count(2);
    cost.otherFlops += rows * f * Count(ops.getBool(7, false) ? 5 : 1);
    if (ops.isTensor(15))
      cost.otherFlops += rows * f;
    if (ops.isTensor(17))
      cost.otherFlops += rows * e;
    return cost;
  }
  case Formula::RnnLayer: {
    // The params list is the operand followed by `bool has_biases`: index
    // 2 for the `.input` overloads, 3 for the packed `.data` ones.
    size_t p = 1;
    while (p + 5 < ops.size() && !(ops.isList(p) && ops.isBool(p + 1)))
      ++p;
    if (p + 5 >= ops.size())
      return std::nullopt;
    auto params = ops.getTensorList(p);
    auto layers = ops.getInt(p + 2);
    bool hasBiases = ops.getBool(p + 1, true);
    int directions = ops.getBool(p + 5, false) ? 2 : 1;
    auto steps = recurrentSteps(ops.tensor(0));
    if (!params || !layers || *layers <= 0 || !steps)
      return std::nullopt;
    size_t groups = static_cast<size_t>(*layers) * directions;
    if (params->empty() || params->size() % groups != 0)
      return std::nullopt;
    size_t perGroup = params->size() / groups;
    size_t expected = hasBiases ? 4 : 2;
    bool projection = perGroup == expected + 1;
    if (perGroup != expected && !projection)
      return std::nullopt;
    OpCost cost;
    for (size_t g = 0; g < groups; ++g) {
      const Type *wIh = (*params)[g * perGroup];
      const Type *wHh = (*params)[g * perGroup + 1];
      const Type *wHr =
          projection ? (*params)[g * perGroup + perGroup - 1] : nullptr;
      if (!isStaticMatrix(wIh) || !isStaticMatrix(wHh) ||
          (wHr && !isStaticMatrix(wHr)))
        return std::nullopt;
      cost += recurrentCost(*steps, *wIh, *wHh, wHr, spec.a, hasBiases ? 2 : 0);
    }
    return cost;
  }
  case Formula::RnnCell: {
    const Type *wIh = ops.tensor(2), *wHh = ops.tensor(3);
    auto steps = recurrentSteps(ops.tensor(0));
    if (!steps && ops.tensor(0) && ops.tensor(0)->getDims().size() == 1)
      steps = Count(1); // unbatched input
    if (!isStaticMatrix(wIh) || !isStaticMatrix(wHh) || !steps)
      return std::nullopt;
    int biases = (ops.isTensor(4) ? 1 : 0) + (ops.isTensor(5) ? 1 : 0);
    return recurrentCost(*steps, *wIh, *wHh, nullptr, spec.a, biases);
  }
  case Formula::BatchNorm:
    return normCost(ops.tensor(0), ops.getBool(5, false) ? 6 : 2,
                    ops.isTensor(1), ops.isTensor(2));
  case Formula::LayerNorm:
    return normCost(ops.tensor(0), 6, ops.isTensor(spec.a),
                    ops.isTensor(spec.a + 1));
  case Formula::InstanceNorm:
    return normCost(ops.tensor(0), ops.getBool(5, true) ? 6 : 2,
                    ops.isTensor(1), ops.isTensor(2));
  case Formula::RmsNorm:
    return normCost(ops.tensor(0), 3, ops.isTensor(2), false);
  case Formula::MaxPool:
  case Formula::AvgPool: {
    auto kernel = ops.getIntList(1);
    if (!kernel)
      return std::nullopt;
    return windowPoolCost(out, *kernel, spec.a,
                          spec.formula == Formula::AvgPool);
  }
  case Formula::AdaptiveMaxPool:
  case Formula::AdaptiveAvgPool:
    return adaptivePoolCost(ops.tensor(0), out, spec.a,
                            spec.formula == Formula::AdaptiveAvgPool);
  case Formula::Upsample:
    return perOutputElement(spec.a);
  case Formula::Interpolate: {
    std::string_view mode = ops.getString(3).value_or("nearest");
    if (mode == "area") {
      const Type *in = ops.tensor(0);
      if (!in || in->getDims().size() < 3)
        return std::nullopt;
      return adaptivePoolCost(in, out, in->getDims().size() - 2, true);
    }
    std::optional<int> flops = interpolationFlops(mode);
    if (!flops)
      return std::nullopt;
    return perOutputElement(*flops);
  }
  }
  return std::nullopt;
}
