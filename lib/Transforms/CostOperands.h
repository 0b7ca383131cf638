//===- CostOperands.h - Reading the operands of recorded ops ----*- C++ -*-===//
//
// Internal to the cost model (lib/Transforms/Cost*.cpp). A frontend records
// each aten op with its operands in schema order: tensors as type attributes,
// scalars as values. `Operands` reads that list with typed, bounds-checked
// getters, and the shape helpers below read dimensions; every one of them
// returns nullopt (or null) when the operand is absent, of another kind or of
// unknown shape, so a formula never reads past what the IR says.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_LIB_TRANSFORMS_COSTOPERANDS_H
#define MAV_LIB_TRANSFORMS_COSTOPERANDS_H

#include "mav/Transforms/CostModel.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

namespace mav::cost::detail {

/// Typed, bounds-checked access to the operands of one recorded op. Every
/// getter returns nullopt (or null) when the operand is absent or of another
/// kind, so formulas never read past what the IR says.
class Operands {
public:
  explicit Operands(const ListAttr &list) : list(list) {}

  size_t size() const { return list.size(); }

  /// A ranked tensor operand, or null.
  const Type *tensor(size_t i) const {
    if (i >= list.size() || !list[i].isType())
      return nullptr;
    const Type &type = list[i].getType();
    return type.isRanked() ? &type : nullptr;
  }
  /// Whether operand i is a tensor (ranked or not); `none` is not.
  bool isTensor(size_t i) const {
    return i < list.size() && list[i].isType() && list[i].getType().isTensor();
  }
  std::optional<int64_t> getInt(size_t i) const {
    if (i < list.size() && list[i].isInt())
      return list[i].getInt();
    return std::nullopt;
  }
  std::optional<double> getNumber(size_t i) const {
    if (i < list.size() && list[i].isNumber())
      return list[i].getNumber();
    return std::nullopt;
  }
  bool getBool(size_t i, bool fallback) const {
    if (i < list.size() && list[i].isBool())
      return list[i].getBool();
    return fallback;
  }
  bool isBool(size_t i) const { return i < list.size() && list[i].isBool(); }
  std::optional<std::string_view> getString(size_t i) const {
    if (i < list.size() && list[i].isString())
      return std::string_view(list[i].getString());
    return std::nullopt;
  }
  /// An int list (`[3, 3]`) or a single int (`3`).
  std::optional<std::vector<int64_t>> getIntList(size_t i) const {
    if (i >= list.size())
      return std::nullopt;
    if (list[i].isInt())
      return std::vector<int64_t>{list[i].getInt()};
    if (!list[i].isList())
      return std::nullopt;
    std::vector<int64_t> values;
    for (const Attribute &element : list[i].getList()) {
      if (!element.isInt())
        return std::nullopt;
      values.push_back(element.getInt());
    }
    return values;
  }
  /// A list of ranked tensors: a list attribute of tensor types, or a tuple
  /// type.
  std::optional<std::vector<const Type *>> getTensorList(size_t i) const {
    if (i >= list.size())
      return std::nullopt;
    std::vector<const Type *> tensors;
    if (list[i].isList()) {
      for (const Attribute &element : list[i].getList()) {
        if (!element.isType() || !element.getType().isRanked())
          return std::nullopt;
        tensors.push_back(&element.getType());
      }
      return tensors;
    }
    if (list[i].isType() && list[i].getType().getKind() == Type::Kind::Tuple) {
      for (const Type &element : list[i].getType().getElements()) {
        if (!element.isRanked())
          return std::nullopt;
        tensors.push_back(&element);
      }
      return tensors;
    }
    return std::nullopt;
  }
  bool isList(size_t i) const {
    return i < list.size() &&
           (list[i].isList() ||
            (list[i].isType() &&
             list[i].getType().getKind() == Type::Kind::Tuple));
  }

private:
  const ListAttr &list;
};

/// Whether a type is or contains a tensor.
bool containsTensor(const Type &type);

/// Whether an operand is or contains a tensor (a type, or a list of them).
bool containsTensor(const Attribute &attr);

/// Number of elements of a ranked static tensor; nullopt otherwise.
std::optional<Count> numel(const Type *type);

/// Product of the dims [begin, end) of a ranked static tensor.
std::optional<Count> dimProduct(const Type &type, size_t begin, size_t end);

/// Last dimension of a ranked tensor, if known.
std::optional<int64_t> lastDim(const Type *type);

/// A dimension counted from the end (1 = last), if known.
std::optional<int64_t> dimFromEnd(const Type *type, size_t fromEnd);

/// The first result of an op as a ranked tensor: the result itself, or the
/// first element of a tuple result (`(values, indices)`); null otherwise.
const Type *firstResult(const std::vector<Type> &results);

/// Whether a type is a 2-D tensor of static shape (an RNN weight matrix).
bool isStaticMatrix(const Type *type);

/// Whether `s` begins with `prefix`.
bool startsWith(std::string_view s, std::string_view prefix);

} // namespace mav::cost::detail

#endif // MAV_LIB_TRANSFORMS_COSTOPERANDS_H
