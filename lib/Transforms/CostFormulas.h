//===- CostFormulas.h - Formula families of the cost model ------*- C++ -*-===//
//
// Internal to the cost model (lib/Transforms/Cost*.cpp). Every aten op the
// model knows maps, through the table in CostOps.def, to one formula family
// and two constants; `applyFormula` turns an op's recorded operands into
// MACs and other flops by that family. The building blocks declared below
// (convolution, linear, attention, normalisation, pooling, recurrent) are
// shared with the module costs of CostModules.cpp, which build the same
// numbers from a module node's `params` and `args`.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_LIB_TRANSFORMS_COSTFORMULAS_H
#define MAV_LIB_TRANSFORMS_COSTFORMULAS_H

#include "CostOperands.h"

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace mav::cost::detail {

/// Formula families, one per COST_FAMILY line of CostOps.def, whose summary
/// says what the family computes and what its constants mean.
enum class Formula {
#define COST_FAMILY(Family, Summary) Family,
#include "CostOps.def"
};

/// One entry of the op table: a formula family and its constants.
struct FormulaSpec {
  Formula formula;
  int a = 0;
  int b = 0;
  /// Whether the formula needs nothing but the tensor operands in their
  /// positions, so that a function node without `ops` can use it.
  bool fromTypesOnly = false;
};

/// The table entry of an aten op by its canonical name (canonicalAtenName),
/// or null when the model has no formula for it. Defined in CostTable.cpp.
const FormulaSpec *lookupFormula(std::string_view canonicalName);

/// Applies one formula family to recorded operands; nullopt when the
/// formula needs a shape or argument the operands do not have.
std::optional<OpCost> applyFormula(const FormulaSpec &spec, const Operands &ops,
                                   const std::vector<Type> &results);

/// Convolution: every output position of every output channel is a dot
/// product over weight.dims[1:] (Cin/groups x kernel), so MACs = numel(out)
/// x prod(weight.dims[1:]). Transposed weights are [Cin, Cout/groups, k...]
/// and every input position scatters into prod(weight.dims[1:]) outputs.
std::optional<OpCost> convCost(const Type *input, const Type *weight,
                               bool hasBias, const Type *output,
                               bool transposed);

/// Linear: numel(out) dot products of length K, plus the bias add.
std::optional<OpCost> linearCost(const Type *weight, bool hasBias,
                                 const Type *output);

/// A multi-head attention block with its input and output projections:
/// q/k/v projections, attention, output projection, their biases.
struct MhaShape {
  Count batch; ///< B (1 when unbatched)
  int64_t queries;
  int64_t keys;
  int64_t embed; ///< E
  int64_t heads;
  bool inBias;
  bool outBias;
  bool hasMask;
};

/// MACs and other flops of the multi-head attention block `s`.
OpCost mhaCost(const MhaShape &s);

/// Normalisation: `perElement` flops per input element, +1 for a weight
/// (scale) and +1 for a bias (shift).
std::optional<OpCost> normCost(const Type *input, int64_t perElement,
                               bool hasWeight, bool hasBias);

/// Max or average pooling with a fixed window: every output element reads
/// prod(kernel) inputs (a single kernel size applies to every spatial dim),
/// and an average divides once more.
std::optional<OpCost> windowPoolCost(const Type *output,
                                     const std::vector<int64_t> &kernel,
                                     size_t spatialRank, bool average);

/// Flops per output element of an interpolation mode: a weighted sum over
/// `taps` inputs costs taps multiplies and taps - 1 adds; nearest copies.
std::optional<int> interpolationFlops(std::string_view mode);

/// A recurrent layer-direction: `steps` (time x batch) applications of a
/// cell with input and hidden weights (and an LSTM projection).
OpCost recurrentCost(Count steps, const Type &wIh, const Type &wHh,
                     const Type *wHr, int gates, int biases);

/// Rows (time steps x batch) an RNN input stands for: all dims but the
/// feature dim ([T, B, I], [B, T, I], unbatched [T, I], packed [sum, I]).
std::optional<Count> recurrentSteps(const Type *input);

/// Parses an einsum equation into per-operand and output subscripts and
/// returns the MACs of contracting the operands pairwise, left to right,
/// keeping only the subscripts still needed; one operand: a reduction.
/// Defined in CostEinsum.cpp.
std::optional<OpCost> einsumCost(std::string_view equation,
                                 const std::vector<const Type *> &tensors);

} // namespace mav::cost::detail

#endif // MAV_LIB_TRANSFORMS_COSTFORMULAS_H
