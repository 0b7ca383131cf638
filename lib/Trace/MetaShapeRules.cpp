//===- MetaShapeRules.cpp - Shapes-only execution rules -------------------===//
//
// The shape rules of shapes-only mode (TraceOptions::shapesOnly, where the
// model's tensors are meta tensors) and the helpers that move tensors to the
// meta device and back. Interpreter::runWithoutValues (Execution.cpp) runs an
// op on one of these rules when one covers it, else on libtorch's meta
// kernel, else on CPU on zero-filled tensors. The rules exist because
// libtorch 1.13 has no C++ meta kernel for some heavy ops (theirs are written
// in Python); each works from its operands' shapes alone and declines
// whatever it does not fully check, so that libtorch still reports a bad
// call.
//
//===----------------------------------------------------------------------===//

#include "MetaShapeRules.h"

#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

using namespace mav::trace;
namespace jit = torch::jit;

at::Tensor mav::trace::toMetaTensor(const at::Tensor &tensor) {
  if (!tensor.defined() || tensor.is_meta() ||
      tensor.layout() != c10::kStrided || tensor.is_quantized())
    return tensor;
  return at::empty_strided(tensor.sizes(), tensor.strides(),
                           tensor.options().device(at::kMeta));
}

bool mav::trace::needsTensorValues(c10::Symbol kind) {
  static const std::unordered_set<std::string> kValueOps = {
      "aten::item",
      "aten::Int",
      "aten::Float",
      "aten::Bool",
      "aten::ScalarImplicit",
      "aten::is_nonzero",
      "aten::equal",
      "aten::allclose",
      "aten::tolist",
      "prim::tolist",
      "aten::format",
      "aten::str",
      "aten::nonzero",
      "aten::nonzero_numpy",
      "aten::unique",
      "aten::_unique2",
      "aten::unique_dim",
      "aten::masked_select",
      "aten::__str__",
      "aten::numpy_T",
      "aten::_local_scalar_dense"};
  return kValueOps.count(kind.toQualString()) != 0;
}

namespace {

/// The operands of an op on top of the interpreter stack, by position in
/// its schema, for the shape rules below.
struct StackOperands {
  const jit::Stack &stack;
  size_t count = 0;

