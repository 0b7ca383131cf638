//===- CostOperands.cpp - Shapes of recorded operands and results ---------===//
//
// The shape helpers every formula reads dimensions through (CostOperands.h),
// and `getNumElements`, the public count of a tensor's elements. All counts
// saturate instead of overflowing; unknown dimensions give nullopt.
//
//===----------------------------------------------------------------------===//

#include "CostOperands.h"

using namespace mav;
using namespace mav::cost;

std::optional<Count> cost::getNumElements(const Type &type) {
  if (!type.isRanked())
    return std::nullopt;
  Count n = 1;
  for (int64_t d : type.getDims()) {
    if (d < 0)
      return std::nullopt;
    n *= Count(d);
  }
  return n;
}

bool cost::detail::containsTensor(const Type &type) {
  if (type.isTensor())
    return true;
  for (const Type &element : type.getElements())
    if (containsTensor(element))
      return true;
  return false;
}

bool cost::detail::containsTensor(const Attribute &attr) {
  if (attr.isType())
    return containsTensor(attr.getType());
  if (attr.isList())
    for (const Attribute &element : attr.getList())
      if (containsTensor(element))
        return true;
  return false;
}

std::optional<Count> cost::detail::numel(const Type *type) {
  if (!type)
    return std::nullopt;
  return getNumElements(*type);
}

std::optional<Count> cost::detail::dimProduct(const Type &type, size_t begin,
                                              size_t end) {
  const std::vector<int64_t> &dims = type.getDims();
  Count n = 1;
  for (size_t i = begin; i < end && i < dims.size(); ++i) {
    if (dims[i] < 0)
      return std::nullopt;
    n *= Count(dims[i]);
  }
  return n;
}

std::optional<int64_t> cost::detail::lastDim(const Type *type) {
  if (!type || type->getDims().empty() || type->getDims().back() < 0)
    return std::nullopt;
  return type->getDims().back();
}

std::optional<int64_t> cost::detail::dimFromEnd(const Type *type,
                                                size_t fromEnd) {
  if (!type || type->getDims().size() < fromEnd)
    return std::nullopt;
  int64_t d = type->getDims()[type->getDims().size() - fromEnd];
  return d < 0 ? std::nullopt : std::optional<int64_t>(d);
}

const Type *cost::detail::firstResult(const std::vector<Type> &results) {
  if (results.empty())
    return nullptr;
  if (results[0].isRanked())
    return &results[0];
  // A tuple result (e.g. `(values, indices)`): its first tensor.
  if (results[0].getKind() == Type::Kind::Tuple &&
      !results[0].getElements().empty() &&
      results[0].getElements()[0].isRanked())
    return &results[0].getElements()[0];
  return nullptr;
}

bool cost::detail::isStaticMatrix(const Type *type) {
  return type && type->getDims().size() == 2 && type->hasStaticShape();
}

bool cost::detail::startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}
