//===- ModelAttributes.cpp - Typed accessors of the model attributes ------===//
//
// The accessors of ModelAttributes.h. The parameter count is here rather
// than with the cost formulas because backends size nodes by it too, and
// they must not link the passes.
//
//===----------------------------------------------------------------------===//

#include "mav/IR/ModelAttributes.h"

using namespace mav;

/// Elements of a tensor type with a static shape, saturating at INT64_MAX
/// (a zero dimension gives 0 even after an overflow); nullopt for a type
/// without a static shape.
static std::optional<int64_t> getSaturatedNumElements(const Type &type) {
  if (!type.isRanked())
    return std::nullopt;
  int64_t product = 1;
  bool saturated = false;
  for (int64_t dim : type.getDims()) {
    if (dim < 0)
      return std::nullopt;
    if (dim == 0) {
      product = 0;
      saturated = false;
    } else if (product != 0 &&
               (saturated || __builtin_mul_overflow(product, dim, &product))) {
      product = INT64_MAX;
      saturated = true;
    }
  }
  return product;
}

int64_t attrs::getParamCount(const Node &node) {
  if (const Attribute *counted = node.attrs.get(kCostParams);
      counted && counted->isInt())
    return counted->getInt();
  const Attribute *params = node.attrs.get(kParams);
  if (!params || !params->isDict())
    return 0;
  int64_t total = 0;
  for (const NamedAttribute &param : params->getDict())
    if (param.value.isType())
      if (std::optional<int64_t> n =
              getSaturatedNumElements(param.value.getType()))
        if (__builtin_add_overflow(total, *n, &total))
          total = INT64_MAX;
  return total;
}

std::string_view attrs::getStatus(const Node &node) {
  return node.attrs.getString(kStatus, kStatusOk);
}

std::string_view attrs::getError(const Node &node) {
  return node.attrs.getString(kError);
}

std::string_view attrs::getCategory(const Node &node) {
  return node.attrs.getString(kCategory);
}

std::string_view attrs::getColor(const Node &node) {
  return node.attrs.getString(kColor);
}

int64_t attrs::getFlops(const Node &node) {
  return node.attrs.getInt(kCostFlops, 0);
}

int64_t attrs::getLayoutLevel(const Node &node) {
  return node.attrs.getInt(kLayoutLevel, 0);
}

std::string_view attrs::getLayoutDirection(const Graph &graph) {
  return graph.getAttrs().getString(kLayoutDirection, "down");
}

static std::optional<int64_t> getIntAttr(const DictAttr &dict,
                                         std::string_view key) {
  if (const Attribute *attr = dict.get(key); attr && attr->isInt())
    return attr->getInt();
  return std::nullopt;
}

std::optional<int64_t> attrs::getTotalParams(const Graph &graph) {
  return getIntAttr(graph.getAttrs(), kCostTotalParams);
}

std::optional<int64_t> attrs::getTotalFlops(const Graph &graph) {
  return getIntAttr(graph.getAttrs(), kCostTotalFlops);
}

bool attrs::hasParent(const Node &node) { return node.attrs.contains(kParent); }

void attrs::setParent(IRContext &context, Node &node,
                      std::string_view parentName) {
  node.attrs.set(context, kParent, Attribute::string(context, parentName));
}