  /// Takes the operand count from `node`'s schema; false when the node has
  /// no schema, fewer than `minCount` arguments, or the stack fewer values.
  bool read(const jit::Node *node, size_t minCount) {
    const c10::FunctionSchema *schema = node->maybeSchema();
    if (!schema)
      return false;
    count = schema->arguments().size();
    return count >= minCount && stack.size() >= count;
  }
  const c10::IValue &operator()(size_t index) const {
    return stack[stack.size() - count + index];
  }
  /// Whether operand `index` is a defined tensor on the meta device.
  bool isMetaTensor(size_t index) const {
    const c10::IValue &value = (*this)(index);
    return value.isTensor() && value.toTensor().defined() &&
           value.toTensor().is_meta();
  }
};

/// An `int[N]` operand: a list, or one int for every dimension.
std::optional<std::vector<int64_t>> getIntList(const c10::IValue &value,
                                               size_t size) {
  if (value.isInt())
    return std::vector<int64_t>(size, value.toInt());
  if (!value.isIntList())
    return std::nullopt;
  std::vector<int64_t> list = value.toIntVector();
  if (list.size() == 1 && size > 1)
    list.assign(size, list[0]);
  if (list.size() != size)
    return std::nullopt;
  return list;
}

/// The result of a convolution computed from its operands' shapes, for the
/// aten convolution ops, which have no meta kernel in libtorch 1.13 (theirs
/// is written in Python). Replaces the operands on `stack` with the result
/// and returns true; returns false (stack untouched) when `node` is not a
/// convolution or its operands do not fit, so that running it for real
/// reports the error.
bool inferConvolution(const jit::Node *node, jit::Stack &stack) {
  std::string_view name = node->kind().toQualString();
  StackOperands operand{stack};
  if (!operand.read(node, 3))
    return false;
  size_t count = operand.count;
  // Where stride, padding, dilation, output_padding and groups are, and
  // whether the convolution is transposed.
  int strideAt = 3, paddingAt = 4, dilationAt = -1, outputPaddingAt = -1,
      groupsAt = -1;
  bool transposed = false;
  if (name == "aten::_convolution" || name == "aten::convolution") {
    if (count < 9)
      return false;
    dilationAt = 5;
    outputPaddingAt = 7;
    groupsAt = 8;
    if (!operand(6).isBool())
      return false;
    transposed = operand(6).toBool();
  } else if (name == "aten::conv1d" || name == "aten::conv2d" ||
             name == "aten::conv3d") {
    if (count != 7)
      return false;
    dilationAt = 5;
    groupsAt = 6;
  } else if (name == "aten::conv_transpose1d" ||
             name == "aten::conv_transpose2d" ||
             name == "aten::conv_transpose3d") {
    if (count != 8)
      return false;
    transposed = true;
    outputPaddingAt = 5;
    groupsAt = 6;
    dilationAt = 7;
  } else {
    return false;
  }
  if (!operand(0).isTensor() || !operand(1).isTensor() ||
      !operand(groupsAt).isInt())
    return false;
  const at::Tensor &input = operand(0).toTensor();
  const at::Tensor &weight = operand(1).toTensor();
  if (!input.defined() || !weight.defined() || !input.is_meta() ||
      !weight.is_meta() || weight.dim() < 3 ||
      input.scalar_type() != weight.scalar_type())
    return false;
  size_t spatial = static_cast<size_t>(weight.dim() - 2);
  bool batched = static_cast<size_t>(input.dim()) == spatial + 2;
  if (!batched && static_cast<size_t>(input.dim()) != spatial + 1)
    return false;
  int64_t groups = operand(groupsAt).toInt();
  std::optional<std::vector<int64_t>> stride =
      getIntList(operand(strideAt), spatial);
  std::optional<std::vector<int64_t>> dilation =
      getIntList(operand(dilationAt), spatial);
  std::vector<int64_t> outputPadding(spatial, 0);
  if (outputPaddingAt >= 0) {
    auto list = getIntList(operand(outputPaddingAt), spatial);
    if (!list)
      return false;
    outputPadding = *list;
  }
  std::optional<std::vector<int64_t>> padding;
  std::vector<int64_t> inSizes = input.sizes().vec();
  if (!batched)
    inSizes.insert(inSizes.begin(), 1);
  const c10::IValue &paddingValue = operand(paddingAt);
  if (paddingValue.isString()) {
    // conv2d(..., padding="valid" | "same"), stride 1.
    if (paddingValue.toStringRef() == "valid")
      padding = std::vector<int64_t>(spatial, 0);
    else if (paddingValue.toStringRef() != "same")
      return false;
  } else {
    padding = getIntList(paddingValue, spatial);
    if (!padding)
      return false;
  }
  if (!stride || !dilation || groups <= 0)
    return false;
  int64_t inChannels = inSizes[1];
  std::vector<int64_t> outSizes = {inSizes[0]};
  if (transposed) {
    if (weight.size(0) != inChannels)
      return false;
    outSizes.push_back(weight.size(1) * groups);
  } else {
    if (weight.size(1) * groups != inChannels || weight.size(0) % groups != 0)
      return false;
    outSizes.push_back(weight.size(0));
  }
  for (size_t i = 0; i < spatial; ++i) {
    int64_t in = inSizes[i + 2], kernel = weight.size(i + 2);
    int64_t extent = (*dilation)[i] * (kernel - 1) + 1;
    int64_t out;
    if (!padding) // "same"
      out = in;
    else if (transposed)
      out = (in - 1) * (*stride)[i] - 2 * (*padding)[i] + extent - 1 +
            outputPadding[i] + 1;
    else if ((*stride)[i] <= 0)
      return false;
    else
      out = (in + 2 * (*padding)[i] - extent) / (*stride)[i] + 1;
    if (out <= 0 || (!transposed && padding && in + 2 * (*padding)[i] < extent))
      return false;
    outSizes.push_back(out);
  }
  if (!batched)
    outSizes.erase(outSizes.begin());
  const c10::IValue &bias = operand(2);
  if (bias.isTensor() && bias.toTensor().defined() &&
      (bias.toTensor().dim() != 1 ||
       bias.toTensor().size(0) != outSizes[batched ? 1 : 0]))
    return false;
  at::Tensor result = at::empty(
      outSizes, input.options().memory_format(input.suggest_memory_format()));
  stack.resize(stack.size() - count);
  stack.emplace_back(std::move(result));
  return true;
}

/// The results of aten::_native_multi_head_attention (the fused attention
/// nn.MultiheadAttention takes without gradients), which has no meta kernel:
/// the attention output has the query's shape with the projection's width;
/// the weights are absent unless asked for.
bool inferNativeAttention(const jit::Node *node, jit::Stack &stack) {
  if (node->kind().toQualString() !=
      std::string_view("aten::_native_multi_head_attention"))
    return false;
  StackOperands operand{stack};
  if (!operand.read(node, 12))
    return false;
  size_t count = operand.count;
  if (!operand(0).isTensor() || !operand(1).isTensor() || !operand(4).isInt() ||
      !operand(7).isTensor() || !operand(10).isBool() || !operand(11).isBool())
    return false;
  const at::Tensor &query = operand(0).toTensor();
  const at::Tensor &key = operand(1).toTensor();
  const at::Tensor &projWeight = operand(7).toTensor();
  if (!query.is_meta() || query.dim() != 3 || key.dim() != 3 ||
      !projWeight.defined() || projWeight.dim() != 2)
    return false;
  int64_t batch = query.size(0), length = query.size(1),
          sourceLength = key.size(1), heads = operand(4).toInt();
  at::Tensor output =
      at::empty({batch, length, projWeight.size(0)}, query.options());
  at::Tensor weights;
  if (operand(10).toBool())
    weights =
        operand(11).toBool()
            ? at::empty({batch, length, sourceLength}, query.options())
            : at::empty({batch, heads, length, sourceLength}, query.options());
  stack.resize(stack.size() - count);
  stack.emplace_back(std::move(output));
  stack.emplace_back(std::move(weights));
  return true;
}

/// The result of a normalization (batch, instance, layer or group norm),
/// which has the input's shape: these composite ops end in kernels without a
/// meta implementation in libtorch 1.13. Returns false (stack untouched)
/// when the operands do not fit, so that running the op reports the error.
bool inferNormalization(const jit::Node *node, jit::Stack &stack) {
  std::string_view name = node->kind().toQualString();
  // Index of the first per-channel tensor operand and how many follow, or
  // of layer_norm's normalized_shape.
  size_t firstChannel = 0, numChannel = 0;
  bool layerNorm = false;
  int64_t groupsAt = -1;
  if (name == "aten::batch_norm" || name == "aten::instance_norm") {
    firstChannel = 1;
    numChannel = 4;
  } else if (name == "aten::group_norm") {
    groupsAt = 1;
    firstChannel = 2;
    numChannel = 2;
  } else if (name == "aten::layer_norm") {
    layerNorm = true;
  } else {
    return false;
  }
  StackOperands operand{stack};
  if (!operand.read(node, firstChannel + numChannel))
    return false;
  size_t count = operand.count;
  if (!operand.isMetaTensor(0))
    return false;
  const at::Tensor &input = operand(0).toTensor();
  // A tensor operand that must be undefined or have exactly `dims`.
  auto fits = [&](const c10::IValue &value, c10::IntArrayRef dims) {
    if (value.isNone())
      return true;
    if (!value.isTensor())
      return false;
    const at::Tensor &tensor = value.toTensor();
    return !tensor.defined() || tensor.sizes() == dims;
  };
  if (layerNorm) {
    if (count < 4 || !operand(1).isIntList())
      return false;
    std::vector<int64_t> shape = operand(1).toIntVector();
    if (shape.size() > static_cast<size_t>(input.dim()) ||
        !std::equal(shape.begin(), shape.end(),
                    input.sizes().end() - shape.size()) ||
        !fits(operand(2), shape) || !fits(operand(3), shape))
      return false;
  } else {
    if (input.dim() < 2)
      return false;
    int64_t channels = input.size(1);
    if (groupsAt >= 0 &&
        (!operand(groupsAt).isInt() || operand(groupsAt).toInt() <= 0 ||
         channels % operand(groupsAt).toInt() != 0))
      return false;
    for (size_t i = 0; i < numChannel; ++i)
      if (!fits(operand(firstChannel + i), {channels}))
        return false;
  }
  at::Tensor result =
      at::empty(input.sizes(),
                input.options().memory_format(input.suggest_memory_format()));
  stack.resize(stack.size() - count);
  stack.emplace_back(std::move(result));
  return true;
}

/// Results of other common ops without a meta kernel in libtorch 1.13:
/// activations and permutations that keep their input's shape, in-place
/// activations (their result is their input), embedding lookups and
/// adaptive average pooling. Returns false when `node` is none of them or
/// its operands do not fit.
bool inferSimpleOp(const jit::Node *node, jit::Stack &stack) {
  static const std::unordered_set<std::string_view> kSameShape = {
      "aten::relu",      "aten::relu6", "aten::hardtanh",
      "aten::hardswish", "aten::flip",  "aten::roll"};
  static const std::unordered_set<std::string_view> kInPlace = {
      "aten::relu_", "aten::relu6_", "aten::hardtanh_", "aten::hardswish_"};
  std::string_view name = node->kind().toQualString();
  bool sameShape = kSameShape.count(name) != 0;
  bool inPlace = kInPlace.count(name) != 0;
  bool embedding = name == "aten::embedding";
  bool adaptivePool = name == "aten::adaptive_avg_pool2d";
  if (!sameShape && !inPlace && !embedding && !adaptivePool)
    return false;
  StackOperands operand{stack};
  if (!operand.read(node, 1))
    return false;
  size_t count = operand.count;
  if (!operand.isMetaTensor(0))
    return false;
  const at::Tensor &first = operand(0).toTensor();
  at::Tensor result;
  if (inPlace) {
    result = first;
  } else if (sameShape) {
    result =
        at::empty(first.sizes(),
                  first.options().memory_format(first.suggest_memory_format()));
  } else if (embedding) {
    // embedding(weight, indices, ...): one weight row per index.
    if (count < 2 || !operand(1).isTensor() || first.dim() != 2)
      return false;
    const at::Tensor &indices = operand(1).toTensor();
    if (!indices.defined() ||
        !at::isIntegralType(indices.scalar_type(), /*includeBool=*/false))
      return false;
    std::vector<int64_t> sizes = indices.sizes().vec();
    sizes.push_back(first.size(1));
    result = at::empty(sizes, first.options());
  } else {
    // adaptive_avg_pool2d(input, output_size): the last two dimensions.
    std::optional<std::vector<int64_t>> output =
        count == 2 ? getIntList(operand(1), 2) : std::nullopt;
    if (!output || (first.dim() != 3 && first.dim() != 4) || (*output)[0] < 0 ||
        (*output)[1] < 0)
      return false;
    for (int64_t i = 1; i < first.dim(); ++i)
      if (first.size(i) == 0)
        return false;
    std::vector<int64_t> sizes = first.sizes().vec();
    sizes[sizes.size() - 2] = (*output)[0];
    sizes[sizes.size() - 1] = (*output)[1];
    result = at::empty(
        sizes, first.options().memory_format(first.suggest_memory_format()));
  }
  stack.resize(stack.size() - count);
  stack.emplace_back(std::move(result));
  return true;
}

} // namespace

bool mav::trace::applyShapeRule(const jit::Node *node, jit::Stack &stack) {
  return inferConvolution(node, stack) || inferNormalization(node, stack) ||
         inferNativeAttention(node, stack) || inferSimpleOp(node, stack);
}
