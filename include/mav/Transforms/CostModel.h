//===- CostModel.h - Cost formulas of aten ops and nn modules ---*- C++ -*-===//
//
// The formula table behind the `cost` pass: how many multiply-accumulates
// (MACs) and other floating-point operations one aten op performs, computed
// only from what the IR records about it (its name, operand types and scalar
// arguments in schema order, result types), and the same for a node that has
// no `ops` from its operation string (`nn.Conv2d`, `relu()`...). Nothing here
// runs a model. docs/Costs.md lists every formula.
//
// Counts are 64-bit and saturate instead of overflowing: a `Count` that went
// past INT64_MAX stays at INT64_MAX and remembers it, so the pass can warn.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_TRANSFORMS_COSTMODEL_H
#define MAV_TRANSFORMS_COSTMODEL_H

#include "mav/IR/Attribute.h"
#include "mav/IR/Type.h"

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mav::cost {

/// A non-negative 64-bit count that saturates at INT64_MAX on overflow
/// (checked with __builtin_*_overflow; never undefined behaviour).
class Count {
public:
  constexpr Count() = default;
  /// Negative values are a programming error; they are clamped to 0.
  constexpr Count(int64_t value) : value(value < 0 ? 0 : value) {}

  static Count saturatedValue() {
    Count c;
    c.value = std::numeric_limits<int64_t>::max();
    c.saturated = true;
    return c;
  }

  int64_t get() const { return value; }
  /// Whether some operation leading to this value overflowed.
  bool isSaturated() const { return saturated; }

  Count operator+(Count other) const {
    int64_t sum;
    if (saturated || other.saturated ||
        __builtin_add_overflow(value, other.value, &sum))
      return saturatedValue();
    return Count(sum);
  }
  Count operator*(Count other) const {
    // 0 times anything is 0, even times a saturated count.
    if ((!saturated && value == 0) || (!other.saturated && other.value == 0))
      return Count(0);
    int64_t product;
    if (saturated || other.saturated ||
        __builtin_mul_overflow(value, other.value, &product))
      return saturatedValue();
    return Count(product);
  }
  Count &operator+=(Count other) { return *this = *this + other; }
  Count &operator*=(Count other) { return *this = *this * other; }
  bool operator==(const Count &other) const {
    return value == other.value && saturated == other.saturated;
  }

private:
  int64_t value = 0;
  bool saturated = false;
};

/// Number of elements of a ranked tensor type with a static shape, computed
/// with saturation (so a huge shape gives a saturated count, not nullopt);
/// nullopt for non-tensors and unknown dimensions.
std::optional<Count> getNumElements(const Type &type);

/// The cost of one op (or one node).
struct OpCost {
  /// Multiply-accumulates of matmul-like work (conv, linear, matmul,
  /// attention, recurrent cells): what torchvision and fvcore call FLOPs.
  Count macs;
  /// Every other floating-point operation: bias adds, normalisation,
  /// activations, pooling, elementwise arithmetic, softmax... The pass
  /// reports `flops = 2 * macs + otherFlops`.
  Count otherFlops;

  OpCost &operator+=(const OpCost &other) {
    macs += other.macs;
    otherFlops += other.otherFlops;
    return *this;
  }
};

/// The name an aten op is looked up by: `aten::add_.Tensor` -> `add`
/// (namespace, overload name and the in-place `_` suffix dropped; dunder
/// names such as `__and__` are kept). Ops outside `aten::` keep their full
/// name, so that they never match an aten formula.
std::string canonicalAtenName(std::string_view op);

/// Whether the table has a formula for `op` (any spelling accepted by
/// canonicalAtenName).
bool hasAtenFormula(std::string_view op);

/// The cost of one aten op from its recorded operands (one entry per schema
/// argument, tensors as type attributes) and result types. Returns nullopt
/// when there is no formula for the op, or when the formula needs a shape
/// or argument that the IR does not have (e.g. an unknown dimension). An op
/// that involves no tensor at all (TorchScript scalar arithmetic such as
/// `aten::add.int`, list bookkeeping) costs 0.
std::optional<OpCost> costAtenOp(std::string_view op, const ListAttr &operands,
                                 const std::vector<Type> &results);

/// The cost of a node without `ops`, from its operation string: `nn.X`
/// modules (using `params` shapes and `args` hyper-parameters), and
/// function or method nodes (`relu()`, `.matmul()`) whose formula needs
/// nothing but the operand and result types. nullopt when there is none.
std::optional<OpCost> costFromOperation(std::string_view operation,
                                        const DictAttr &attrs,
                                        const std::vector<Type> &operandTypes,
                                        const std::vector<Type> &resultTypes);

} // namespace mav::cost

#endif // MAV_TRANSFORMS_COSTMODEL_H
