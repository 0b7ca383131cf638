//===- ValueConversion.h - Torch values as mav types ------------*- C++ -*-===//
//
// How mav-trace turns what libtorch hands it into IR: scalar types into
// dtypes, tensors and IValues into types and attributes, module
// hyper-parameters into `args`, libtorch exceptions into message text; and the
// walk over the tensors inside an IValue that edges and parameter reads are
// found by. Shared by the loader and by every part of the interpreter, and
// free of any interpreter state.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_LIB_TRACE_VALUECONVERSION_H
#define MAV_LIB_TRACE_VALUECONVERSION_H

#include "mav/IR/Attribute.h"
#include "mav/IR/Type.h"

#include <torch/script.h>

#include <exception>
#include <optional>
#include <string>

namespace mav::trace {

/// The IR dtype of a torch scalar type.
DType convertScalarType(c10::ScalarType type);
/// The torch scalar type of an IR dtype; nullopt for `?`.
std::optional<c10::ScalarType> convertDType(DType dtype);

/// The IR type of a tensor (its dtype and shape); `none` for an undefined
/// tensor.
Type getTensorType(IRContext &ctx, const at::Tensor &tensor);

/// The IR type of a value: tensors by dtype and shape, scalars by kind,
/// tuples element by element, lists by one element type that covers them all.
Type getIValueType(IRContext &ctx, const c10::IValue &value);

/// An operand as the `ops` attribute records it: tensors by type, everything
/// else by value. `metaIsCpu` (shapes-only mode) records the meta device the
/// values live on as the CPU that the normal mode runs on, so that both modes
/// print the same IR.
Attribute getIValueAttr(IRContext &ctx, const c10::IValue &value,
                        bool metaIsCpu);

/// A module hyper-parameter as the `args` attribute shows it: booleans,
/// numbers, strings and short lists or tuples of them. Nullopt for anything
/// else (tensors, modules, None, objects, long lists).
std::optional<Attribute> getHyperParameterAttr(IRContext &ctx,
                                               const c10::IValue &value,
                                               bool nested = false);

/// Calls `visit` on every tensor inside `value` (through lists, tuples and
/// dictionaries).
template <typename Fn>
void forEachTensor(const c10::IValue &value, Fn &&visit) {
  if (value.isTensor()) {
    if (value.toTensor().defined())
      visit(value.toTensor());
  } else if (value.isTuple()) {
    for (const c10::IValue &element : value.toTupleRef().elements())
      forEachTensor(element, visit);
  } else if (value.isList()) {
    for (const c10::IValue &element : value.toListRef())
      forEachTensor(element, visit);
  } else if (value.isGenericDict()) {
    for (const auto &entry : value.toGenericDict())
      forEachTensor(entry.value(), visit);
  }
}

/// Whether `value` holds a defined tensor (through lists, tuples and
/// dictionaries).
bool containsTensor(const c10::IValue &value);

/// Whether a static TorchScript type can hold a tensor.
bool typeContainsTensor(const c10::TypePtr &type);

/// A libtorch exception message without its C++ backtrace, cut to its first
/// few lines.
std::string getTrimmedMessage(const std::exception &error);

} // namespace mav::trace

#endif // MAV_LIB_TRACE_VALUECONVERSION_H
