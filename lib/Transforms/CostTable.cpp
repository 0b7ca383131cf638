//===- CostTable.cpp - The op table and the cost of one aten op -----------===//
//
// The table that maps a canonical aten op name to its formula family and
// constants, and the public questions about aten ops (CostModel.h): the name
// an op is looked up by, whether the table has a formula for it, and what
// one recorded op costs.
//
//===----------------------------------------------------------------------===//

#include "CostFormulas.h"

#include <functional>
#include <initializer_list>
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
    auto add = [&t](std::initializer_list<const char *> names, FormulaSpec spec) {
      for (const char *name : names)
        t.emplace(name, spec);
    };
    // Pure data movement, views, shape queries, constructors, copies.
    add({"view", "view_as", "reshape", "reshape_as", "_reshape_alias",
         "permute", "transpose", "t", "numpy_T", "swapaxes", "swapdims",
         "movedim", "moveaxis", "flatten", "unflatten", "squeeze",
         "unsqueeze", "expand", "expand_as", "broadcast_to",
         "broadcast_tensors", "repeat", "repeat_interleave", "tile", "cat",
         "concat", "concatenate", "stack", "hstack", "vstack", "dstack",
         "split", "split_with_sizes", "tensor_split", "chunk", "unbind",
         "slice", "select", "narrow", "index", "index_select", "gather",
         "take", "take_along_dim", "masked_select", "embedding", "contiguous",
         "clone", "copy", "to", "type_as", "detach", "alias", "as_strided",
         "lift_fresh", "resolve_conj", "resolve_neg", "size", "numel", "dim",
         "len", "stride", "Int", "Float", "Bool", "ScalarImplicit", "item",
         "__getitem__", "list", "tensor", "scalar_tensor", "as_tensor",
         "zeros", "ones", "full", "empty", "zeros_like", "ones_like",
         "full_like", "empty_like", "new_zeros", "new_ones", "new_full",
         "new_empty", "arange", "linspace", "eye", "rand", "randn", "randint",
         "rand_like", "randn_like", "fill", "zero", "constant_pad_nd", "pad",
         "reflection_pad1d", "reflection_pad2d", "reflection_pad3d",
         "replication_pad1d", "replication_pad2d", "replication_pad3d",
         "roll", "flip", "fliplr", "flipud", "rot90", "pixel_shuffle",
         "pixel_unshuffle", "channel_shuffle", "native_channel_shuffle",
         "diagonal", "diag", "triu", "tril", "unfold", "meshgrid",
         "view_as_real", "view_as_complex", "real", "imag",
         "_shape_as_tensor", "requires_grad", "set_",
         "upsample_nearest1d", "upsample_nearest2d", "upsample_nearest3d",
         "_upsample_nearest_exact1d", "_upsample_nearest_exact2d",
         "_upsample_nearest_exact3d", "one_hot", "detach_copy",
         "permute_copy", "view_copy", "expand_copy", "select_copy",
         "slice_copy", "transpose_copy", "unsqueeze_copy", "squeeze_copy",
         "index_put", "masked_scatter", "scatter"},
        {Formula::Zero, 0, 0, true});
    // Elementwise arithmetic and maths: 1 flop per output element.
    add({"mul", "multiply", "div", "divide", "true_divide", "floor_divide",
         "remainder", "fmod", "pow", "float_power", "neg", "negative", "abs",
         "absolute", "sqrt", "rsqrt", "exp", "exp2", "expm1", "log", "log2",
         "log10", "log1p", "reciprocal", "sin", "cos", "tan", "asin", "acos",
         "atan", "atan2", "sinh", "cosh", "asinh", "acosh", "atanh", "erf",
         "erfc", "erfinv", "sign", "sgn", "signbit", "floor", "ceil",
         "round", "trunc", "frac", "square", "maximum", "minimum", "fmax",
         "fmin", "eq", "ne", "lt", "le", "gt", "ge", "greater", "less",
         "greater_equal", "less_equal", "not_equal", "logical_and",
         "logical_or", "logical_xor", "logical_not", "bitwise_and",
         "bitwise_or", "bitwise_xor", "bitwise_not", "__and__", "__or__",
         "__xor__", "__iand__", "__ior__", "__ixor__", "__lshift__",
         "__rshift__", "where", "masked_fill", "isnan", "isinf", "isfinite",
         "nan_to_num", "outer", "ger", "clamp_min", "clamp_max", "relu",
         "threshold", "copysign", "hypot", "logit", "xlogy",
         "heaviside", "positive", "conj"},
        {Formula::Elementwise, 1, 0, true});
    add({"add", "sub", "subtract", "rsub"}, {Formula::AddSub, 1, 0, true});
    // Activations: flops per element (docs/Costs.md "Activations").
    add({"clamp", "clip", "relu6", "hardtanh", "leaky_relu", "prelu",
         "_prelu_kernel", "rrelu", "tanhshrink", "hardshrink"},
        {Formula::Elementwise, 2, 0, true});
    add({"softplus", "softsign", "softshrink"},
        {Formula::Elementwise, 3, 0, true});
    add({"sigmoid", "elu", "hardsigmoid"}, {Formula::Elementwise, 4, 0, true});
    add({"silu", "hardswish", "mish", "celu", "selu", "log_sigmoid",
         "log_sigmoid_forward", "glu"},
        {Formula::Elementwise, 5, 0, true});
    add({"tanh"}, {Formula::Elementwise, 1, 0, true});
    add({"addcmul", "addcdiv", "lerp"}, {Formula::Elementwise, 3, 0, true});
    add({"gelu"}, {Formula::Gelu, 0, 0, true});
    add({"softmax", "_softmax", "log_softmax", "_log_softmax", "softmin",
         "special_softmax", "special_log_softmax"},
        {Formula::Softmax, 5, 0, true});
    // Reductions: a per input element, b per output element.
    add({"sum", "nansum", "prod", "amax", "amin", "argmax", "argmin", "all",
         "any", "cumsum", "cumprod", "count_nonzero", "aminmax"},
        {Formula::Reduction, 1, 0, true});
    add({"mean", "nanmean"}, {Formula::Reduction, 1, 1, true});
    add({"var", "var_mean"}, {Formula::Reduction, 4, 1, true});
    add({"std", "std_mean"}, {Formula::Reduction, 4, 2, true});
    add({"norm", "linalg_vector_norm", "linalg_norm", "frobenius_norm"},
        {Formula::Reduction, 2, 1, true});
    add({"logsumexp"}, {Formula::Reduction, 4, 2, true});
    add({"max", "min"}, {Formula::MaxMin, 0, 0, true});
    add({"dropout", "feature_dropout", "alpha_dropout",
         "feature_alpha_dropout", "native_dropout"},
        {Formula::Dropout, 0, 0, true});
    // Matmul-like.
    add({"conv1d", "conv2d", "conv3d", "_convolution", "convolution",
         "_convolution_mode", "cudnn_convolution", "mkldnn_convolution",
         "_nnpack_spatial_convolution", "slow_conv2d", "thnn_conv2d"},
        {Formula::Conv, 0, 0, true});
    add({"conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
         "cudnn_convolution_transpose"},
        {Formula::Conv, 1, 0, true});
    add({"linear"}, {Formula::Linear, 0, 0, true});
    add({"mm", "matmul", "bmm", "mv", "dot", "vdot", "inner"},
        {Formula::MatmulLike, 0, 0, true});
    add({"addmm", "baddbmm", "addmv", "_addmm_activation"},
        {Formula::MatmulLike, 1, 1, false});
    add({"addbmm"}, {Formula::Addbmm, 0, 0, false});
    add({"einsum"}, {Formula::Einsum, 0, 0, false});
    add({"scaled_dot_product_attention", "_scaled_dot_product_attention",
         "_scaled_dot_product_attention_math",
         "_scaled_dot_product_flash_attention",
         "_scaled_dot_product_efficient_attention",
         "_scaled_dot_product_flash_attention_for_cpu"},
        {Formula::Attention, 0, 0, true});
    add({"_native_multi_head_attention"}, {Formula::NativeMha, 0, 0, false});
    add({"_transformer_encoder_layer_fwd"},
        {Formula::EncoderLayer, 0, 0, false});
    add({"lstm"}, {Formula::RnnLayer, 4, 0, false});
    add({"gru"}, {Formula::RnnLayer, 3, 0, false});
    add({"rnn_tanh", "rnn_relu"}, {Formula::RnnLayer, 1, 0, false});
    add({"lstm_cell"}, {Formula::RnnCell, 4, 0, false});
    add({"gru_cell"}, {Formula::RnnCell, 3, 0, false});
    add({"rnn_tanh_cell", "rnn_relu_cell"}, {Formula::RnnCell, 1, 0, false});
    // Normalisation.
    add({"batch_norm", "native_batch_norm", "_batch_norm_impl_index",
         "cudnn_batch_norm", "_native_batch_norm_legit",
         "_native_batch_norm_legit_no_training"},
        {Formula::BatchNorm, 0, 0, false});
    add({"layer_norm", "native_layer_norm", "group_norm"},
        {Formula::LayerNorm, 2, 0, false});
    add({"native_group_norm"}, {Formula::LayerNorm, 1, 0, false});
    add({"instance_norm"}, {Formula::InstanceNorm, 0, 0, false});
    add({"rms_norm"}, {Formula::RmsNorm, 0, 0, false});
    // Pooling.
    add({"max_pool1d", "max_pool1d_with_indices"}, {Formula::MaxPool, 1});
    add({"max_pool2d", "max_pool2d_with_indices", "mkldnn_max_pool2d",
         "quantized_max_pool2d"},
        {Formula::MaxPool, 2});
    add({"max_pool3d", "max_pool3d_with_indices"}, {Formula::MaxPool, 3});
    add({"avg_pool1d"}, {Formula::AvgPool, 1});
    add({"avg_pool2d"}, {Formula::AvgPool, 2});
    add({"avg_pool3d"}, {Formula::AvgPool, 3});
    add({"adaptive_max_pool1d"}, {Formula::AdaptiveMaxPool, 1, 0, true});
    add({"adaptive_max_pool2d"}, {Formula::AdaptiveMaxPool, 2, 0, true});
    add({"adaptive_max_pool3d"}, {Formula::AdaptiveMaxPool, 3, 0, true});
    add({"adaptive_avg_pool1d"}, {Formula::AdaptiveAvgPool, 1, 0, true});
    add({"adaptive_avg_pool2d", "_adaptive_avg_pool2d"},
        {Formula::AdaptiveAvgPool, 2, 0, true});
    add({"adaptive_avg_pool3d", "_adaptive_avg_pool3d"},
        {Formula::AdaptiveAvgPool, 3, 0, true});
    // Resampling.
    add({"upsample_linear1d"}, {Formula::Upsample, 3, 0, true});
    add({"upsample_bilinear2d", "_upsample_bilinear2d_aa"},
        {Formula::Upsample, 7, 0, true});
    add({"upsample_trilinear3d"}, {Formula::Upsample, 15, 0, true});
    add({"upsample_bicubic2d", "_upsample_bicubic2d_aa"},
        {Formula::Upsample, 31, 0, true});
    add({"__interpolate", "interpolate", "upsample"},
        {Formula::Interpolate, 0, 0, false});
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
