//===- Interpreter.cpp - Run a TorchScript forward op by op ---------------===//
//
// mav-trace does not inline the model and hand it to torch's interpreter: it
// walks the (non-inlined) forward graph itself, node by node, and follows
// prim::CallMethod into submodules and prim::CallFunction into scripted
// functions. That way the module boundaries are exact (the callee is an
// object whose path was indexed at load time, even for `self.layers[0]`),
// control flow is executed for real, and every aten op is run through its
// registered Operation so that its inputs and outputs can be recorded.
//
// Grouping (TraceGranularity::Module): a call of a leaf module becomes one
// node, and so does a scripted function called from a non-leaf module; every
// other aten op that produces a tensor in a non-leaf module's forward becomes
// a node of its own. Plumbing (constants, lists, tuples, sizes) never does.
//
// Edges are found by tensor identity: each tensor a node produces is mapped
// (by its TensorImpl) to the node result; a later node's operands are the
// producers of the tensors it reads, however they travelled through lists
// and tuples. Parameters are recognised the same way.
//
// When an op throws, its node is marked `failed` and the interpreter keeps
// walking in "not-run" mode: tensor ops are no longer executed (their values
// are unknown, their edges follow the graph's data flow), but attribute reads,
// constants and plumbing on known values still run, so the remaining modules
// are found and their parameters counted.
//
// With TraceOptions::shapesOnly the model's tensors are meta tensors (shape
// and dtype, no storage). Each op runs on a shape rule of ours for the heavy
// ops libtorch 1.13 has no C++ meta kernel for (convolutions, norms, fused
// attention), else on its meta kernel, else (no kernel, or the op needs
// values: item, Bool, nonzero) on CPU on zero-filled tensors, its results
// turned back into meta tensors. The recorded IR is the normal mode's.
//
//===----------------------------------------------------------------------===//

#include "Interpreter.h"

#include <torch/csrc/jit/api/function_impl.h>
#include <torch/csrc/jit/ir/ir.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

using namespace mav;
using namespace mav::trace;
namespace jit = torch::jit;

//===----------------------------------------------------------------------===//
// Conversions
//===----------------------------------------------------------------------===//

DType mav::trace::convertScalarType(c10::ScalarType type) {
  switch (type) {
  case c10::ScalarType::Bool:
    return DType::Bool;
  case c10::ScalarType::Byte:
    return DType::U8;
  case c10::ScalarType::Char:
    return DType::I8;
  case c10::ScalarType::Short:
    return DType::I16;
  case c10::ScalarType::Int:
    return DType::I32;
  case c10::ScalarType::Long:
    return DType::I64;
  case c10::ScalarType::Half:
    return DType::F16;
  case c10::ScalarType::BFloat16:
    return DType::BF16;
  case c10::ScalarType::Float:
    return DType::F32;
  case c10::ScalarType::Double:
    return DType::F64;
  case c10::ScalarType::ComplexHalf:
    return DType::C32;
  case c10::ScalarType::ComplexFloat:
    return DType::C64;
  case c10::ScalarType::ComplexDouble:
    return DType::C128;
  case c10::ScalarType::QInt8:
    return DType::QI8;
  case c10::ScalarType::QUInt8:
    return DType::QU8;
  case c10::ScalarType::QInt32:
    return DType::QI32;
  default:
    return DType::Unknown;
  }
}

std::optional<c10::ScalarType> mav::trace::convertDType(DType dtype) {
  static constexpr c10::ScalarType kAll[] = {
      c10::ScalarType::Bool,          c10::ScalarType::Byte,
      c10::ScalarType::Char,          c10::ScalarType::Short,
      c10::ScalarType::Int,           c10::ScalarType::Long,
      c10::ScalarType::Half,          c10::ScalarType::BFloat16,
      c10::ScalarType::Float,         c10::ScalarType::Double,
      c10::ScalarType::ComplexHalf,   c10::ScalarType::ComplexFloat,
      c10::ScalarType::ComplexDouble, c10::ScalarType::QInt8,
      c10::ScalarType::QUInt8,        c10::ScalarType::QInt32};
  for (c10::ScalarType type : kAll)
    if (convertScalarType(type) == dtype)
      return type;
  return std::nullopt;
}

std::string mav::trace::getTrimmedMessage(const std::exception &error) {
  std::string_view text;
  if (auto *c10Error = dynamic_cast<const c10::Error *>(&error))
    text = c10Error->what_without_backtrace();
  else
    text = error.what();
  // Keep the first few non-empty lines; stop at the C++ frame libtorch
  // appends ("Exception raised from ...").
  constexpr size_t kMaxLines = 3;
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start <= text.size() && lines.size() < kMaxLines) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos)
      end = text.size();
    std::string_view line = text.substr(start, end - start);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r'))
      line.remove_suffix(1);
    if (line.rfind("Exception raised from", 0) == 0)
      break;
    if (!line.empty())
      lines.push_back(line);
    start = end + 1;
  }
  if (lines.empty())
    return "unknown error";
  return fmt::format("{}", fmt::join(lines, "\n"));
}

