//===- ValueConversion.cpp - Torch values as mav types --------------------===//
//
// The conversions from libtorch's world to the IR's: dtypes, the types and
// attributes recorded for tensors and other IValues, module hyper-parameters,
// and libtorch's exception text. They are pure functions of their arguments,
// kept apart from the interpreter so that the loader and each part of the
// interpreter agree on one spelling of every value.
//
//===----------------------------------------------------------------------===//

#include "ValueConversion.h"

#include "mav/Support/Text.h"

#include <ATen/NestedTensorImpl.h>
#include <fmt/format.h>

using namespace mav;
using namespace mav::trace;

//===----------------------------------------------------------------------===//
// Scalar types
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

//===----------------------------------------------------------------------===//
// Values
//===----------------------------------------------------------------------===//

/// A nested tensor (nn.TransformerEncoder's fast path packs the padded
/// sequences of a batch into one) has no sizes(): its components may differ
/// in length. Its type is its padded shape: the number of components, then
/// the largest component along each dimension (the dense shape when no
/// sequence is padded); `?` where the component sizes are not readable.
static Type getNestedTensorType(IRContext &ctx, DType dtype,
                                const at::Tensor &tensor) {
  std::vector<int64_t> dims(static_cast<size_t>(tensor.dim()), kUnknownDim);
  const at::Tensor &sizes = at::native::get_nested_size_tensor(tensor);
  if (!dims.empty() && sizes.dim() == 2 && !sizes.is_meta() &&
      sizes.size(1) + 1 == static_cast<int64_t>(dims.size())) {
    dims[0] = sizes.size(0);
    if (sizes.size(0) > 0) {
      at::Tensor largest = std::get<0>(sizes.max(0));
      for (int64_t d = 0; d < sizes.size(1); ++d)
        dims[static_cast<size_t>(d) + 1] = largest[d].item<int64_t>();
    }
  }
  return Type::tensor(ctx, dtype, std::move(dims));
}

Type mav::trace::getTensorType(IRContext &ctx, const at::Tensor &tensor) {
  if (!tensor.defined())
    return Type::scalar(ctx, Type::Kind::None);
  DType dtype = convertScalarType(tensor.scalar_type());
  // A type never stops the trace: a tensor whose sizes cannot be read is a
  // tensor of unknown rank.
  try {
    if (tensor.is_nested())
      return getNestedTensorType(ctx, dtype, tensor);
    std::vector<int64_t> dims(tensor.sizes().begin(), tensor.sizes().end());
    return Type::tensor(ctx, dtype, std::move(dims));
  } catch (const std::exception &) {
    return Type::unrankedTensor(ctx, dtype);
  }
}

namespace {

/// The most precise type that covers both `a` and `b`: list elements of
/// differing shapes become `?` dimensions.
Type unifyTypes(IRContext &ctx, const Type &a, const Type &b) {
  if (a == b)
    return a;
  if (a.isRanked() && b.isRanked() && a.getDType() == b.getDType() &&
      a.getDims().size() == b.getDims().size()) {
    std::vector<int64_t> dims = a.getDims();
    for (size_t i = 0; i < dims.size(); ++i)
      if (dims[i] != b.getDims()[i])
        dims[i] = kUnknownDim;
    return Type::tensor(ctx, a.getDType(), std::move(dims));
  }
  if (a.isTensor() && b.isTensor() && a.getDType() == b.getDType())
    return Type::unrankedTensor(ctx, a.getDType());
  return Type::unknown();
}

} // namespace

Type mav::trace::getIValueType(IRContext &ctx, const c10::IValue &value) {
  if (value.isTensor())
    return getTensorType(ctx, value.toTensor());
  if (value.isNone())
    return Type::scalar(ctx, Type::Kind::None);
  if (value.isBool())
    return Type::scalar(ctx, Type::Kind::Bool);
  if (value.isInt())
    return Type::scalar(ctx, Type::Kind::Int);
  if (value.isDouble())
    return Type::scalar(ctx, Type::Kind::Float);
  if (value.isString())
    return Type::scalar(ctx, Type::Kind::Str);
  if (value.isTuple()) {
    std::vector<Type> elements;
    for (const c10::IValue &element : value.toTupleRef().elements())
      elements.push_back(getIValueType(ctx, element));
    return Type::tuple(ctx, std::move(elements));
  }
  if (value.isList()) {
    c10::List<c10::IValue> list = value.toList();
    if (list.empty())
      return Type::list(ctx, Type::unknown());
    Type element = getIValueType(ctx, list.get(0));
    for (size_t i = 1; i < list.size(); ++i)
      element = unifyTypes(ctx, element, getIValueType(ctx, list.get(i)));
    return Type::list(ctx, std::move(element));
  }
  return Type::unknown();
}

