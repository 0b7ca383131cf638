//===- CostModel.cpp - Cost formulas of aten ops and nn modules -----------===//
//
// One table maps canonical aten op names to a formula family and its
// constants (flops per element, spatial rank...); one function per family
// turns an op's recorded operands into MACs and other flops. Module nodes
// without `ops` are mapped onto the same families by building the operand
// list the aten op would have had from the node's `params`, `args` and
// operand types. docs/Costs.md documents every constant used here; keep the
// two in step.
//
// Conventions (see docs/Costs.md): a MAC is one multiply-accumulate of
// matmul-like work and is reported as 2 flops; every other arithmetic
// operation (add, multiply, compare, exp, erf, tanh...) counts as 1 flop.
//
//===----------------------------------------------------------------------===//

#include "mav/Transforms/CostModel.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <numeric>
#include <set>

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

namespace {

//===----------------------------------------------------------------------===//
// Reading recorded operands
//===----------------------------------------------------------------------===//

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
    if (list[i].isType() &&
        list[i].getType().getKind() == Type::Kind::Tuple) {
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
bool containsTensor(const Type &type) {
  if (type.isTensor())
    return true;
  for (const Type &element : type.getElements())
    if (containsTensor(element))
      return true;
  return false;
}

bool containsTensor(const Attribute &attr) {
  if (attr.isType())
    return containsTensor(attr.getType());
  if (attr.isList())
    for (const Attribute &element : attr.getList())
      if (containsTensor(element))
        return true;
  return false;
}

/// Number of elements of a ranked static tensor; nullopt otherwise.
std::optional<Count> numel(const Type *type) {
  if (!type)
    return std::nullopt;
  return getNumElements(*type);
}

/// Product of the dims [begin, end) of a ranked static tensor.
std::optional<Count> dimProduct(const Type &type, size_t begin, size_t end) {
  const std::vector<int64_t> &dims = type.getDims();
  Count n = 1;
  for (size_t i = begin; i < end && i < dims.size(); ++i) {
    if (dims[i] < 0)
      return std::nullopt;
    n *= Count(dims[i]);
  }
  return n;
}

/// Last dimension of a ranked tensor, if known.
std::optional<int64_t> lastDim(const Type *type) {
  if (!type || type->getDims().empty() || type->getDims().back() < 0)
    return std::nullopt;
  return type->getDims().back();
}

/// A dimension counted from the end (1 = last), if known.
std::optional<int64_t> dimFromEnd(const Type *type, size_t fromEnd) {
  if (!type || type->getDims().size() < fromEnd)
    return std::nullopt;
  int64_t d = type->getDims()[type->getDims().size() - fromEnd];
  return d < 0 ? std::nullopt : std::optional<int64_t>(d);
}

const Type *firstResult(const std::vector<Type> &results) {
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

//===----------------------------------------------------------------------===//
// Formula families
//===----------------------------------------------------------------------===//

/// Formula families; `FormulaSpec::a`/`b` give each family's constants.
enum class Formula {
  Zero,            ///< data movement, shape queries, constructors
  Elementwise,     ///< a flops per output element
  AddSub,          ///< 1 flop per output element, 2 when alpha != 1
  Gelu,            ///< 5 (erf) or 9 (tanh approximation) per element
  Softmax,         ///< a flops per input element
  Reduction,       ///< a per input element + b per output element
  MaxMin,          ///< binary: elementwise; unary: reduction
  Dropout,         ///< 0 in eval, 2 per element in training
  Conv,            ///< transposed if a == 1, or from operand 6
  Linear,          ///< input @ weight.T (+ bias)
  MatmulLike,      ///< out elems x last dim of operand a (+ out if b)
  Addbmm,          ///< batched product summed over the batch
  Einsum,          ///< pairwise contraction, left to right
  Attention,       ///< scaled_dot_product_attention and variants
  NativeMha,       ///< _native_multi_head_attention
  EncoderLayer,    ///< _transformer_encoder_layer_fwd
  RnnLayer,        ///< a gates per hidden unit (4 LSTM, 3 GRU, 1 RNN)
  RnnCell,         ///< a gates
  BatchNorm,       ///< weight at 1, bias at 2, training at 5
  LayerNorm,       ///< weight at a, bias at a + 1, statistics computed
  InstanceNorm,    ///< like BatchNorm, use_input_stats at 5
  RmsNorm,         ///< weight at 2
  MaxPool,         ///< a = spatial rank; kernel at 1
  AvgPool,         ///< a = spatial rank; kernel at 1
  AdaptiveMaxPool, ///< a = spatial rank
  AdaptiveAvgPool, ///< a = spatial rank
  Upsample,        ///< a flops per output element
  Interpolate,     ///< mode string at 3
};

struct FormulaSpec {
  Formula formula;
  int a = 0;
  int b = 0;
  /// Whether the formula needs nothing but the tensor operands in their
  /// positions, so that a function node without `ops` can use it.
  bool fromTypesOnly = false;
};

/// Flops per hidden unit and time step of the elementwise part of a
/// recurrent cell, without bias adds (docs/Costs.md "Recurrent").
int64_t cellElementwiseFlops(int gates) {
  switch (gates) {
  case 4: // LSTM: gate sums 4, sigmoid x3 = 12, tanh 1, c' 3, tanh 1, h' 1
    return 22;
  case 3: // GRU: r/z sums 2, sigmoid x2 = 8, n 3, h' 4
    return 17;
  default: // RNN: sum 1, tanh or relu 1
    return 2;
  }
}

/// Convolution: every output position of every output channel is a dot
/// product over weight.dims[1:] (Cin/groups x kernel), so MACs = numel(out)
/// x prod(weight.dims[1:]). Transposed weights are [Cin, Cout/groups, k...]
/// and every input position scatters into prod(weight.dims[1:]) outputs.
std::optional<OpCost> convCost(const Type *input, const Type *weight,
                               bool hasBias, const Type *output,
                               bool transposed) {
  if (!weight || weight->getDims().size() < 3)
    return std::nullopt;
  auto perPosition = dimProduct(*weight, 1, weight->getDims().size());
  auto outElems = numel(output);
  auto positions = transposed ? numel(input) : outElems;
  if (!perPosition || !outElems || !positions)
    return std::nullopt;
  OpCost cost;
  cost.macs = *positions * *perPosition;
  if (hasBias)
    cost.otherFlops = *outElems;
  return cost;
}

/// Linear: numel(out) dot products of length K, plus the bias add.
std::optional<OpCost> linearCost(const Type *weight, bool hasBias,
                                 const Type *output) {
  auto k = lastDim(weight);
  auto outElems = numel(output);
  if (!k || !outElems)
    return std::nullopt;
  OpCost cost;
  cost.macs = *outElems * Count(*k);
  if (hasBias)
    cost.otherFlops = *outElems;
  return cost;
}

/// Shapes of one attention computation, after the heads were split off
/// (`batch` counts batch x heads for softmax purposes).
struct AttentionShape {
  Count batch;     ///< product of batch (and head) dims
  int64_t queries; ///< L
  int64_t keys;    ///< S
  int64_t qkDim;   ///< E (per head: summed over heads it is the same)
  int64_t vDim;    ///< Ev
};

/// Q K^T and A V: batch x L x S x (E + Ev) MACs; scaling Q (batch x L x E),
/// softmax (5 per score) and an additive mask (1 per score).
OpCost attentionCost(const AttentionShape &s, Count softmaxRows,
                     bool hasMask) {
  OpCost cost;
  Count scores = softmaxRows * Count(s.keys);
  cost.macs = s.batch * Count(s.queries) * Count(s.keys) *
              (Count(s.qkDim) + Count(s.vDim));
  cost.otherFlops = s.batch * Count(s.queries) * Count(s.qkDim) +
                    Count(5) * scores + (hasMask ? scores : Count(0));
  return cost;
}

/// A multi-head attention block with its input and output projections:
/// q/k/v projections, attention, output projection, their biases.
struct MhaShape {
  Count batch;   ///< B (1 when unbatched)
  int64_t queries;
  int64_t keys;
  int64_t embed; ///< E
  int64_t heads;
  bool inBias;
  bool outBias;
  bool hasMask;
};

OpCost mhaCost(const MhaShape &s) {
  Count rowsQ = s.batch * Count(s.queries);
  Count rowsKV = s.batch * Count(s.keys);
  Count e = s.embed;
  OpCost cost;
  // Projections: Q (rowsQ x E x E), K and V (rowsKV x E x E each), output.
  cost.macs = rowsQ * e * e * Count(2) + rowsKV * e * e * Count(2);
  if (s.inBias)
    cost.otherFlops += rowsQ * e + rowsKV * e * Count(2);
  if (s.outBias)
    cost.otherFlops += rowsQ * e;
  AttentionShape attention{s.batch, s.queries, s.keys, s.embed, s.embed};
  cost += attentionCost(attention,
                        s.batch * Count(std::max<int64_t>(s.heads, 1)) *
                            Count(s.queries),
                        s.hasMask);
  return cost;
}

/// Normalisation: `perElement` flops per input element, +1 for a weight
/// (scale) and +1 for a bias (shift).
std::optional<OpCost> normCost(const Type *input, int64_t perElement,
                               bool hasWeight, bool hasBias) {
  auto n = numel(input);
  if (!n)
    return std::nullopt;
  OpCost cost;
  cost.otherFlops =
      *n * Count(perElement + (hasWeight ? 1 : 0) + (hasBias ? 1 : 0));
  return cost;
}

/// Windows of adaptive pooling along one dimension: output i reads
/// [floor(i*I/O), ceil((i+1)*I/O)), and the window lengths sum to
/// I + O - gcd(I, O) (docs/Costs.md derives it).
Count adaptiveWindowSum(int64_t in, int64_t out) {
  if (in <= 0 || out <= 0)
    return 0;
  return Count(in) + Count(out - std::gcd(in, out));
}

std::optional<OpCost> adaptivePoolCost(const Type *input, const Type *output,
                                       size_t spatialRank, bool average) {
  if (!input || !output || input->getDims().size() != output->getDims().size() ||
      input->getDims().size() < spatialRank)
    return std::nullopt;
  size_t rank = input->getDims().size();
  auto outer = dimProduct(*output, 0, rank - spatialRank);
  auto outElems = numel(output);
  if (!outer || !outElems || !input->hasStaticShape())
    return std::nullopt;
  Count reads = *outer;
  for (size_t d = rank - spatialRank; d < rank; ++d)
    reads *= adaptiveWindowSum(input->getDims()[d], output->getDims()[d]);
  OpCost cost;
  cost.otherFlops = reads + (average ? *outElems : Count(0));
  return cost;
}

std::optional<OpCost> windowPoolCost(const Type *output,
                                     const std::vector<int64_t> &kernel,
                                     size_t spatialRank, bool average) {
  auto outElems = numel(output);
  if (!outElems || kernel.empty() ||
      (kernel.size() != 1 && kernel.size() != spatialRank))
    return std::nullopt;
  Count window = 1;
  for (size_t d = 0; d < spatialRank; ++d) {
    int64_t k = kernel.size() == 1 ? kernel[0] : kernel[d];
    if (k <= 0)
      return std::nullopt;
    window *= Count(k);
  }
  OpCost cost;
  cost.otherFlops = *outElems * window + (average ? *outElems : Count(0));
  return cost;
}

/// Flops per output element of an interpolation mode: a weighted sum over
/// `taps` inputs costs taps multiplies and taps - 1 adds; nearest copies.
std::optional<int> interpolationFlops(std::string_view mode) {
  if (mode == "nearest" || mode == "nearest-exact" || mode == "nearest_exact")
    return 0;
  if (mode == "linear")
    return 3;
  if (mode == "bilinear")
    return 7;
  if (mode == "trilinear")
    return 15;
  if (mode == "bicubic")
    return 31;
  return std::nullopt;
}

/// A recurrent layer-direction: `steps` (time x batch) applications of a
/// cell with input and hidden weights (and an LSTM projection).
OpCost recurrentCost(Count steps, const Type &wIh, const Type &wHh,
                     const Type *wHr, int gates, int biases) {
  OpCost cost;
  Count weights = *getNumElements(wIh) + *getNumElements(wHh);
  if (wHr)
    weights += *getNumElements(*wHr);
  cost.macs = steps * weights;
  int64_t hidden = wIh.getDims()[0] / gates;
  cost.otherFlops =
      steps * Count(hidden) *
      Count(cellElementwiseFlops(gates) + static_cast<int64_t>(biases) * gates);
  return cost;
}

bool isStaticMatrix(const Type *type) {
  return type && type->getDims().size() == 2 && type->hasStaticShape();
}

/// Rows (time steps x batch) an RNN input stands for: all dims but the
/// feature dim ([T, B, I], [B, T, I], unbatched [T, I], packed [sum, I]).
std::optional<Count> recurrentSteps(const Type *input) {
  if (!input || input->getDims().size() < 2)
    return std::nullopt;
  return dimProduct(*input, 0, input->getDims().size() - 1);
}

//===----------------------------------------------------------------------===//
// Einsum
//===----------------------------------------------------------------------===//

/// Parses an einsum equation into per-operand and output subscripts (as
/// integer codes; `...` dimensions get codes >= 1000 aligned from the right)
/// and returns the MACs of contracting the operands pairwise, left to right,
/// keeping only the subscripts still needed; one operand: a reduction.
std::optional<OpCost> einsumCost(std::string_view equation,
                                 const std::vector<const Type *> &tensors) {
  std::string eq;
  for (char c : equation)
    if (c != ' ')
      eq += c;
  std::string lhs = eq, rhs;
  bool explicitOutput = false;
  if (size_t arrow = eq.find("->"); arrow != std::string::npos) {
    lhs = eq.substr(0, arrow);
    rhs = eq.substr(arrow + 2);
    explicitOutput = true;
  }
  std::vector<std::string> terms;
  for (size_t start = 0;;) {
    size_t comma = lhs.find(',', start);
    terms.push_back(lhs.substr(start, comma - start));
    if (comma == std::string::npos)
      break;
    start = comma + 1;
  }
  if (terms.size() != tensors.size() || tensors.empty())
    return std::nullopt;

  std::map<int, int64_t> sizes;
  std::vector<std::vector<int>> subscripts(terms.size());
  size_t maxEllipsis = 0;
  std::map<int, int> letterCount;
  for (size_t t = 0; t < terms.size(); ++t) {
    const std::string &term = terms[t];
    const std::vector<int64_t> &dims = tensors[t]->getDims();
    size_t letters = 0;
    for (char c : term)
      if (std::isalpha(static_cast<unsigned char>(c)))
        ++letters;
    bool hasEllipsis = term.find("...") != std::string::npos;
    if (letters > dims.size() || (!hasEllipsis && letters != dims.size()))
      return std::nullopt;
    size_t ellipsisDims = dims.size() - letters;
    maxEllipsis = std::max(maxEllipsis, ellipsisDims);
    for (size_t i = 0; i < term.size(); ++i) {
      if (term.compare(i, 3, "...") == 0) {
        // Code 1000 + k for the k-th dimension counted from the right end
        // of the ellipsis, so that broadcasting aligns them.
        for (size_t k = ellipsisDims; k-- > 0;)
          subscripts[t].push_back(1000 + static_cast<int>(k));
        i += 2;
        continue;
      }
      if (!std::isalpha(static_cast<unsigned char>(term[i])))
        return std::nullopt;
      int code = static_cast<unsigned char>(term[i]);
      subscripts[t].push_back(code);
      ++letterCount[code];
    }
    if (subscripts[t].size() != dims.size())
      return std::nullopt; // e.g. two ellipses
    for (size_t d = 0; d < dims.size(); ++d) {
      if (dims[d] < 0)
        return std::nullopt;
      int64_t &size = sizes[subscripts[t][d]];
      size = std::max(size, dims[d]);
    }
  }
  std::set<int> output;
  for (size_t k = 0; k < maxEllipsis; ++k)
    output.insert(1000 + static_cast<int>(k));
  if (explicitOutput) {
    for (size_t i = 0; i < rhs.size(); ++i) {
      if (rhs.compare(i, 3, "...") == 0) {
        i += 2;
        continue;
      }
      output.insert(static_cast<unsigned char>(rhs[i]));
    }
  } else {
    // Implicit output: every letter that appears exactly once.
    for (const auto &[code, count] : letterCount)
      if (count == 1)
        output.insert(code);
  }

  OpCost cost;
  std::set<int> current(subscripts[0].begin(), subscripts[0].end());
  if (subscripts.size() == 1) {
    if (current != output)
      cost.otherFlops = *numel(tensors[0]);
    return cost;
  }
  for (size_t t = 1; t < subscripts.size(); ++t) {
    std::set<int> joined = current;
    joined.insert(subscripts[t].begin(), subscripts[t].end());
    Count product = 1;
    for (int code : joined)
      product *= Count(sizes[code]);
    cost.macs += product;
    std::set<int> needed = output;
    for (size_t later = t + 1; later < subscripts.size(); ++later)
      needed.insert(subscripts[later].begin(), subscripts[later].end());
    current.clear();
    for (int code : joined)
      if (needed.count(code))
        current.insert(code);
  }
  return cost;
}

//===----------------------------------------------------------------------===//
// The table
//===----------------------------------------------------------------------===//

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

const FormulaSpec *lookupFormula(std::string_view canonicalName) {
  const auto &table = getFormulaTable();
  auto it = table.find(canonicalName);
  return it == table.end() ? nullptr : &it->second;
}

/// Applies one formula family to recorded operands.
std::optional<OpCost> applyFormula(const FormulaSpec &spec,
                                   const Operands &ops,
                                   const std::vector<Type> &results) {
  const Type *out = firstResult(results);
  auto perOutputElement = [&](int64_t flops) -> std::optional<OpCost> {
    auto n = numel(out);
    if (!n)
      return std::nullopt;
    OpCost cost;
    cost.otherFlops = *n * Count(flops);
    return cost;
  };

  switch (spec.formula) {
  case Formula::Zero:
    return OpCost{};
  case Formula::Elementwise:
    return perOutputElement(spec.a);
  case Formula::AddSub: {
    std::optional<double> alpha = ops.getNumber(2);
    return perOutputElement(alpha && *alpha != 1.0 ? 2 : 1);
  }
  case Formula::Gelu: {
    std::optional<std::string_view> approximate = ops.getString(1);
    return perOutputElement(approximate && *approximate == "tanh" ? 9 : 5);
  }
  case Formula::Softmax: {
    auto n = numel(ops.tensor(0));
    if (!n)
      n = numel(out);
    if (!n)
      return std::nullopt;
    OpCost cost;
    cost.otherFlops = *n * Count(spec.a);
    return cost;
  }
  case Formula::MaxMin:
    if (ops.isTensor(1))
      return perOutputElement(1);
    [[fallthrough]];
  case Formula::Reduction: {
    auto in = numel(ops.tensor(0));
    auto outElems = numel(out);
    if (!in || !outElems)
      return std::nullopt;
    OpCost cost;
    cost.otherFlops = *in * Count(spec.formula == Formula::MaxMin ? 1 : spec.a) +
                      *outElems * Count(spec.b);
    return cost;
  }
  case Formula::Dropout: {
    if (!ops.getBool(2, false))
      return OpCost{};
    return perOutputElement(2);
  }
  case Formula::Conv: {
    bool transposed = spec.a == 1 || ops.getBool(6, false);
    return convCost(ops.tensor(0), ops.tensor(1), ops.isTensor(2), out,
                    transposed);
  }
  case Formula::Linear:
    return linearCost(ops.tensor(1), ops.isTensor(2), out);
  case Formula::MatmulLike: {
    // Every output element is a dot product over the last dimension of the
    // left factor (operand a; operand 0 is the added term when b is set).
    auto k = lastDim(ops.tensor(spec.a));
    auto outElems = numel(out);
    if (!k || !outElems)
      return std::nullopt;
    OpCost cost;
    cost.macs = *outElems * Count(*k);
    std::optional<double> beta = ops.getNumber(3);
    if (spec.b && !(beta && *beta == 0.0))
      cost.otherFlops = *outElems;
    return cost;
  }
  case Formula::Addbmm: {
    const Type *batch1 = ops.tensor(1);
    auto outElems = numel(out);
    if (!batch1 || batch1->getDims().size() != 3 || !batch1->hasStaticShape() ||
        !outElems)
      return std::nullopt;
    OpCost cost;
    cost.macs = *outElems * Count(batch1->getDims()[0]) *
                Count(batch1->getDims()[2]);
    std::optional<double> beta = ops.getNumber(3);
    if (!(beta && *beta == 0.0))
      cost.otherFlops = *outElems;
    return cost;
  }
  case Formula::Einsum: {
    std::optional<std::string_view> equation = ops.getString(0);
    auto tensors = ops.getTensorList(1);
    if (!equation || !tensors)
      return std::nullopt;
    return einsumCost(*equation, *tensors);
  }
  case Formula::Attention: {
    const Type *q = ops.tensor(0), *k = ops.tensor(1), *v = ops.tensor(2);
    auto queries = dimFromEnd(q, 2), qkDim = dimFromEnd(q, 1);
    auto keys = dimFromEnd(k, 2), vDim = dimFromEnd(v, 1);
    if (!queries || !qkDim || !keys || !vDim)
      return std::nullopt;
    auto batch = dimProduct(*q, 0, q->getDims().size() - 2);
    if (!batch)
      return std::nullopt;
    AttentionShape shape{*batch, *queries, *keys, *qkDim, *vDim};
    return attentionCost(shape, *batch * Count(*queries), ops.isTensor(3));
  }
  case Formula::NativeMha: {
    const Type *q = ops.tensor(0), *k = ops.tensor(1);
    auto queries = dimFromEnd(q, 2), embed = dimFromEnd(q, 1);
    auto keys = dimFromEnd(k, 2);
    if (!queries || !embed || !keys)
      return std::nullopt;
    auto batch = dimProduct(*q, 0, q->getDims().size() - 2);
    if (!batch)
      return std::nullopt;
    MhaShape shape{*batch,          *queries,         *keys,
                   *embed,          ops.getInt(4).value_or(1),
                   ops.isTensor(6), ops.isTensor(8), ops.isTensor(9)};
    return mhaCost(shape);
  }
  case Formula::EncoderLayer: {
    const Type *src = ops.tensor(0);
    auto length = dimFromEnd(src, 2), embed = dimFromEnd(src, 1);
    const Type *ffn1 = ops.tensor(14);
    if (!length || !embed || !isStaticMatrix(ffn1))
      return std::nullopt;
    auto batch = dimProduct(*src, 0, src->getDims().size() - 2);
    if (!batch)
      return std::nullopt;
    MhaShape shape{*batch,          *length,          *length,
                   *embed,          ops.getInt(2).value_or(1),
                   ops.isTensor(4), ops.isTensor(6), ops.isTensor(18)};
    OpCost cost = mhaCost(shape);
    Count rows = *batch * Count(*length);
    Count e = *embed, f = ffn1->getDims()[0];
    // Two layer norms, two residual adds, the feed-forward block.
    Count normFlops = Count(6 + (ops.isTensor(10) ? 1 : 0) +
                            (ops.isTensor(11) ? 1 : 0)) +
                      Count(6 + (ops.isTensor(12) ? 1 : 0) +
                            (ops.isTensor(13) ? 1 : 0));
    cost.otherFlops += rows * e * (normFlops + Count(2));
    cost.macs += rows * e * f * Count(2);
    cost.otherFlops += rows * f * Count(ops.getBool(7, false) ? 5 : 1);
    if (ops.isTensor(15))
      cost.otherFlops += rows * f;
    if (ops.isTensor(17))
      cost.otherFlops += rows * e;
    return cost;
  }
  case Formula::RnnLayer: {
    // The params list is the operand followed by `bool has_biases`: index
    // 2 for the `.input` overloads, 3 for the packed `.data` ones.
    size_t p = 1;
    while (p + 5 < ops.size() && !(ops.isList(p) && ops.isBool(p + 1)))
      ++p;
    if (p + 5 >= ops.size())
      return std::nullopt;
    auto params = ops.getTensorList(p);
    auto layers = ops.getInt(p + 2);
    bool hasBiases = ops.getBool(p + 1, true);
    int directions = ops.getBool(p + 5, false) ? 2 : 1;
    auto steps = recurrentSteps(ops.tensor(0));
    if (!params || !layers || *layers <= 0 || !steps)
      return std::nullopt;
    size_t groups = static_cast<size_t>(*layers) * directions;
    if (params->empty() || params->size() % groups != 0)
      return std::nullopt;
    size_t perGroup = params->size() / groups;
    size_t expected = hasBiases ? 4 : 2;
    bool projection = perGroup == expected + 1;
    if (perGroup != expected && !projection)
      return std::nullopt;
    OpCost cost;
    for (size_t g = 0; g < groups; ++g) {
      const Type *wIh = (*params)[g * perGroup];
      const Type *wHh = (*params)[g * perGroup + 1];
      const Type *wHr = projection ? (*params)[g * perGroup + perGroup - 1]
                                   : nullptr;
      if (!isStaticMatrix(wIh) || !isStaticMatrix(wHh) ||
          (wHr && !isStaticMatrix(wHr)))
        return std::nullopt;
      cost += recurrentCost(*steps, *wIh, *wHh, wHr, spec.a,
                            hasBiases ? 2 : 0);
    }
    return cost;
  }
  case Formula::RnnCell: {
    const Type *wIh = ops.tensor(2), *wHh = ops.tensor(3);
    auto steps = recurrentSteps(ops.tensor(0));
    if (!steps && ops.tensor(0) && ops.tensor(0)->getDims().size() == 1)
      steps = Count(1); // unbatched input
    if (!isStaticMatrix(wIh) || !isStaticMatrix(wHh) || !steps)
      return std::nullopt;
    int biases = (ops.isTensor(4) ? 1 : 0) + (ops.isTensor(5) ? 1 : 0);
    return recurrentCost(*steps, *wIh, *wHh, nullptr, spec.a, biases);
  }
  case Formula::BatchNorm:
    return normCost(ops.tensor(0), ops.getBool(5, false) ? 6 : 2,
                    ops.isTensor(1), ops.isTensor(2));
  case Formula::LayerNorm:
    return normCost(ops.tensor(0), 6, ops.isTensor(spec.a),
                    ops.isTensor(spec.a + 1));
  case Formula::InstanceNorm:
    return normCost(ops.tensor(0), ops.getBool(5, true) ? 6 : 2,
                    ops.isTensor(1), ops.isTensor(2));
  case Formula::RmsNorm:
    return normCost(ops.tensor(0), 3, ops.isTensor(2), false);
  case Formula::MaxPool:
  case Formula::AvgPool: {
    auto kernel = ops.getIntList(1);
    if (!kernel)
      return std::nullopt;
    return windowPoolCost(out, *kernel, spec.a,
                          spec.formula == Formula::AvgPool);
  }
  case Formula::AdaptiveMaxPool:
  case Formula::AdaptiveAvgPool:
    return adaptivePoolCost(ops.tensor(0), out, spec.a,
                            spec.formula == Formula::AdaptiveAvgPool);
  case Formula::Upsample:
    return perOutputElement(spec.a);
  case Formula::Interpolate: {
    std::string_view mode = ops.getString(3).value_or("nearest");
    if (mode == "area") {
      const Type *in = ops.tensor(0);
      if (!in || in->getDims().size() < 3)
        return std::nullopt;
      return adaptivePoolCost(in, out, in->getDims().size() - 2, true);
    }
    std::optional<int> flops = interpolationFlops(mode);
    if (!flops)
      return std::nullopt;
    return perOutputElement(*flops);
  }
  }
  return std::nullopt;
}

//===----------------------------------------------------------------------===//
// Module nodes without `ops`
//===----------------------------------------------------------------------===//

/// The parameter called `name` or `<prefix>.name` in a node's `params`.
const Type *findParam(const DictAttr &attrs, std::string_view name) {
  const Attribute *params = attrs.get("params");
  if (!params || !params->isDict())
    return nullptr;
  for (const NamedAttribute &entry : params->getDict()) {
    std::string_view key = entry.name;
    bool matches = key == name ||
                   (key.size() > name.size() &&
                    key.substr(key.size() - name.size()) == name &&
                    key[key.size() - name.size() - 1] == '.');
    if (matches && entry.value.isType() && entry.value.getType().isRanked())
      return &entry.value.getType();
  }
  return nullptr;
}

const Attribute *findArg(const DictAttr &attrs, std::string_view name) {
  const Attribute *args = attrs.get("args");
  if (!args || !args->isDict())
    return nullptr;
  return args->getDict().get(name);
}

Attribute typeOrNone(const Type *type) {
  return type ? Attribute::type(*type) : Attribute::none();
}

/// Recurrent modules (nn.LSTM/GRU/RNN): every `weight_ih_l<k>[_reverse]`
/// parameter is one layer-direction.
std::optional<OpCost> recurrentModuleCost(const DictAttr &attrs,
                                          const Type *input, int gates) {
  const Attribute *params = attrs.get("params");
  auto steps = recurrentSteps(input);
  if (!params || !params->isDict() || !steps)
    return std::nullopt;
  OpCost cost;
  bool any = false;
  for (const NamedAttribute &entry : params->getDict()) {
    std::string_view key = entry.name;
    size_t dot = key.rfind('.');
    std::string_view leaf = dot == std::string_view::npos ? key
                                                          : key.substr(dot + 1);
    if (leaf.substr(0, 11) != "weight_ih_l")
      continue;
    std::string suffix(leaf.substr(11));
    const Type *wIh = entry.value.isType() ? &entry.value.getType() : nullptr;
    const Type *wHh = findParam(attrs, "weight_hh_l" + suffix);
    const Type *wHr = findParam(attrs, "weight_hr_l" + suffix);
    if (!isStaticMatrix(wIh) || !isStaticMatrix(wHh) ||
        (wHr && !isStaticMatrix(wHr)))
      return std::nullopt;
    int biases = (findParam(attrs, "bias_ih_l" + suffix) ? 1 : 0) +
                 (findParam(attrs, "bias_hh_l" + suffix) ? 1 : 0);
    cost += recurrentCost(*steps, *wIh, *wHh, wHr, gates, biases);
    any = true;
  }
  if (!any)
    return std::nullopt;
  return cost;
}

/// nn.MultiheadAttention: (query, key, value) operands, batch_first and
/// num_heads from `args` (defaults false and 1).
std::optional<OpCost> mhaModuleCost(const DictAttr &attrs,
                                    const std::vector<Type> &operands) {
  if (operands.empty())
    return std::nullopt;
  const Type *q = operands[0].isRanked() ? &operands[0] : nullptr;
  const Type *k = operands.size() > 1 && operands[1].isRanked() ? &operands[1]
                                                                 : q;
  if (!q || !k || !q->hasStaticShape() || !k->hasStaticShape() ||
      q->getDims().size() != k->getDims().size() ||
      q->getDims().size() < 2 || q->getDims().size() > 3)
    return std::nullopt;
  const Attribute *batchFirstArg = findArg(attrs, "batch_first");
  bool batchFirst = batchFirstArg && batchFirstArg->isBool() &&
                    batchFirstArg->getBool();
  const std::vector<int64_t> &qd = q->getDims(), &kd = k->getDims();
  int64_t batch = 1, queries = qd[0], keys = kd[0];
  if (qd.size() == 3) {
    batch = batchFirst ? qd[0] : qd[1];
    queries = batchFirst ? qd[1] : qd[0];
    keys = batchFirst ? kd[1] : kd[0];
  }
  const Attribute *headsArg = findArg(attrs, "num_heads");
  int64_t heads = headsArg && headsArg->isInt() ? headsArg->getInt() : 1;
  bool inBias = findParam(attrs, "in_proj_bias") != nullptr;
  bool outBias = findParam(attrs, "out_proj.bias") != nullptr;
  MhaShape shape{batch, queries, keys, qd.back(), heads, inBias, outBias,
                 false};
  return mhaCost(shape);
}

/// The aten op a parameter-free module class computes, for modules whose
/// cost is a per-element formula of their (only) input.
std::optional<std::string_view> elementwiseModuleOp(std::string_view cls) {
  static const std::map<std::string_view, std::string_view> modules = {
      {"ReLU", "relu"},           {"ReLU6", "relu6"},
      {"LeakyReLU", "leaky_relu"}, {"PReLU", "prelu"},
      {"RReLU", "rrelu"},         {"ELU", "elu"},
      {"CELU", "celu"},           {"SELU", "selu"},
      {"SiLU", "silu"},           {"Sigmoid", "sigmoid"},
      {"Tanh", "tanh"},           {"Hardswish", "hardswish"},
      {"Hardsigmoid", "hardsigmoid"}, {"Hardtanh", "hardtanh"},
      {"Mish", "mish"},           {"Softplus", "softplus"},
      {"Softsign", "softsign"},   {"LogSigmoid", "log_sigmoid"},
      {"Tanhshrink", "tanhshrink"}, {"Hardshrink", "hardshrink"},
      {"Softshrink", "softshrink"}, {"GLU", "glu"},
      {"Threshold", "threshold"}, {"Softmax", "softmax"},
      {"Softmax2d", "softmax"},   {"LogSoftmax", "log_softmax"},
      {"Softmin", "softmin"},     {"Dropout", "view"},
      {"Dropout1d", "view"},      {"Dropout2d", "view"},
      {"Dropout3d", "view"},      {"AlphaDropout", "view"},
      {"FeatureAlphaDropout", "view"}, {"Identity", "view"},
      {"Flatten", "view"},        {"Unflatten", "view"},
      {"PixelShuffle", "view"},   {"PixelUnshuffle", "view"},
      {"ChannelShuffle", "view"}, {"Embedding", "view"},
      {"UpsamplingNearest2d", "view"}, {"UpsamplingBilinear2d",
                                         "upsample_bilinear2d"},
      {"AdaptiveAvgPool1d", "adaptive_avg_pool1d"},
      {"AdaptiveAvgPool2d", "adaptive_avg_pool2d"},
      {"AdaptiveAvgPool3d", "adaptive_avg_pool3d"},
      {"AdaptiveMaxPool1d", "adaptive_max_pool1d"},
      {"AdaptiveMaxPool2d", "adaptive_max_pool2d"},
      {"AdaptiveMaxPool3d", "adaptive_max_pool3d"},
  };
  if (auto it = modules.find(cls); it != modules.end())
    return it->second;
  // Padding modules only copy.
  for (std::string_view prefix :
       {"ZeroPad", "ConstantPad", "ReflectionPad", "ReplicationPad",
        "CircularPad"})
    if (cls.substr(0, prefix.size()) == prefix)
      return std::string_view("view");
  return std::nullopt;
}

bool startsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

/// Spatial rank from a class name ending in `1d`, `2d` or `3d`.
int spatialRankOf(std::string_view cls) {
  if (cls.size() >= 2 && cls.back() == 'd' && cls[cls.size() - 2] >= '1' &&
      cls[cls.size() - 2] <= '3')
    return cls[cls.size() - 2] - '0';
  return 0;
}

std::optional<OpCost> moduleCost(std::string_view cls, const DictAttr &attrs,
                                 const std::vector<Type> &operands,
                                 const std::vector<Type> &results) {
  const Type *input =
      !operands.empty() && operands[0].isRanked() ? &operands[0] : nullptr;
  const Type *out = firstResult(results);
  const Type *weight = findParam(attrs, "weight");
  bool hasBias = findParam(attrs, "bias") != nullptr;

  if (std::optional<std::string_view> aten = elementwiseModuleOp(cls)) {
    ListAttr list;
    list.push_back(typeOrNone(input));
    const FormulaSpec *spec = lookupFormula(*aten);
    return spec ? applyFormula(*spec, Operands(list), results) : std::nullopt;
  }
  if (cls == "GELU") {
    const Attribute *approximate = findArg(attrs, "approximate");
    ListAttr list{typeOrNone(input),
                  approximate && approximate->isString()
                      ? *approximate
                      : Attribute::string("none")};
    return applyFormula({Formula::Gelu}, Operands(list), results);
  }
  if (startsWith(cls, "ConvTranspose") || startsWith(cls, "LazyConvTranspose"))
    return convCost(input, weight, hasBias, out, true);
  if (startsWith(cls, "Conv") || startsWith(cls, "LazyConv"))
    return convCost(input, weight, hasBias, out, false);
  if (cls == "Linear" || cls == "LazyLinear")
    return linearCost(weight, hasBias, out);
  if (startsWith(cls, "BatchNorm") || startsWith(cls, "LazyBatchNorm") ||
      cls == "SyncBatchNorm")
    return normCost(input, 2, weight != nullptr, hasBias);
  if (cls == "LayerNorm" || cls == "GroupNorm")
    return normCost(input, 6, weight != nullptr, hasBias);
  if (startsWith(cls, "InstanceNorm") || startsWith(cls, "LazyInstanceNorm")) {
    const Attribute *running = findArg(attrs, "track_running_stats");
    bool useRunningStats = running && running->isBool() && running->getBool();
    return normCost(input, useRunningStats ? 2 : 6, weight != nullptr,
                    hasBias);
  }
  if (cls == "RMSNorm")
    return normCost(input, 3, weight != nullptr, false);
  if (startsWith(cls, "MaxPool") || startsWith(cls, "AvgPool")) {
    int rank = spatialRankOf(cls);
    const Attribute *kernelArg = findArg(attrs, "kernel_size");
    if (!rank || !kernelArg)
      return std::nullopt;
    ListAttr list{typeOrNone(input), *kernelArg};
    auto kernel = Operands(list).getIntList(1);
    if (!kernel)
      return std::nullopt;
    return windowPoolCost(out, *kernel, rank, startsWith(cls, "AvgPool"));
  }
  if (cls == "Upsample") {
    const Attribute *modeArg = findArg(attrs, "mode");
    std::string_view mode = modeArg && modeArg->isString()
                                ? std::string_view(modeArg->getString())
                                : "nearest";
    std::optional<int> flops = interpolationFlops(mode);
    auto outElems = numel(out);
    if (!flops || !outElems)
      return std::nullopt;
    OpCost cost;
    cost.otherFlops = *outElems * Count(*flops);
    return cost;
  }
  if (cls == "MultiheadAttention")
    return mhaModuleCost(attrs, operands);
  if (cls == "LSTM")
    return recurrentModuleCost(attrs, input, 4);
  if (cls == "GRU")
    return recurrentModuleCost(attrs, input, 3);
  if (cls == "RNN")
    return recurrentModuleCost(attrs, input, 1);
  if (cls == "LSTMCell" || cls == "GRUCell" || cls == "RNNCell") {
    int gates = cls == "LSTMCell" ? 4 : cls == "GRUCell" ? 3 : 1;
    const Type *wIh = findParam(attrs, "weight_ih");
    const Type *wHh = findParam(attrs, "weight_hh");
    ListAttr list{typeOrNone(input), Attribute::none(), typeOrNone(wIh),
                  typeOrNone(wHh),
                  typeOrNone(findParam(attrs, "bias_ih")),
                  typeOrNone(findParam(attrs, "bias_hh"))};
    return applyFormula({Formula::RnnCell, gates}, Operands(list), results);
  }
  return std::nullopt;
}

} // namespace

//===----------------------------------------------------------------------===//
// Public entry points
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

std::optional<OpCost> cost::costFromOperation(
    std::string_view operation, const DictAttr &attrs,
    const std::vector<Type> &operandTypes,
    const std::vector<Type> &resultTypes) {
  if (startsWith(operation, "nn."))
    return moduleCost(operation.substr(3), attrs, operandTypes, resultTypes);
  // Function `relu()` or method `.relu()` nodes: only formulas that read
  // nothing but tensor operands in their positions.
  if (operation.size() < 3 || operation.substr(operation.size() - 2) != "()")
    return std::nullopt;
  std::string_view name = operation.substr(0, operation.size() - 2);
  if (!name.empty() && name.front() == '.')
    name.remove_prefix(1);
  std::string canonical = canonicalAtenName("aten::" + std::string(name));
  const FormulaSpec *spec = lookupFormula(canonical);
  if (!spec || !spec->fromTypesOnly)
    return std::nullopt;
  ListAttr operands;
  for (const Type &type : operandTypes)
    operands.push_back(Attribute::type(type));
  return applyFormula(*spec, Operands(operands), resultTypes);
}

int64_t mav::cost::getNodeParamCount(const DictAttr &attrs) {
  if (const Attribute *counted = attrs.get("cost.params");
      counted && counted->isInt())
    return counted->getInt();
  const Attribute *params = attrs.get("params");
  if (!params || !params->isDict())
    return 0;
  Count total;
  for (const NamedAttribute &param : params->getDict())
    if (param.value.isType())
      if (std::optional<Count> n = getNumElements(param.value.getType()))
        total += *n;
  return total.get();
}