namespace {

Type getTensorType(const at::Tensor &tensor) {
  if (!tensor.defined())
    return Type::scalar(Type::Kind::None);
  std::vector<int64_t> dims(tensor.sizes().begin(), tensor.sizes().end());
  return Type::tensor(convertScalarType(tensor.scalar_type()), std::move(dims));
}

/// The most precise type that covers both `a` and `b`: list elements of
/// differing shapes become `?` dimensions.
Type unifyTypes(const Type &a, const Type &b) {
  if (a == b)
    return a;
  if (a.isRanked() && b.isRanked() && a.getDType() == b.getDType() &&
      a.getDims().size() == b.getDims().size()) {
    std::vector<int64_t> dims = a.getDims();
    for (size_t i = 0; i < dims.size(); ++i)
      if (dims[i] != b.getDims()[i])
        dims[i] = kUnknownDim;
    return Type::tensor(a.getDType(), std::move(dims));
  }
  if (a.isTensor() && b.isTensor() && a.getDType() == b.getDType())
    return Type::unrankedTensor(a.getDType());
  return Type::unknown();
}

Type getIValueType(const c10::IValue &value) {
  if (value.isTensor())
    return getTensorType(value.toTensor());
  if (value.isNone())
    return Type::scalar(Type::Kind::None);
  if (value.isBool())
    return Type::scalar(Type::Kind::Bool);
  if (value.isInt())
    return Type::scalar(Type::Kind::Int);
  if (value.isDouble())
    return Type::scalar(Type::Kind::Float);
  if (value.isString())
    return Type::scalar(Type::Kind::Str);
  if (value.isTuple()) {
    std::vector<Type> elements;
    for (const c10::IValue &element : value.toTupleRef().elements())
      elements.push_back(getIValueType(element));
    return Type::tuple(std::move(elements));
  }
  if (value.isList()) {
    c10::List<c10::IValue> list = value.toList();
    if (list.empty())
      return Type::list(Type::unknown());
    Type element = getIValueType(list.get(0));
    for (size_t i = 1; i < list.size(); ++i)
      element = unifyTypes(element, getIValueType(list.get(i)));
    return Type::list(std::move(element));
  }
  return Type::unknown();
}

/// An operand as the `ops` attribute records it: tensors by type, everything
/// else by value. `metaIsCpu` (shapes-only mode) records the meta device the
/// values live on as the CPU that the normal mode runs on, so that both modes
/// print the same IR.
Attribute getIValueAttr(const c10::IValue &value, bool metaIsCpu) {
  if (value.isTensor()) {
    const at::Tensor &tensor = value.toTensor();
    return tensor.defined() ? Attribute::type(getTensorType(tensor))
                            : Attribute::none();
  }
  if (value.isNone())
    return Attribute::none();
  if (value.isBool())
    return Attribute::boolean(value.toBool());
  if (value.isInt())
    return Attribute::integer(value.toInt());
  if (value.isDouble())
    return Attribute::real(value.toDouble());
  if (value.isString())
    return Attribute::string(value.toStringRef());
  if (value.isDevice()) {
    c10::Device device = value.toDevice();
    if (metaIsCpu && device.is_meta())
      device = c10::Device(c10::kCPU);
    return Attribute::string(device.str());
  }
  if (value.isTuple()) {
    ListAttr elements;
    for (const c10::IValue &element : value.toTupleRef().elements())
      elements.push_back(getIValueAttr(element, metaIsCpu));
    return Attribute::list(std::move(elements));
  }
  if (value.isList()) {
    ListAttr elements;
    for (const c10::IValue &element : value.toListRef())
      elements.push_back(getIValueAttr(element, metaIsCpu));
    return Attribute::list(std::move(elements));
  }
  if (value.isObject())
    return Attribute::string(value.toObjectRef().type()->str());
  return Attribute::string(value.tagKind());
}

/// Calls `visit` on every tensor inside `value` (through lists, tuples and
/// dictionaries).
template <typename Fn> void forEachTensor(const c10::IValue &value, Fn &&visit) {
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

bool containsTensor(const c10::IValue &value) {
  bool found = false;
  forEachTensor(value, [&](const at::Tensor &) { found = true; });
  return found;
}

/// Whether a static TorchScript type can hold a tensor.
bool typeContainsTensor(const c10::TypePtr &type) {
  if (type->kind() == c10::TypeKind::TensorType)
    return true;
  for (const c10::TypePtr &contained : type->containedTypes())
    if (typeContainsTensor(contained))
      return true;
  return false;
}

/// `__torch__.torch.nn.modules.conv.___torch_mangle_3.Conv2d` ->
/// `torch.nn.modules.conv.Conv2d`.
std::string cleanClassName(std::string_view qualified) {
  std::vector<std::string_view> kept;
  size_t start = 0;
  while (start <= qualified.size()) {
    size_t dot = qualified.find('.', start);
    if (dot == std::string_view::npos)
      dot = qualified.size();
    std::string_view part = qualified.substr(start, dot - start);
    bool mangle = part.rfind("___torch_mangle_", 0) == 0;
    bool prefix = kept.empty() && part == "__torch__";
    if (!mangle && !prefix && !part.empty())
      kept.push_back(part);
    start = dot + 1;
  }
  return fmt::format("{}", fmt::join(kept, "."));
}

std::string_view getShortName(std::string_view qualified) {
  size_t dot = qualified.rfind('.');
  return dot == std::string_view::npos ? qualified : qualified.substr(dot + 1);
}

std::string joinPath(std::string_view prefix, std::string_view name) {
  if (prefix.empty())
    return std::string(name);
  return fmt::format("{}.{}", prefix, name);
}

/// A module path as a node name: `layer1.0.conv1` -> `layer1_0_conv1`.
std::string pathToName(std::string_view path) {
  std::string name(path);
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

/// The base name of a function or op node called from `modulePath`'s
/// forward: `layer1_0_add`, or just `add` in the root module.
std::string functionNodeName(std::string_view modulePath,
                             std::string_view function) {
  if (modulePath.empty())
    return std::string(function);
  return fmt::format("{}_{}", pathToName(modulePath), function);
}

/// Aten ops that only move values around: they return tensors but compute
/// nothing, so they never become nodes.
bool isPlumbingOp(c10::Symbol kind) {
  static const std::unordered_set<std::string> kPlumbing = {
      "aten::__getitem__", "aten::list",    "aten::append",
      "aten::pop",         "aten::insert",  "aten::extend",
      "aten::_set_item",   "aten::dict",    "aten::values",
      "aten::get",         "aten::items",   "aten::copy",
      "aten::__contains__", "aten::_unwrap_optional", "aten::wait",
      "aten::setdefault",  "aten::keys",    "aten::add_.t",
  };
  return kPlumbing.count(kind.toQualString()) != 0;
}

/// Ops run for their side effect on the console, which mav-trace suppresses.
bool isOutputOnlyOp(c10::Symbol kind) {
  return kind == c10::prim::Print || kind == c10::aten::warn;
}

/// Names used as `torch.flatten(x)`-style namespaces rather than tensors,
/// to tell `torch.flatten(x, 1)` (a function) from `x.flatten(1)` (a method).
bool isNamespaceName(std::string_view name) {
  static const std::unordered_set<std::string_view> kNamespaces = {
      "torch", "F",    "functional", "nn",      "_VF",  "_C",    "_nn",
      "math",  "fft",  "linalg",     "special", "init", "_refs", "ops"};
  return kNamespaces.count(name) != 0;
}

/// Tensor methods commonly called as `x.name(...)`: used to name ops when
/// the model carries no Python source text (traced models).
bool isCommonTensorMethod(std::string_view name) {
  static const std::unordered_set<std::string_view> kMethods = {
      "view",     "view_as",     "reshape",    "reshape_as", "permute",
      "transpose", "t",          "contiguous", "expand",     "expand_as",
      "repeat",   "unsqueeze",   "squeeze",    "type_as",    "to",
      "float",    "double",      "half",       "long",       "int",
      "bool",     "chunk",       "split",      "unbind",     "narrow",
      "clone",    "detach",      "masked_fill", "size",      "numel",
      "new_zeros", "new_ones",   "new_full",   "new_empty",  "unfold"};
  return kMethods.count(name) != 0;
}

/// Python source text of the expression a graph node came from, if the
/// model's debug information kept it.
std::string getOriginalSourceText(const jit::Node *node) {
  try {
    const jit::SourceRange &range = node->sourceRange();
    c10::optional<jit::SourceRange> original =
        range.findSourceRangeThatGenerated();
    if (!original || !original->source())
      return {};
    // Traced models point at whole Python files; a real expression is short.
    if (original->end() - original->start() > 400)
      return {};
    return original->text().str();
  } catch (const std::exception &) {
    return {};
  }
}

/// The IR operation name of an aten op called in a non-leaf forward:
/// `.view()` for a tensor method, `add()` for a function or an operator.
std::string getOpNodeName(const jit::Node *node) {
  std::string name(node->kind().toUnqualString());
  std::string text = getOriginalSourceText(node);
  bool isMethod;
  if (!text.empty()) {
    // `<receiver>.name(...)`: a method unless the receiver is a namespace.
    // The range of a call may stop before its arguments (`x.expand`).
    std::string needle = "." + name;
    size_t pos = text.find(needle + "(");
    if (pos == std::string::npos && text.size() >= needle.size() &&
        text.compare(text.size() - needle.size(), needle.size(), needle) == 0)
      pos = text.size() - needle.size();
    isMethod = false;
    if (pos != std::string::npos) {
      size_t begin = pos;
      while (begin > 0 && (std::isalnum(static_cast<unsigned char>(
                               text[begin - 1])) ||
                           text[begin - 1] == '_'))
        --begin;
      std::string_view receiver(text.data() + begin, pos - begin);
      isMethod = !isNamespaceName(receiver);
    }
  } else {
    std::string_view base = name;
    if (base.size() > 1 && base.back() == '_')
      base.remove_suffix(1);
    isMethod = isCommonTensorMethod(base) || base != name;
  }
  return isMethod ? fmt::format(".{}()", name) : fmt::format("{}()", name);
}

/// A location for the Python line a node came from.
Location getNodeLocation(const jit::Node *node) {
  Location loc;
  try {
    const jit::SourceRange &range = node->sourceRange();
    c10::optional<jit::SourceRange> original =
        range.findSourceRangeThatGenerated();
    const jit::SourceRange &use = original ? *original : range;
    if (auto fileLineCol = use.file_line_col()) {
      loc.file = std::get<0>(*fileLineCol);
      loc.line = static_cast<uint32_t>(std::get<1>(*fileLineCol));
      loc.column = static_cast<uint32_t>(std::get<2>(*fileLineCol)) + 1;
      if (loc.file.empty())
        loc = Location();
    }
  } catch (const std::exception &) {
    loc = Location();
  }
  return loc;
}

/// Runs the prim ops that torch's own interpreter implements inline and
/// that therefore have no registered Operation (list, tuple and dictionary
/// construction and unpacking, casts). Returns false for any other op.
bool runStructuralOp(const jit::Node *node, jit::Stack &stack) {
  c10::Symbol kind = node->kind();
  size_t numInputs = node->inputs().size();
  auto takeInputs = [&] {
    std::vector<c10::IValue> values(stack.end() - numInputs, stack.end());
    stack.resize(stack.size() - numInputs);
    return values;
  };
  auto expectCount = [&](size_t actual) {
    if (actual != node->outputs().size())
      throw std::runtime_error(fmt::format(
          "{} expected {} elements but got {}", kind.toQualString(),
          node->outputs().size(), actual));
  };
  if (kind == c10::prim::ListConstruct) {
    auto listType = node->output()->type()->expect<c10::ListType>();
    c10::List<c10::IValue> list(listType->getElementType());
    for (c10::IValue &value : takeInputs())
      list.push_back(std::move(value));
    stack.emplace_back(std::move(list));
    return true;
  }
  if (kind == c10::prim::ListUnpack) {
    c10::List<c10::IValue> list = stack.back().toList();
    stack.pop_back();
    expectCount(list.size());
    for (size_t i = 0; i < list.size(); ++i)
      stack.push_back(list.get(i));
    return true;
  }
  if (kind == c10::prim::TupleConstruct) {
    std::vector<c10::IValue> values = takeInputs();
    auto tupleType = node->output()->type()->cast<c10::TupleType>();
    if (tupleType && tupleType->schema())
      stack.emplace_back(c10::ivalue::Tuple::createNamed(std::move(values),
                                                         tupleType));
    else
      stack.emplace_back(c10::ivalue::Tuple::create(std::move(values)));
    return true;
  }
  if (kind == c10::prim::TupleUnpack) {
    c10::IValue tuple = std::move(stack.back());
    stack.pop_back();
    const auto &elements = tuple.toTupleRef().elements();
    expectCount(elements.size());
    for (const c10::IValue &element : elements)
      stack.push_back(element);
    return true;
  }
  if (kind == c10::prim::TupleIndex) {
    int64_t index = stack.back().toInt();
    stack.pop_back();
    c10::IValue tuple = std::move(stack.back());
    stack.pop_back();
    const auto &elements = tuple.toTupleRef().elements();
    int64_t size = static_cast<int64_t>(elements.size());
    if (index < 0)
      index += size;
    if (index < 0 || index >= size)
      throw std::out_of_range("tuple index out of range");
    stack.push_back(elements[index]);
    return true;
  }
  if (kind == c10::prim::TupleSlice) {
    c10::IValue tuple = std::move(stack.back());
    stack.pop_back();
    const auto &elements = tuple.toTupleRef().elements();
    int64_t begin = node->i(c10::attr::beg), end = node->i(c10::attr::end);
    std::vector<c10::IValue> slice;
    for (int64_t i = begin; i < end && i < int64_t(elements.size()); ++i)
      slice.push_back(elements[i]);
    stack.emplace_back(c10::ivalue::Tuple::create(std::move(slice)));
    return true;
  }
  if (kind == c10::prim::DictConstruct) {
    auto dictType = node->output()->type()->expect<c10::DictType>();
    c10::impl::GenericDict dict(dictType->getKeyType(),
                                dictType->getValueType());
    std::vector<c10::IValue> values = takeInputs();
    for (size_t i = 0; i + 1 < values.size(); i += 2)
      dict.insert_or_assign(values[i], values[i + 1]);
    stack.emplace_back(std::move(dict));
    return true;
  }
  if (kind == c10::prim::CreateObject) {
    auto classType = node->output()->type()->expect<c10::ClassType>();
    stack.emplace_back(c10::ivalue::Object::create(
        c10::StrongTypePtr(classType->compilation_unit(), classType),
        classType->numAttributes()));
    return true;
  }
  if (kind == c10::prim::Uninitialized) {
    stack.emplace_back();
    return true;
  }
  if (kind == c10::prim::unchecked_cast ||
      kind == c10::prim::unchecked_unwrap_optional) {
    return true; // the value itself
  }
  return false;
}

//===----------------------------------------------------------------------===//
// Shapes-only execution
//===----------------------------------------------------------------------===//

/// A meta tensor with the dtype, shape and strides of `tensor`: nothing is
/// allocated or copied. Tensors that are not plain strided ones (sparse,
/// quantized) stay as they are.
at::Tensor toMetaTensor(const at::Tensor &tensor) {
  if (!tensor.defined() || tensor.is_meta() ||
      tensor.layout() != c10::kStrided || tensor.is_quantized())
    return tensor;
  return at::empty_strided(tensor.sizes(), tensor.strides(),
                           tensor.options().device(at::kMeta));
}

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
bool needsTensorValues(c10::Symbol kind) {
  static const std::unordered_set<std::string> kValueOps = {
      "aten::item",     "aten::Int",          "aten::Float",
      "aten::Bool",     "aten::ScalarImplicit", "aten::is_nonzero",
      "aten::equal",    "aten::allclose",     "aten::tolist",
      "prim::tolist",   "aten::format",       "aten::str",
      "aten::nonzero",  "aten::nonzero_numpy", "aten::unique",
      "aten::_unique2", "aten::unique_dim",   "aten::masked_select",
      "aten::__str__",  "aten::numpy_T",      "aten::_local_scalar_dense"};
  return kValueOps.count(kind.toQualString()) != 0;
}

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
    if (weight.size(1) * groups != inChannels ||
        weight.size(0) % groups != 0)
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
    if (out <= 0 || (!transposed && padding &&
                     in + 2 * (*padding)[i] < extent))
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
  if (!operand(0).isTensor() || !operand(1).isTensor() ||
      !operand(4).isInt() || !operand(7).isTensor() ||
      !operand(10).isBool() || !operand(11).isBool())
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
    weights = operand(11).toBool()
                  ? at::empty({batch, length, sourceLength}, query.options())
                  : at::empty({batch, heads, length, sourceLength},
                              query.options());
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
  if (!operand(0).isTensor() || !operand(0).toTensor().defined() ||
      !operand(0).toTensor().is_meta())
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
    if (groupsAt >= 0 && (!operand(groupsAt).isInt() ||
                          operand(groupsAt).toInt() <= 0 ||
                          channels % operand(groupsAt).toInt() != 0))
      return false;
    for (size_t i = 0; i < numChannel; ++i)
      if (!fits(operand(firstChannel + i), {channels}))
        return false;
  }
  at::Tensor result = at::empty(
      input.sizes(),
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
      "aten::relu", "aten::relu6", "aten::hardtanh", "aten::hardswish",
      "aten::flip", "aten::roll"};
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
  if (!operand(0).isTensor() || !operand(0).toTensor().defined() ||
      !operand(0).toTensor().is_meta())
    return false;
  const at::Tensor &first = operand(0).toTensor();
  at::Tensor result;
  if (inPlace) {
    result = first;
  } else if (sameShape) {
    result = at::empty(
        first.sizes(),
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
    if (!output || (first.dim() != 3 && first.dim() != 4) ||
        (*output)[0] < 0 || (*output)[1] < 0)
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

/// Whether a schema argument is a `Device` or `Device?`.
bool isDeviceArgument(const c10::Argument &argument) {
  c10::TypePtr type = argument.type();
  if (auto optional = type->cast<c10::OptionalType>())
    type = optional->getElementType();
  return type->kind() == c10::TypeKind::DeviceObjType;
}

//===----------------------------------------------------------------------===//
// The interpreter
//===----------------------------------------------------------------------===//

/// A graph value while interpreting: its IValue, or (after a failure) the
/// fact that it is unknown and which nodes it was computed from.
struct Slot {
  c10::IValue value;
  bool known = true;
  std::vector<ValueRef> sources;

  static Slot unknown(std::vector<ValueRef> sources = {}) {
    Slot slot;
    slot.known = false;
    slot.sources = std::move(sources);
    return slot;
  }
};

using Env = std::unordered_map<const jit::Value *, Slot>;

/// What mav records about a module instance, indexed once at load time.
struct ModuleInfo {
  const c10::ivalue::Object *object = nullptr;
  std::string path;
  /// Class names from the root down to this module.
  std::vector<std::string> classes;
  /// `nn.Conv2d` for torch.nn classes, the short class name otherwise.
  std::string opName;
  bool leaf = false;
  /// Hyper-parameters of a leaf module, written as the node's `args`.
  DictAttr args;
};

/// A parameter or buffer slot of a module.
struct StateInfo {
  std::string name;      ///< Qualified name of the first slot holding it.
  std::string canonical; ///< Key shared by tied slots (same storage).
  bool isBuffer = false;
};

/// A node being recorded: a leaf-module call or function call while its
/// body runs, or a single op.
struct OpenNode {
  Node node;
  uint32_t token = 0;
  ListAttr ops;
  DictAttr params;
  DictAttr buffers;
  std::vector<std::string> sharedParams;
  std::string status = "ok";
  std::string error;
  /// First Python location seen inside, for nodes whose call site has none.
  Location innerLoc;
  /// Where the node was called from, for diagnostics.
  Location siteLoc;
};

class Interpreter {
public:
  Interpreter(jit::Module &root, const TraceOptions &options,
              DiagnosticEngine &diags, TraceSummary &summary)
      : root(root), options(options), diags(diags), summary(summary) {}

  std::optional<Graph> run(std::vector<c10::IValue> inputs,
                           const std::string &graphName);

private:
  // Indexing the module tree.
  void indexModule(const c10::intrusive_ptr<c10::ivalue::Object> &object,
                   const std::string &path,
                   std::vector<std::string> classes);

  // Execution.
  std::vector<Slot> runGraph(jit::Graph &graph, std::vector<Slot> args,
                             const ModuleInfo *module);
  void runBlock(const jit::Block *block, Env &env, const ModuleInfo *module);
  void runNode(const jit::Node *node, Env &env, const ModuleInfo *module);
  void runIf(const jit::Node *node, Env &env, const ModuleInfo *module);
  void runLoop(const jit::Node *node, Env &env, const ModuleInfo *module);
  void runGetAttr(const jit::Node *node, Env &env);
  void runCallMethod(const jit::Node *node, Env &env,
                     const ModuleInfo *module);
  void runCallFunction(const jit::Node *node, Env &env,
                       const ModuleInfo *module);
  void runOp(const jit::Node *node, Env &env, const ModuleInfo *module);
  void executeOp(const jit::Node *node, Env &env, const ModuleInfo *module,
                 bool isNodeOp);
  void runWithoutValues(const jit::Node *node, jit::Operation &operation,
                        jit::Stack &stack);
  at::Tensor getMetaState(const at::Tensor &tensor);
  size_t countStaticOps(jit::Graph &graph, size_t depth);
  size_t countStaticOps(const jit::Block *block, size_t depth);
  std::vector<Slot> callGraph(jit::Graph &graph, const jit::Node *call,
                              Env &env, size_t firstArg,
                              const ModuleInfo *module);

  // Nodes.
  OpenNode openNode(std::string baseName, std::string op,
                    const ModuleInfo *module, const std::vector<Slot> &args,
                    const jit::Node *site);
  void closeNode(OpenNode &open, std::vector<Slot> results,
                 const std::vector<c10::TypePtr> &staticTypes);
  /// Closes the node that `node` (a call or op grouped into one IR node)
  /// opened: results whose value is unknown refer to the new node as a
  /// whole, and `node`'s outputs in `env` get the results.
  void finishGroupedNode(OpenNode &open, const jit::Node *node, Env &env,
                         std::vector<Slot> results);
  void recordFailure(const jit::Node *node, const ModuleInfo *module,
                     const std::string &message);
  void noteStateReads(const std::vector<Slot> &inputs);
  void claimModuleState(const c10::ivalue::Object *object);
  std::string makeUniqueName(const std::string &base);

  std::vector<ValueRef> getSources(const Slot &slot) const;
  std::vector<ValueRef> getSources(const std::vector<Slot> &slots) const;
  void registerProducer(const c10::IValue &value, ValueRef ref);
  Slot readInput(const Env &env, const jit::Value *value) const;

  jit::Module &root;
  const TraceOptions &options;
  DiagnosticEngine &diags;
  TraceSummary &summary;

  Graph graph;
  std::unordered_map<const c10::ivalue::Object *, ModuleInfo> modules;
  std::unordered_map<const c10::TensorImpl *, StateInfo> states;
  /// Canonical state key -> token of the node that counted it.
  std::unordered_map<std::string, uint32_t> countedStates;
  /// Qualified name of each parameter's latest read, so that a tied weight
  /// is reported under the name it was read by.
  std::unordered_map<const c10::TensorImpl *, std::string> accessNames;
  /// Canonical keys in definition order, for the unused-parameter report.
  std::vector<std::pair<at::Tensor, std::string>> stateOrder;

  struct Producer {
    c10::weak_intrusive_ptr<c10::TensorImpl> keepAddress;
    ValueRef ref;
  };
  std::unordered_map<const c10::TensorImpl *, Producer> producers;
  std::unordered_map<std::string, unsigned> nameCounts;
  std::unordered_set<std::string> usedNames;
  std::unordered_map<const jit::Node *, jit::Operation> operations;

  // Shapes-only mode.
  /// Meta copies of the model's tensors (parameters, buffers, attributes,
  /// graph constants), by the original's TensorImpl.
  std::unordered_map<const c10::TensorImpl *, at::Tensor> metaTensors;
  /// Nodes whose meta kernel failed once: they go straight to the CPU.
  std::unordered_set<const jit::Node *> metaFailed;
  /// Ops run on CPU on zeros, by name (sorted for the summary).
  std::map<std::string, size_t> cpuFallbacks;

  /// The progress line's estimate of the ops a run executes.
  size_t opsExpected = 1;
  std::unordered_map<const jit::Graph *, size_t> staticOpCounts;

  /// The leaf-module or function node whose body is running, if any.
  OpenNode *current = nullptr;
  uint32_t nextToken = 1;
  /// Set by the first failing op: from then on nothing is executed.
  bool notRunMode = false;
  size_t callDepth = 0;
};

//===----------------------------------------------------------------------===//
// Module index
//===----------------------------------------------------------------------===//

/// A module hyper-parameter as the `args` attribute shows it: booleans,
/// numbers, strings and short lists or tuples of them. Nullopt for anything
/// else (tensors, modules, None, objects, long lists).
std::optional<Attribute> getHyperParameterAttr(const c10::IValue &value,
                                               bool nested = false) {
  if (value.isBool())
    return Attribute::boolean(value.toBool());
  if (value.isInt())
    return Attribute::integer(value.toInt());
  if (value.isDouble())
    return Attribute::real(value.toDouble());
  if (value.isString())
    return Attribute::string(value.toStringRef());
  if (nested || !(value.isTuple() || value.isList()))
    return std::nullopt;
  c10::ArrayRef<c10::IValue> elements =
      value.isTuple() ? value.toTupleRef().elements() : value.toListRef();
  constexpr size_t maxElements = 16;
  if (elements.size() > maxElements)
    return std::nullopt;
  ListAttr list;
  for (const c10::IValue &element : elements) {
    std::optional<Attribute> attr = getHyperParameterAttr(element, true);
    if (!attr)
      return std::nullopt;
    list.push_back(std::move(*attr));
  }
  return Attribute::list(std::move(list));
}

/// The hyper-parameters of a module for its node's `args` (hover text): the
/// constants of its class type (where TorchScript keeps nn.Conv2d's
/// `__constants__`: kernel_size, stride, padding...) and its plain
/// attributes, without private names (leading `_`), `training`, parameters,
/// buffers, submodules and tensors.
DictAttr getModuleArgs(const c10::ivalue::Object &object) {
  const c10::ClassTypePtr &type = object.type();
  DictAttr args;
  auto add = [&](const std::string &name, const c10::IValue &value) {
    if (name.empty() || name[0] == '_' || name == "training")
      return;
    if (std::optional<Attribute> attr = getHyperParameterAttr(value))
      args.set(name, std::move(*attr));
  };
  for (size_t i = 0; i < type->numAttributes(); ++i) {
    if (type->is_parameter(i) || type->is_buffer(i) ||
        type->getAttribute(i)->is_module())
      continue;
    add(type->getAttributeName(i), object.getSlot(i));
  }
  for (size_t i = 0; i < type->numConstants(); ++i)
    add(type->getConstantName(i), type->getConstant(i));
  return args;
}

bool isContainerClass(std::string_view cls) {
  return cls == "torch.nn.modules.container.Sequential" ||
         cls == "torch.nn.modules.container.ModuleList" ||
         cls == "torch.nn.modules.container.ModuleDict";
}

void Interpreter::indexModule(
    const c10::intrusive_ptr<c10::ivalue::Object> &object,
    const std::string &path, std::vector<std::string> classes) {
  // A module reachable by several paths keeps the first, like
  // named_modules().
  if (modules.count(object.get()))
    return;
  const c10::ClassTypePtr &type = object->type();
  std::string cls = cleanClassName(type->name() ? type->name()->qualifiedName()
                                                : type->str());
  classes.push_back(cls);

  ModuleInfo info;
  info.object = object.get();
  info.path = path;
  info.classes = classes;
  bool isTorchNn = cls.rfind("torch.nn.", 0) == 0;
  info.opName = isTorchNn ? fmt::format("nn.{}", getShortName(cls))
                          : std::string(getShortName(cls));
  bool hasChildren = false;
  for (size_t i = 0; i < type->numAttributes(); ++i)
    if (type->getAttribute(i)->is_module())
      hasChildren = true;
  // torch.nn modules are leaves as in torch.fx (nn.MultiheadAttention is one
  // node), containers never are; other modules are leaves without children.
  info.leaf = !path.empty() && !isContainerClass(cls) &&
              (isTorchNn || !hasChildren);
  if (info.leaf)
    info.args = getModuleArgs(*object);
  modules.emplace(object.get(), std::move(info));

  // Parameters and buffers first, then children: named_parameters() order.
  for (size_t i = 0; i < type->numAttributes(); ++i) {
    bool isParam = type->is_parameter(i);
    bool isBuffer = type->is_buffer(i);
    const c10::IValue &slot = object->getSlot(i);
    if (!slot.isTensor() || !slot.toTensor().defined())
      continue;
    at::Tensor tensor = slot.toTensor();
    // Tied weights may be distinct TensorImpls over one storage: the key is
    // taken from the real tensor, before a meta copy replaces it.
    std::string canonical = fmt::format(
        "{}:{}:{}:{}", fmt::ptr(tensor.storage().unsafeGetStorageImpl()),
        tensor.storage_offset(), fmt::join(tensor.sizes(), "x"),
        fmt::join(tensor.strides(), "x"));
    if (options.shapesOnly && !tensor.is_meta()) {
      tensor = getMetaState(tensor);
      object->setSlot(i, tensor);
    }
    if (!isParam && !isBuffer)
      continue;
    c10::TensorImpl *impl = tensor.unsafeGetTensorImpl();
    if (states.count(impl))
      continue;
    StateInfo state;
    state.name = joinPath(path, type->getAttributeName(i));
    state.canonical = std::move(canonical);
    state.isBuffer = isBuffer;
    stateOrder.emplace_back(tensor, state.canonical);
    states.emplace(impl, std::move(state));
  }
  for (size_t i = 0; i < type->numAttributes(); ++i) {
    if (!type->getAttribute(i)->is_module())
      continue;
    const c10::IValue &slot = object->getSlot(i);
    if (slot.isObject())
      indexModule(slot.toObject(), joinPath(path, type->getAttributeName(i)),
                  classes);
  }
}

//===----------------------------------------------------------------------===//
// Values and edges
//===----------------------------------------------------------------------===//

Slot Interpreter::readInput(const Env &env, const jit::Value *value) const {
  auto it = env.find(value);
  if (it == env.end())
    throw std::runtime_error(
        fmt::format("internal error: value %{} used before definition",
                    value->debugName()));
  return it->second;
}

std::vector<ValueRef> Interpreter::getSources(const Slot &slot) const {
  if (!slot.known)
    return slot.sources;
  std::vector<ValueRef> refs;
  forEachTensor(slot.value, [&](const at::Tensor &tensor) {
    auto it = producers.find(tensor.unsafeGetTensorImpl());
    if (it != producers.end() &&
        std::find(refs.begin(), refs.end(), it->second.ref) == refs.end())
      refs.push_back(it->second.ref);
  });
  return refs;
}

std::vector<ValueRef>
Interpreter::getSources(const std::vector<Slot> &slots) const {
  std::vector<ValueRef> refs;
  for (const Slot &slot : slots)
    for (const ValueRef &ref : getSources(slot))
      if (std::find(refs.begin(), refs.end(), ref) == refs.end())
        refs.push_back(ref);
  return refs;
}

void Interpreter::registerProducer(const c10::IValue &value, ValueRef ref) {
  forEachTensor(value, [&](const at::Tensor &tensor) {
    // A weak reference keeps the TensorImpl's address from being reused by
    // a later tensor while the map refers to it (the storage is still freed).
    producers.insert_or_assign(
        tensor.unsafeGetTensorImpl(),
        Producer{c10::weak_intrusive_ptr<c10::TensorImpl>(
                     tensor.getIntrusivePtr()),
                 ref});
  });
}

//===----------------------------------------------------------------------===//
// Nodes
//===----------------------------------------------------------------------===//

std::string Interpreter::makeUniqueName(const std::string &base) {
  unsigned &count = nameCounts[base];
  while (true) {
    std::string name =
        count == 0 ? base : fmt::format("{}_{}", base, count);
    ++count;
    if (usedNames.insert(name).second)
      return name;
  }
}

OpenNode Interpreter::openNode(std::string baseName, std::string op,
                               const ModuleInfo *module,
                               const std::vector<Slot> &args,
                               const jit::Node *site) {
  OpenNode open;
  open.token = nextToken++;
  open.node.name = makeUniqueName(baseName);
  open.node.op = std::move(op);
  open.node.operands = getSources(args);
  open.node.attrs.set("module", Attribute::string(module->path));
  open.node.attrs.set("class", Attribute::stringList(module->classes));
  if (site)
    open.siteLoc = getNodeLocation(site);
  if (options.debugInfo)
    open.node.loc = open.siteLoc;
  if (notRunMode)
    open.status = "not-run";
  return open;
}

void Interpreter::closeNode(OpenNode &open, std::vector<Slot> results,
                            const std::vector<c10::TypePtr> &staticTypes) {
  // A single tuple or list result is spread over several node results, so
  // that its elements can be used as `%name#i`.
  if (results.size() == 1) {
    const Slot &only = results[0];
    std::vector<Slot> spread;
    if (only.known && only.value.isTuple()) {
      for (const c10::IValue &element : only.value.toTupleRef().elements())
        spread.push_back(Slot{element, true, {}});
    } else if (only.known && only.value.isList() &&
               containsTensor(only.value)) {
      for (const c10::IValue &element : only.value.toListRef())
        spread.push_back(Slot{element, true, {}});
    } else if (!only.known && staticTypes.size() == 1 &&
               staticTypes[0]->kind() == c10::TypeKind::TupleType) {
      spread.resize(staticTypes[0]->containedTypes().size(), Slot::unknown());
    }
    if (!spread.empty())
      results = std::move(spread);
  }

  Node &node = open.node;
  uint32_t index = static_cast<uint32_t>(graph.size());
  for (uint32_t i = 0; i < results.size(); ++i) {
    const Slot &result = results[i];
    node.resultTypes.push_back(result.known ? getIValueType(result.value)
                                            : Type::unknown());
  }
  if (options.debugInfo && !node.loc.isKnown())
    node.loc = open.innerLoc;
  DictAttr &attrs = node.attrs;
  if (open.status != "not-run")
    attrs.set("ops", Attribute::list(std::move(open.ops)));
  if (!open.params.empty())
    attrs.set("params", Attribute::dict(std::move(open.params)));
  if (!open.buffers.empty())
    attrs.set("buffers", Attribute::dict(std::move(open.buffers)));
  if (!open.sharedParams.empty())
    attrs.set("shared_params", Attribute::stringList(open.sharedParams));
  attrs.set("status", Attribute::string(open.status));
  if (!open.error.empty())
    attrs.set("error", Attribute::string(open.error));
  std::string module(attrs.getString("module"));
  graph.addNode(std::move(node));

  for (uint32_t i = 0; i < results.size(); ++i)
    if (results[i].known)
      registerProducer(results[i].value, ValueRef{index, i});
  if (options.progress)
    options.progress(
        TraceProgress{graph.size(), summary.realOps, opsExpected, module});
}

void Interpreter::noteStateReads(const std::vector<Slot> &inputs) {
  if (!current)
    return;
  for (const Slot &slot : inputs) {
    if (!slot.known)
      continue;
    forEachTensor(slot.value, [&](const at::Tensor &tensor) {
      c10::TensorImpl *impl = tensor.unsafeGetTensorImpl();
      auto it = states.find(impl);
      if (it == states.end())
        return;
      const StateInfo &state = it->second;
      auto access = accessNames.find(impl);
      const std::string &name =
          access != accessNames.end() ? access->second : state.name;
      auto [counted, first] =
          countedStates.emplace(state.canonical, current->token);
      if (first) {
        (state.isBuffer ? current->buffers : current->params)
            .set(name, Attribute::type(getTensorType(tensor)));
        return;
      }
      if (counted->second == current->token || state.isBuffer)
        return;
      if (std::find(current->sharedParams.begin(),
                    current->sharedParams.end(),
                    name) == current->sharedParams.end())
        current->sharedParams.push_back(name);
    });
  }
}

void Interpreter::claimModuleState(const c10::ivalue::Object *object) {
  // Every parameter and buffer in the module's subtree not yet counted: for
  // a module call that never ran.
  const c10::ClassTypePtr &type = object->type();
  for (size_t i = 0; i < type->numAttributes(); ++i) {
    const c10::IValue &slot = object->getSlot(i);
    if (slot.isObject() && type->getAttribute(i)->is_module()) {
      claimModuleState(&slot.toObjectRef());
      continue;
    }
    if (!slot.isTensor())
      continue;
    auto it = states.find(slot.toTensor().unsafeGetTensorImpl());
    if (it != states.end())
      noteStateReads({Slot{slot, true, {}}});
  }
}

void Interpreter::recordFailure(const jit::Node *node,
                                const ModuleInfo *module,
                                const std::string &message) {
  notRunMode = true;
  summary.forwardFailed = true;
  std::string where = module->path.empty()
                          ? std::string("the root module")
                          : fmt::format("module '{}'", module->path);
  // The node's `error` keeps a few lines; the warning shows the first.
  std::string_view firstLine(message);
  firstLine = firstLine.substr(0, firstLine.find('\n'));
  Diagnostic diag = makeDiagnostic(
      Severity::Warning, SourceLoc(),
      fmt::format("forward pass failed in {} ({}) at op {}: {}", where,
                  module->path.empty() ? module->classes.back()
                                       : module->opName,
                  node->kind().toQualString(), firstLine));
  // The Python lines are not in a buffer mav can show: name them in notes.
  auto addNote = [&](const Location &loc, std::string_view what) {
    if (!loc.isKnown())
      return;
    Diagnostic note;
    note.severity = Severity::Note;
    note.message = fmt::format("{} {}:{}", what, loc.file, loc.line);
    diag.notes.push_back(std::move(note));
  };
  if (current)
    addNote(current->siteLoc, "the module or function was called at");
  addNote(getNodeLocation(node), "the failing op is at");
  diags.emit(std::move(diag));
}

//===----------------------------------------------------------------------===//
// Execution
//===----------------------------------------------------------------------===//

std::vector<Slot> Interpreter::runGraph(jit::Graph &callee,
                                        std::vector<Slot> args,
                                        const ModuleInfo *module) {
  constexpr size_t kMaxCallDepth = 200;
  if (callDepth >= kMaxCallDepth)
    throw std::runtime_error("call depth limit reached (recursive model?)");
  ++callDepth;
  Env env;
  auto inputs = callee.inputs();
  if (inputs.size() != args.size())
    throw std::runtime_error(fmt::format(
        "internal error: graph takes {} inputs, called with {}",
        inputs.size(), args.size()));
  for (size_t i = 0; i < inputs.size(); ++i)
    env[inputs[i]] = std::move(args[i]);
  runBlock(callee.block(), env, module);
  std::vector<Slot> results;
  for (const jit::Value *output : callee.outputs())
    results.push_back(readInput(env, output));
  --callDepth;
  return results;
}

void Interpreter::runBlock(const jit::Block *block, Env &env,
                           const ModuleInfo *module) {
  for (const jit::Node *node : block->nodes())
    runNode(node, env, module);
}

void Interpreter::runNode(const jit::Node *node, Env &env,
                          const ModuleInfo *module) {
  c10::Symbol kind = node->kind();
  if (kind == c10::prim::Constant) {
    const jit::Value *output = node->output();
    if (output->type()->kind() == c10::TypeKind::FunctionType) {
      env[output] = Slot{c10::IValue(), true, {}};
      return;
    }
    std::optional<c10::IValue> value = jit::toIValue(output);
    if (value && options.shapesOnly && value->isTensor() &&
        value->toTensor().defined())
      value = c10::IValue(getMetaState(value->toTensor()));
    env[output] = value ? Slot{*value, true, {}} : Slot::unknown();
    return;
  }
  if (kind == c10::prim::GetAttr)
    return runGetAttr(node, env);
  if (kind == c10::prim::SetAttr) {
    Slot object = readInput(env, node->input(0));
    Slot value = readInput(env, node->input(1));
    if (!notRunMode && object.known && value.known && object.value.isObject())
      object.value.toObjectRef().setAttr(node->s(c10::attr::name),
                                         value.value);
    return;
  }
  if (kind == c10::prim::If)
    return runIf(node, env, module);
  if (kind == c10::prim::Loop)
    return runLoop(node, env, module);
  if (kind == c10::prim::CallMethod)
    return runCallMethod(node, env, module);
  if (kind == c10::prim::CallFunction)
    return runCallFunction(node, env, module);
  if (isOutputOnlyOp(kind)) {
    for (const jit::Value *output : node->outputs())
      env[output] = Slot{c10::IValue(), true, {}};
    return;
  }
  runOp(node, env, module);
}

void Interpreter::runGetAttr(const jit::Node *node, Env &env) {
  Slot object = readInput(env, node->input(0));
  if (!object.known || !object.value.isObject()) {
    env[node->output()] = Slot::unknown();
    return;
  }
  const c10::ivalue::Object &obj = object.value.toObjectRef();
  const std::string &name = node->s(c10::attr::name);
  c10::IValue value = obj.getAttr(name);
  if (value.isTensor()) {
    c10::TensorImpl *impl = value.toTensor().unsafeGetTensorImpl();
    auto module = modules.find(&obj);
    if (states.count(impl) && module != modules.end())
      accessNames[impl] = joinPath(module->second.path, name);
  }
  env[node->output()] = Slot{std::move(value), true, {}};
}

void Interpreter::runIf(const jit::Node *node, Env &env,
                        const ModuleInfo *module) {
  Slot condition = readInput(env, node->input(0));
  auto blocks = node->blocks();
  if (condition.known) {
    const jit::Block *taken = condition.value.toBool() ? blocks[0] : blocks[1];
    runBlock(taken, env, module);
    for (size_t i = 0; i < node->outputs().size(); ++i)
      env[node->outputs()[i]] = readInput(env, taken->outputs()[i]);
    return;
  }
  // Only reachable after a failure: the branch is unknown, so both are shown
  // (neither runs) and the results depend on both.
  runBlock(blocks[0], env, module);
  runBlock(blocks[1], env, module);
  for (size_t i = 0; i < node->outputs().size(); ++i) {
    std::vector<Slot> branches = {readInput(env, blocks[0]->outputs()[i]),
                                  readInput(env, blocks[1]->outputs()[i])};
    env[node->outputs()[i]] = Slot::unknown(getSources(branches));
  }
}

void Interpreter::runLoop(const jit::Node *node, Env &env,
                          const ModuleInfo *module) {
  // prim::Loop(max_trip_count, start_condition, carried...): the body block
  // takes (iteration, carried...) and returns (condition, carried...).
  const jit::Block *body = node->blocks()[0];
  Slot tripCount = readInput(env, node->input(0));
  Slot condition = readInput(env, node->input(1));
  std::vector<Slot> carried;
  for (size_t i = 2; i < node->inputs().size(); ++i)
    carried.push_back(readInput(env, node->inputs()[i]));

  auto runIteration = [&](Slot iteration) {
    env[body->inputs()[0]] = std::move(iteration);
    for (size_t i = 0; i < carried.size(); ++i)
      env[body->inputs()[i + 1]] = carried[i];
    runBlock(body, env, module);
    condition = readInput(env, body->outputs()[0]);
    for (size_t i = 0; i < carried.size(); ++i)
      carried[i] = readInput(env, body->outputs()[i + 1]);
  };

  bool exact = tripCount.known && condition.known;
  if (exact) {
    int64_t maxTrips = tripCount.value.toInt();
    for (int64_t i = 0; i < maxTrips && condition.value.toBool(); ++i) {
      runIteration(Slot{c10::IValue(i), true, {}});
      if (!condition.known) {
        exact = false;
        break;
      }
    }
  } else {
    // An unknown trip count (after a failure): show the body once.
    runIteration(Slot::unknown());
  }
  for (size_t i = 0; i < carried.size(); ++i) {
    Slot result = carried[i];
    if (!exact && result.known && containsTensor(result.value))
      result = Slot::unknown(getSources(result));
    env[node->outputs()[i]] = std::move(result);
  }
}

std::vector<Slot> Interpreter::callGraph(jit::Graph &callee,
                                         const jit::Node *call, Env &env,
                                         size_t firstArg,
                                         const ModuleInfo *module) {
  std::vector<Slot> args;
  for (size_t i = firstArg; i < call->inputs().size(); ++i)
    args.push_back(readInput(env, call->inputs()[i]));
  return runGraph(callee, std::move(args), module);
}

std::vector<c10::TypePtr> getStaticTypes(const jit::Node *node) {
  std::vector<c10::TypePtr> types;
  for (const jit::Value *output : node->outputs())
    types.push_back(output->type());
  return types;
}

void Interpreter::finishGroupedNode(OpenNode &open, const jit::Node *node,
                                    Env &env, std::vector<Slot> results) {
  // The node being closed gets the next index of the graph.
  ValueRef selfRef{static_cast<uint32_t>(graph.size()), 0};
  for (size_t i = 0; i < results.size(); ++i) {
    if (!results[i].known)
      results[i] = Slot::unknown({selfRef});
    env[node->outputs()[i]] = results[i];
  }
  closeNode(open, std::move(results), getStaticTypes(node));
}

void Interpreter::runCallMethod(const jit::Node *node, Env &env,
                                const ModuleInfo *module) {
  Slot self = readInput(env, node->input(0));
  if (!self.known || !self.value.isObject()) {
    std::vector<Slot> args;
    for (const jit::Value *input : node->inputs())
      args.push_back(readInput(env, input));
    std::vector<ValueRef> sources = getSources(args);
    for (const jit::Value *output : node->outputs())
      env[output] = Slot::unknown(sources);
    return;
  }
  const c10::ivalue::Object *object = &self.value.toObjectRef();
  jit::Function &method = object->type()->getMethod(node->s(c10::attr::name));
  jit::Graph &callee = *jit::toGraphFunction(method).graph();

  auto found = modules.find(object);
  const ModuleInfo *callee_module =
      found != modules.end() ? &found->second : module;
  bool enterLeaf = options.granularity == TraceGranularity::Module &&
                   !current && callee_module != module &&
                   callee_module->leaf;
  if (!enterLeaf) {
    std::vector<Slot> results =
        callGraph(callee, node, env, 0, callee_module);
    for (size_t i = 0; i < results.size(); ++i)
      env[node->outputs()[i]] = std::move(results[i]);
    return;
  }

  std::vector<Slot> args;
  for (size_t i = 1; i < node->inputs().size(); ++i)
    args.push_back(readInput(env, node->inputs()[i]));
  OpenNode open = openNode(pathToName(callee_module->path),
                           callee_module->opName, callee_module, args, node);
  if (!callee_module->args.empty())
    open.node.attrs.set("args", Attribute::dict(callee_module->args));
  std::vector<Slot> results;
  if (notRunMode) {
    // Never ran: count what the module owns, leave the results unknown.
    current = &open;
    claimModuleState(object);
    current = nullptr;
    results.assign(node->outputs().size(), Slot::unknown());
  } else {
    current = &open;
    results = callGraph(callee, node, env, 0, callee_module);
    current = nullptr;
  }
  finishGroupedNode(open, node, env, std::move(results));
}

void Interpreter::runCallFunction(const jit::Node *node, Env &env,
                                  const ModuleInfo *module) {
  auto functionType =
      node->input(0)->type()->expect<c10::FunctionType>();
  jit::Function *function = functionType->function();
  jit::Graph &callee = *jit::toGraphFunction(*function).graph();
  bool group = options.granularity == TraceGranularity::Module && !current;
  if (!group) {
    std::vector<Slot> results = callGraph(callee, node, env, 1, module);
    for (size_t i = 0; i < results.size(); ++i)
      env[node->outputs()[i]] = std::move(results[i]);
    return;
  }
  std::vector<Slot> args;
  for (size_t i = 1; i < node->inputs().size(); ++i)
    args.push_back(readInput(env, node->inputs()[i]));
  std::string name = function->name();
  OpenNode open = openNode(functionNodeName(module->path, name),
                           fmt::format("{}()", name), module, args, node);
  current = &open;
  std::vector<Slot> results = callGraph(callee, node, env, 1, module);
  current = nullptr;
  finishGroupedNode(open, node, env, std::move(results));
}

void Interpreter::runOp(const jit::Node *node, Env &env,
                        const ModuleInfo *module) {
  c10::Symbol kind = node->kind();
  bool isNodeOp = !kind.is_prim() && !isPlumbingOp(kind);
  if (isNodeOp) {
    isNodeOp = false;
    for (const jit::Value *output : node->outputs())
      if (typeContainsTensor(output->type()))
        isNodeOp = true;
  }
  bool ownNode = isNodeOp && !current;
  if (!ownNode)
    return executeOp(node, env, module, isNodeOp);

  // An aten op in a non-leaf forward (or any op with --granularity=op).
  std::vector<Slot> args;
  for (const jit::Value *input : node->inputs())
    args.push_back(readInput(env, input));
  std::string opName = getOpNodeName(node);
  std::string shortName(kind.toUnqualString());
  while (!shortName.empty() && shortName.front() == '_')
    shortName.erase(0, 1);
  OpenNode open = openNode(functionNodeName(module->path, shortName), opName,
                           module, args, node);
  current = &open;
  executeOp(node, env, module, isNodeOp);
  current = nullptr;
  std::vector<Slot> results;
  for (const jit::Value *output : node->outputs())
    results.push_back(env[output]);
  finishGroupedNode(open, node, env, std::move(results));
}

void Interpreter::executeOp(const jit::Node *node, Env &env,
                            const ModuleInfo *module, bool isNodeOp) {
  std::vector<Slot> inputs;
  bool allKnown = true;
  bool anyTensor = false;
  for (const jit::Value *input : node->inputs()) {
    inputs.push_back(readInput(env, input));
    allKnown = allKnown && inputs.back().known;
    anyTensor = anyTensor || (inputs.back().known &&
                              containsTensor(inputs.back().value));
  }
  if (isNodeOp) {
    noteStateReads(inputs);
    if (current && options.debugInfo && !current->innerLoc.isKnown())
      current->innerLoc = getNodeLocation(node);
  }

  auto setUnknownOutputs = [&] {
    std::vector<ValueRef> sources = getSources(inputs);
    for (const jit::Value *output : node->outputs())
      env[output] = Slot::unknown(sources);
  };

  // After a failure only side-effect-free bookkeeping on known, tensor-free
  // values still runs (module attributes, `is None` tests, list building).
  bool run = !notRunMode ||
             (allKnown && !isNodeOp && !anyTensor &&
              node->kind() != c10::prim::RaiseException);
  if (!run)
    return setUnknownOutputs();
  if (!allKnown) {
    // Cannot happen before a failure: every value is computed.
    return setUnknownOutputs();
  }

  torch::jit::Stack stack;
  stack.reserve(inputs.size());
  for (const Slot &slot : inputs)
    stack.push_back(slot.value);
  try {
    if (!runStructuralOp(node, stack)) {
      auto cached = operations.find(node);
      if (cached == operations.end())
        cached = operations.emplace(node, node->getOperation()).first;
      // Vararg operators (aten::format, prim::Print...) take their input
      // count on top of the stack, as torch's interpreter passes it.
      const c10::FunctionSchema *schema = node->maybeSchema();
      if (schema && schema->is_vararg())
        stack.emplace_back(static_cast<int64_t>(inputs.size()));
      if (options.shapesOnly)
        runWithoutValues(node, cached->second, stack);
      else
        cached->second(stack);
    }
  } catch (const std::exception &e) {
    if (notRunMode)
      return setUnknownOutputs();
    std::string message = getTrimmedMessage(e);
    if (!current) {
      // A bookkeeping op failed outside any node: give the failure a node
      // of its own so that it is visible in the graph.
      std::string name(node->kind().toUnqualString());
      OpenNode open = openNode(functionNodeName(module->path, name),
                               fmt::format("{}()", name), module, inputs,
                               node);
      open.status = "failed";
      open.error = message;
      recordFailure(node, module, message);
      std::vector<Slot> results(node->outputs().size(), Slot::unknown());
      ValueRef selfRef{static_cast<uint32_t>(graph.size()), 0};
      closeNode(open, results, getStaticTypes(node));
      for (const jit::Value *output : node->outputs())
        env[output] = Slot::unknown({selfRef});
      return;
    }
    current->status = "failed";
    current->error = message;
    recordFailure(node, module, message);
    return setUnknownOutputs();
  }
  ++summary.realOps;

  size_t numOutputs = node->outputs().size();
  if (stack.size() < numOutputs)
    throw std::runtime_error(fmt::format(
        "internal error: {} returned {} values, expected {}",
        node->kind().toQualString(), stack.size(), numOutputs));
  size_t first = stack.size() - numOutputs;
  for (size_t i = 0; i < numOutputs; ++i)
    env[node->outputs()[i]] = Slot{stack[first + i], true, {}};

  if (isNodeOp && current) {
    DictAttr entry;
    entry.set("op", Attribute::string(node->kind().toQualString()));
    ListAttr operands, results;
    for (const Slot &slot : inputs)
      operands.push_back(getIValueAttr(slot.value, options.shapesOnly));
    for (size_t i = 0; i < numOutputs; ++i)
      results.push_back(Attribute::type(getIValueType(stack[first + i])));
    entry.set("operands", Attribute::list(std::move(operands)));
    entry.set("results", Attribute::list(std::move(results)));
    current->ops.push_back(Attribute::dict(std::move(entry)));
  }
}

at::Tensor Interpreter::getMetaState(const at::Tensor &tensor) {
  auto [it, inserted] =
      metaTensors.try_emplace(tensor.unsafeGetTensorImpl(), at::Tensor());
  if (inserted)
    it->second = toMetaTensor(tensor);
  return it->second;
}

void Interpreter::runWithoutValues(const jit::Node *node,
                                   jit::Operation &operation,
                                   jit::Stack &stack) {
  c10::Symbol kind = node->kind();
  // The model sees the CPU it would run on in the normal mode, so that
  // device tests (`'cpu' in str(x.device)`, which picks nn.MultiheadAttention's
  // fused path) go the same way; tensors it creates on "the CPU" are meta.
  if (kind == c10::prim::device && stack.back().isTensor()) {
    c10::Device device = stack.back().toTensor().device();
    stack.pop_back();
    stack.emplace_back(device.is_meta() ? c10::Device(c10::kCPU) : device);
    return;
  }
  // Ops without a meta kernel whose results are cheap to infer.
  if (inferConvolution(node, stack) || inferNormalization(node, stack) ||
      inferNativeAttention(node, stack) || inferSimpleOp(node, stack))
    return;

  const c10::FunctionSchema *schema = node->maybeSchema();
  bool forced = needsTensorValues(kind) || metaFailed.count(node);
  if (!forced) {
    jit::Stack saved = stack;
    if (schema && !schema->is_vararg() &&
        stack.size() >= schema->arguments().size()) {
      size_t base = stack.size() - schema->arguments().size();
      for (size_t i = 0; i < schema->arguments().size(); ++i) {
        c10::IValue &value = stack[base + i];
        if (value.isDevice() && value.toDevice().is_cpu() &&
            isDeviceArgument(schema->arguments()[i]))
          value = c10::IValue(c10::Device(c10::kMeta));
      }
    }
    try {
      operation(stack);
      return;
    } catch (const std::exception &) {
      // No meta kernel, or one that needs data: run it for real below.
      metaFailed.insert(node);
      stack = std::move(saved);
    }
  }

  // Real execution on CPU, every meta tensor replaced by zeros of its shape
  // (the same zeros for the same tensor, so that aliasing is kept).
  std::unordered_map<const c10::TensorImpl *, at::Tensor> cpuOf;
  std::unordered_map<const c10::TensorImpl *, at::Tensor> metaOf;
  for (c10::IValue &value : stack) {
    value = mapTensors(value, [&](const at::Tensor &tensor) -> at::Tensor {
      if (!tensor.is_meta())
        return tensor;
      auto [it, inserted] =
          cpuOf.try_emplace(tensor.unsafeGetTensorImpl(), at::Tensor());
      if (inserted) {
        it->second = at::empty_strided(tensor.sizes(), tensor.strides(),
                                       tensor.options().device(at::kCPU));
        it->second.zero_();
        metaOf.emplace(it->second.unsafeGetTensorImpl(), tensor);
      }
      return it->second;
    });
  }
  operation(stack);
  if (cpuOf.empty())
    return; // nothing was meta: an ordinary CPU op
  ++cpuFallbacks[kind.toQualString()];
  // The results go back to meta: an input returned as is (an in-place op)
  // is its meta original again, anything else a meta copy.
  for (c10::IValue &value : stack) {
    value = mapTensors(value, [&](const at::Tensor &tensor) -> at::Tensor {
      auto original = metaOf.find(tensor.unsafeGetTensorImpl());
      if (original != metaOf.end() &&
          original->second.sizes() == tensor.sizes() &&
          original->second.strides() == tensor.strides())
        return original->second;
      return toMetaTensor(tensor);
    });
  }
}

size_t Interpreter::countStaticOps(const jit::Block *block, size_t depth) {
  constexpr size_t kMaxTrips = 1000;
  size_t count = 0;
  for (const jit::Node *node : block->nodes()) {
    c10::Symbol kind = node->kind();
    if (kind == c10::prim::Constant || kind == c10::prim::GetAttr)
      continue;
    if (kind == c10::prim::If) {
      // A branch that raises is not expected to run; of two others, the
      // shorter (early returns and fast paths are the usual ones taken).
      auto raises = [](const jit::Block *branch) {
        for (const jit::Node *inner : branch->nodes())
          if (inner->kind() == c10::prim::RaiseException)
            return true;
        return false;
      };
      const jit::Block *thenBlock = node->blocks()[0];
      const jit::Block *elseBlock = node->blocks()[1];
      size_t thenCount = countStaticOps(thenBlock, depth);
      size_t elseCount = countStaticOps(elseBlock, depth);
      bool thenRaises = raises(thenBlock), elseRaises = raises(elseBlock);
      if (thenRaises != elseRaises)
        count += 1 + (thenRaises ? elseCount : thenCount);
      else
        count += 1 + std::min(thenCount, elseCount);
      continue;
    }
    if (kind == c10::prim::Loop) {
      size_t trips = 1;
      if (std::optional<c10::IValue> max = jit::toIValue(node->input(0)))
        if (max->isInt() && max->toInt() >= 0)
          trips = std::min<size_t>(static_cast<size_t>(max->toInt()),
                                   kMaxTrips);
      count += trips * countStaticOps(node->blocks()[0], depth);
      continue;
    }
    jit::Graph *callee = nullptr;
    try {
      if (kind == c10::prim::CallMethod) {
        if (auto cls = node->input(0)->type()->cast<c10::ClassType>())
          callee = jit::toGraphFunction(
                       cls->getMethod(node->s(c10::attr::name)))
                       .graph()
                       .get();
      } else if (kind == c10::prim::CallFunction) {
        if (auto fn = node->input(0)->type()->cast<c10::FunctionType>())
          callee = jit::toGraphFunction(*fn->function()).graph().get();
      }
    } catch (const std::exception &) {
      callee = nullptr;
    }
    if (callee) {
      count += countStaticOps(*callee, depth + 1);
      continue;
    }
    ++count;
  }
  return count;
}

size_t Interpreter::countStaticOps(jit::Graph &graph, size_t depth) {
  constexpr size_t kMaxDepth = 200;
  if (depth > kMaxDepth)
    return 0;
  auto found = staticOpCounts.find(&graph);
  if (found != staticOpCounts.end())
    return found->second;
  size_t count = countStaticOps(graph.block(), depth);
  staticOpCounts.emplace(&graph, count);
  return count;
}

//===----------------------------------------------------------------------===//
// Driver
//===----------------------------------------------------------------------===//

std::optional<Graph> Interpreter::run(std::vector<c10::IValue> inputs,
                                      const std::string &graphName) {
  graph = Graph(graphName);
  c10::intrusive_ptr<c10::ivalue::Object> rootObject = root._ivalue();
  indexModule(rootObject, "", {});
  const ModuleInfo *rootInfo = &modules.at(rootObject.get());

  jit::Method forward = root.get_method("forward");
  std::shared_ptr<jit::Graph> forwardGraph = forward.graph();
  if (options.progress)
    opsExpected = std::max<size_t>(1, countStaticOps(*forwardGraph, 0));

  // Input nodes, named after forward's arguments.
  std::vector<Slot> args;
  args.push_back(Slot{c10::IValue(rootObject), true, {}});
  for (size_t i = 0; i < inputs.size(); ++i) {
    const jit::Value *argument = forwardGraph->inputs()[i + 1];
    std::string name = argument->debugNameBase();
    if (name.empty())
      name = fmt::format("input{}", i);
    Node node;
    node.name = makeUniqueName(name);
    node.op = std::string(kInputOp);
    node.attrs.set("module", Attribute::string(""));
    node.resultTypes.push_back(getIValueType(inputs[i]));
    uint32_t index = graph.addNode(std::move(node));
    registerProducer(inputs[i], ValueRef{index, 0});
    args.push_back(Slot{inputs[i], true, {}});
  }

  std::vector<Slot> results;
  {
    torch::NoGradGuard noGrad;
    torch::manual_seed(options.seed);
    results = runGraph(*forwardGraph, std::move(args), rootInfo);
  }

  Node output;
  output.name = makeUniqueName(std::string(kOutputOp));
  output.op = std::string(kOutputOp);
  output.operands = getSources(results);
  graph.addNode(std::move(output));

  // Parameters no node read (modules never called): reported on the graph
  // so that they are not silently lost. Definition order, not hash order.
  DictAttr unused;
  for (const auto &[tensor, canonical] : stateOrder) {
    const StateInfo &state = states.at(tensor.unsafeGetTensorImpl());
    if (state.isBuffer || countedStates.count(canonical))
      continue;
    countedStates.emplace(canonical, 0);
    unused.set(state.name, Attribute::type(getTensorType(tensor)));
  }
  if (!unused.empty())
    graph.getAttrs().set("unused_params", Attribute::dict(std::move(unused)));
  summary.cpuFallbacks.assign(cpuFallbacks.begin(), cpuFallbacks.end());
  return std::move(graph);
}

} // namespace

std::optional<Graph> mav::trace::interpretForward(
    torch::jit::Module &module, std::vector<c10::IValue> inputs,
    const std::string &graphName, const TraceOptions &options,
    DiagnosticEngine &diags, TraceSummary &summary) {
  Interpreter interpreter(module, options, diags, summary);
  return interpreter.run(std::move(inputs), graphName);
}