/// A bool, int, double or string IValue as an attribute.
static std::optional<Attribute> getScalarAttr(IRContext &ctx,
                                              const c10::IValue &value) {
  if (value.isBool())
    return Attribute::boolean(value.toBool());
  if (value.isInt())
    return Attribute::integer(value.toInt());
  if (value.isDouble())
    return Attribute::real(value.toDouble());
  if (value.isString())
    return Attribute::string(ctx, value.toStringRef());
  return std::nullopt;
}

Attribute mav::trace::getIValueAttr(IRContext &ctx, const c10::IValue &value,
                                    bool metaIsCpu) {
  if (value.isTensor()) {
    const at::Tensor &tensor = value.toTensor();
    return tensor.defined() ? Attribute::type(getTensorType(ctx, tensor))
                            : Attribute::none();
  }
  if (value.isNone())
    return Attribute::none();
  if (std::optional<Attribute> scalar = getScalarAttr(ctx, value))
    return *scalar;
  if (value.isDevice()) {
    c10::Device device = value.toDevice();
    if (metaIsCpu && device.is_meta())
      device = c10::Device(c10::kCPU);
    return Attribute::string(ctx, device.str());
  }
  if (value.isTuple()) {
    ListAttr elements;
    for (const c10::IValue &element : value.toTupleRef().elements())
      elements.push_back(getIValueAttr(ctx, element, metaIsCpu));
    return Attribute::list(ctx, std::move(elements));
  }
  if (value.isList()) {
    ListAttr elements;
    for (const c10::IValue &element : value.toListRef())
      elements.push_back(getIValueAttr(ctx, element, metaIsCpu));
    return Attribute::list(ctx, std::move(elements));
  }
  if (value.isObject())
    return Attribute::string(ctx, value.toObjectRef().type()->str());
  return Attribute::string(ctx, value.tagKind());
}

std::optional<Attribute>
mav::trace::getHyperParameterAttr(IRContext &ctx, const c10::IValue &value,
                                  bool nested) {
  if (std::optional<Attribute> scalar = getScalarAttr(ctx, value))
    return scalar;
  if (nested || !(value.isTuple() || value.isList()))
    return std::nullopt;
  c10::ArrayRef<c10::IValue> elements =
      value.isTuple() ? value.toTupleRef().elements() : value.toListRef();
  constexpr size_t maxElements = 16;
  if (elements.size() > maxElements)
    return std::nullopt;
  ListAttr list;
  for (const c10::IValue &element : elements) {
    std::optional<Attribute> attr = getHyperParameterAttr(ctx, element, true);
    if (!attr)
      return std::nullopt;
    list.push_back(std::move(*attr));
  }
  return Attribute::list(ctx, std::move(list));
}

bool mav::trace::containsTensor(const c10::IValue &value) {
  bool found = false;
  forEachTensor(value, [&](const at::Tensor &) { found = true; });
  return found;
}

bool mav::trace::typeContainsTensor(const c10::TypePtr &type) {
  if (type->kind() == c10::TypeKind::TensorType)
    return true;
  for (const c10::TypePtr &contained : type->containedTypes())
    if (typeContainsTensor(contained))
      return true;
  return false;
}

//===----------------------------------------------------------------------===//
// Errors
//===----------------------------------------------------------------------===//

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
  for (std::string_view line : splitString(text, "\n")) {
    if (lines.size() == kMaxLines)
      break;
    while (!line.empty() && (line.back() == ' ' || line.back() == '\r'))
      line.remove_suffix(1);
    if (line.rfind("Exception raised from", 0) == 0)
      break;
    if (!line.empty())
      lines.push_back(line);
  }
  if (lines.empty())
    return "unknown error";
  return fmt::format("{}", fmt::join(lines, "\n"));
}
