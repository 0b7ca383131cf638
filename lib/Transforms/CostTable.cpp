//===- CostTable.cpp - The op table and the cost of one aten op -----------===//
//
// Turns the op list of CostOps.def into the table that maps a canonical aten
// op name to its formula family and constants, and answers the public
// questions about aten ops (CostModel.h): the name an op is looked up by,
// whether the table has a formula for it, and what one recorded op costs.
//
//===----------------------------------------------------------------------===//

#include "CostFormulas.h"

#include <functional>
#include <map>
#include <string>

using namespace mav;
using namespace mav::cost;
using namespace mav::cost::detail;

namespace {

const std::map<std::string, FormulaSpec, std::less<>> &getFormulaTable() {
  // Built once, never modified: a constant lookup table, not state.
  static const std::map<std::string, FormulaSpec, std::less<>> table = [] {
    std::map<std::string, FormulaSpec, std::less<>> t;
#define COST_OP(Name, Family, A, B, FromTypesOnly)                             \
  t.emplace(Name, FormulaSpec{Formula::Family, A, B, FromTypesOnly});
#include "CostOps.def"
    return t;
  }();
  return table;
}

} // namespace

const FormulaSpec *cost::detail::lookupFormula(std::string_view canonicalName) {
  const auto &table = getFormulaTable();
  auto it = table.find(canonicalName);
  return it == table.end() ? nullptr : &it->second;
}

//===----------------------------------------------------------------------===//
// Public entry points for aten ops
//===----------------------------------------------------------------------===//

std::string cost::canonicalAtenName(std::string_view op) {
  constexpr std::string_view kAten = "aten::";
  if (!startsWith(op, kAten))
    return std::string(op);
  std::string_view name = op.substr(kAten.size());
  // The overload name follows the first '.' (`add.Tensor`, `lstm.input`).
  name = name.substr(0, name.find('.'));
  // In-place variants end in a single '_' (`add_`, `relu_`); dunders such
  // as `__and__` and private names such as `_softmax` are left alone.
  if (name.size() > 1 && name.back() == '_' && name[name.size() - 2] != '_')
    name.remove_suffix(1);
  return std::string(name);
}

bool cost::hasAtenFormula(std::string_view op) {
  if (!startsWith(op, "aten::"))
    return false;
  return lookupFormula(canonicalAtenName(op)) != nullptr;
}

std::optional<OpCost> cost::costAtenOp(std::string_view op,
                                       const ListAttr &operands,
                                       const std::vector<Type> &results) {
  bool involvesTensor = false;
  for (const Attribute &operand : operands)
    involvesTensor |= containsTensor(operand);
  for (const Type &result : results)
    involvesTensor |= containsTensor(result);
  // Scalar arithmetic and list bookkeeping of TorchScript (`aten::add.int`,
  // `aten::__getitem__.t` on ints...) does no tensor work.
  if (!involvesTensor)
    return OpCost{};
  const FormulaSpec *spec =
      startsWith(op, "aten::") ? lookupFormula(canonicalAtenName(op)) : nullptr;
  if (!spec)
    return std::nullopt;
  return applyFormula(*spec, Operands(operands), results);
}
