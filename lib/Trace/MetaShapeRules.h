//===- MetaShapeRules.h - Shapes-only execution rules -----------*- C++ -*-===//
//
// What `--shapes-only` needs besides libtorch's meta kernels: moving tensors
// to the meta device and back, knowing which ops must see values, and mav's
// own shape rules for the heavy ops libtorch 1.13 has no C++ meta kernel for.
// Used by the interpreter's shapes-only execution (Execution.cpp); nothing
// here keeps state.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_LIB_TRACE_METASHAPERULES_H
#define MAV_LIB_TRACE_METASHAPERULES_H

#include "ValueConversion.h"

#include <torch/csrc/jit/ir/ir.h>
#include <torch/script.h>

namespace mav::trace {

/// A meta tensor with the dtype, shape and strides of `tensor`: nothing is
/// allocated or copied. Tensors that are not plain strided ones (sparse,
/// quantized) stay as they are.
at::Tensor toMetaTensor(const at::Tensor &tensor);

/// `value` with every tensor inside it (through lists and tuples) replaced
/// by `map(tensor)`. Lists are copied, never modified in place.
template <typename Fn>
c10::IValue mapTensors(const c10::IValue &value, Fn &&map) {
  if (value.isTensor())
    return value.toTensor().defined() ? c10::IValue(map(value.toTensor()))
                                      : value;
  if (value.isTuple()) {
    const auto &elements = value.toTupleRef().elements();
    std::vector<c10::IValue> mapped;
    mapped.reserve(elements.size());
    for (const c10::IValue &element : elements)
      mapped.push_back(mapTensors(element, map));
    return c10::ivalue::Tuple::create(std::move(mapped));
  }
  if (value.isList() && containsTensor(value)) {
    c10::impl::GenericList list = value.toList().copy();
    for (size_t i = 0; i < list.size(); ++i)
      list.set(i, mapTensors(list.get(i), map));
    return list;
  }
  return value;
}

/// Ops whose result depends on tensor values, or that read a tensor's data
/// without going through the dispatcher: in shapes-only mode they always run
/// on CPU (on zeros), without trying a meta kernel first.
bool needsTensorValues(c10::Symbol kind);

/// Runs `node` by one of mav's shape rules, for the ops without a meta kernel
/// in libtorch 1.13 whose results are cheap to infer: convolutions,
/// normalizations, fused attention, and some activations, permutations,
/// embedding lookups and adaptive average pooling. Replaces the operands on
/// `stack` with the (meta) results and returns true; returns false (stack
/// untouched) when no rule covers `node` or its operands do not fit, so that
/// running the op for real reports the error.
bool applyShapeRule(const torch::jit::Node *node, torch::jit::Stack &stack);

} // namespace mav::trace

#endif // MAV_LIB_TRACE_METASHAPERULES_H
