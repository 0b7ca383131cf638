//===- Type.cpp - Types of values in the model-graph IR -------------------===//

#include "mav/IR/Type.h"

#include "IRContextImpl.h"

#include <array>
#include <charconv>

#include <fmt/format.h>

using namespace mav;

namespace {
struct DTypeInfo {
  DType dtype;
  std::string_view name;
  unsigned bytes;
};
} // namespace

static constexpr std::array<DTypeInfo, 17> kDTypes = {{
    {DType::Unknown, "?", 0},
    {DType::Bool, "bool", 1},
    {DType::U8, "u8", 1},
    {DType::I8, "i8", 1},
    {DType::I16, "i16", 2},
    {DType::I32, "i32", 4},
    {DType::I64, "i64", 8},
    {DType::F16, "f16", 2},
    {DType::BF16, "bf16", 2},
    {DType::F32, "f32", 4},
    {DType::F64, "f64", 8},
    {DType::C32, "c32", 4},
    {DType::C64, "c64", 8},
    {DType::C128, "c128", 16},
    {DType::QI8, "qi8", 1},
    {DType::QU8, "qu8", 1},
    {DType::QI32, "qi32", 4},
}};

std::string_view mav::getDTypeName(DType dtype) {
  return kDTypes[static_cast<size_t>(dtype)].name;
}

unsigned mav::getDTypeByteWidth(DType dtype) {
  return kDTypes[static_cast<size_t>(dtype)].bytes;
}

std::optional<DType> mav::parseDTypeName(std::string_view name) {
  for (const DTypeInfo &info : kDTypes)
    if (info.name == name)
      return info.dtype;
  return std::nullopt;
}

Type Type::tensor(IRContext &context, DType dtype,
                  const std::vector<int64_t> &dims) {
  return tensor(context, dtype, dims.data(), dims.size());
}

Type Type::tensor(IRContext &context, DType dtype, const int64_t *dims,
                  size_t rank) {
  return Type(context.getImpl().getType(Kind::Tensor, dtype, /*ranked=*/true,
                                        dims, rank, nullptr, 0));
}

Type Type::unrankedTensor(IRContext &context, DType dtype) {
  return Type(context.getImpl().getType(Kind::Tensor, dtype,
                                        /*ranked=*/false, nullptr, 0, nullptr,
                                        0));
}

Type Type::scalar(IRContext &context, Kind kind) {
  if (kind == Kind::Unknown)
    return Type();
  return Type(context.getImpl().getType(kind, DType::Unknown,
                                        /*ranked=*/false, nullptr, 0, nullptr,
                                        0));
}

Type Type::tuple(IRContext &context, const std::vector<Type> &elements) {
  return Type(context.getImpl().getType(Kind::Tuple, DType::Unknown,
                                        /*ranked=*/false, nullptr, 0,
                                        elements.data(), elements.size()));
}

Type Type::list(IRContext &context, Type element) {
  return Type(context.getImpl().getType(Kind::List, DType::Unknown,
                                        /*ranked=*/false, nullptr, 0, &element,
                                        1));
}

const std::vector<int64_t> &Type::getDims() const {
  static const std::vector<int64_t> none;
  return impl ? impl->dims : none;
}

const std::vector<Type> &Type::getElements() const {
  static const std::vector<Type> none;
  return impl ? impl->elements : none;
}

bool Type::hasStaticShape() const {
  if (!isRanked())
    return false;
  for (int64_t d : impl->dims)
    if (d < 0)
      return false;
  return true;
}

std::optional<int64_t> Type::getNumElements() const {
  if (!hasStaticShape())
    return std::nullopt;
  int64_t n = 1;
  for (int64_t d : impl->dims)
    if (__builtin_mul_overflow(n, d, &n))
      return std::nullopt;
  return n;
}

void Type::print(std::string &out) const {
  if (!impl) {
    out += '?';
    return;
  }
  Kind kind = impl->kind;
  const std::vector<int64_t> &dims = impl->dims;
  const std::vector<Type> &elements = impl->elements;
  switch (kind) {
  case Kind::Unknown:
    out += '?';
    return;
  case Kind::Tensor:
    out += getDTypeName(impl->dtype);
    out += '[';
    if (!impl->ranked) {
      out += '*';
    } else {
      for (size_t i = 0; i < dims.size(); ++i) {
        if (i)
          out += ',';
        if (dims[i] < 0)
          out += '?';
        else {
          char buf[24];
          auto res = std::to_chars(buf, buf + sizeof(buf), dims[i]);
          out.append(buf, res.ptr - buf);
        }
      }
    }
    out += ']';
    return;
  case Kind::Int:
    out += "int";
    return;
  case Kind::Float:
    out += "float";
    return;
  case Kind::Bool:
    out += "bool";
    return;
  case Kind::Str:
    out += "str";
    return;
  case Kind::None:
    out += "none";
    return;
  case Kind::Tuple:
  case Kind::List:
    out += kind == Kind::Tuple ? "tuple<" : "list<";
    for (size_t i = 0; i < elements.size(); ++i) {
      if (i)
        out += ", ";
      elements[i].print(out);
    }
    out += '>';
    return;
  }
}

std::string Type::str() const {
  std::string out;
  print(out);
  return out;
}
