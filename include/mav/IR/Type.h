//===- Type.h - Types of values in the model-graph IR -----------*- C++ -*-===//
//
// A value in the IR is a tensor (dtype + shape, where dimensions and even the
// rank may be unknown), a scalar (int, float, bool, str, none), a tuple or
// list of those, or entirely unknown (`?`, e.g. the results of a node that was
// never run). Types are plain values: compared, copied and printed.
//
// A Type is one pointer to immutable storage that is uniqued (hash-consed)
// in an IRContext, like MLIR's types: equal types share storage, so a copy
// is free, `==` is a pointer comparison, and the shape `f32[1,64,56,56]`
// that a million nodes mention is stored once. The storage lives as long as
// the context (IRContext.h).
//
//===----------------------------------------------------------------------===//

#ifndef MAV_IR_TYPE_H
#define MAV_IR_TYPE_H

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mav {

class IRContext;

/// Element types of tensors, spelled as in the IR (`f32`, `i64`, `bool`...).
enum class DType : uint8_t {
  Unknown, // `?`
  Bool,
  U8,
  I8,
  I16,
  I32,
  I64,
  F16,
  BF16,
  F32,
  F64,
  C32,
  C64,
  C128,
  QI8,
  QU8,
  QI32,
};

/// The IR spelling of a dtype (`f32`, `?`...).
std::string_view getDTypeName(DType dtype);
/// Parses an IR dtype spelling; nullopt if `name` is not one.
std::optional<DType> parseDTypeName(std::string_view name);
/// Size of one element in bytes (0 for Unknown).
unsigned getDTypeByteWidth(DType dtype);

/// Marker for an unknown dimension (`?`).
inline constexpr int64_t kUnknownDim = -1;

namespace detail {
struct TypeStorage;
} // namespace detail

class Type {
public:
  enum class Kind : uint8_t {
    Unknown,
    Tensor,
    Int,
    Float,
    Bool,
    Str,
    None,
    Tuple,
    List
  };

  /// The unknown type `?`.
  Type() = default;

  static Type unknown() { return Type(); }
  /// A ranked tensor; use kUnknownDim for `?` dimensions.
  static Type tensor(IRContext &context, DType dtype,
                     const std::vector<int64_t> &dims);
  static Type tensor(IRContext &context, DType dtype, const int64_t *dims,
                     size_t rank);
  static Type tensor(IRContext &context, DType dtype,
                     std::initializer_list<int64_t> dims) {
    return tensor(context, dtype, dims.begin(), dims.size());
  }
  /// A tensor of unknown rank: `f32[*]`.
  static Type unrankedTensor(IRContext &context, DType dtype);
  static Type scalar(IRContext &context, Kind kind);
  static Type tuple(IRContext &context, const std::vector<Type> &elements);
  static Type list(IRContext &context, Type element);

  inline Kind getKind() const;
  bool isUnknown() const { return impl == nullptr; }
  bool isTensor() const { return getKind() == Kind::Tensor; }
  inline bool isRanked() const;

  inline DType getDType() const;
  const std::vector<int64_t> &getDims() const;
  const std::vector<Type> &getElements() const;

  /// Whether every dimension is known (false for non-tensors).
  bool hasStaticShape() const;
  /// Number of elements of a tensor with a static shape; nullopt when the
  /// shape is not static or the product overflows int64.
  std::optional<int64_t> getNumElements() const;

  /// Uniqued storage: equal types are the same pointer.
  bool operator==(const Type &other) const { return impl == other.impl; }
  bool operator!=(const Type &other) const { return impl != other.impl; }
  /// An opaque identity, equal for equal types (for hashing).
  const void *getAsOpaquePointer() const { return impl; }

  /// The IR spelling of this type.
  std::string str() const;
  void print(std::string &out) const;

private:
  explicit Type(const detail::TypeStorage *impl) : impl(impl) {}

  /// Null for the unknown type.
  const detail::TypeStorage *impl = nullptr;
};

namespace detail {
/// The uniqued contents of a Type (see IRContext.cpp).
struct TypeStorage {
  Type::Kind kind;
  DType dtype;
  bool ranked;
  std::vector<int64_t> dims;
  std::vector<Type> elements; // tuple elements, or the one list element
  size_t hash;
};
} // namespace detail

Type::Kind Type::getKind() const { return impl ? impl->kind : Kind::Unknown; }
bool Type::isRanked() const {
  return impl && impl->kind == Kind::Tensor && impl->ranked;
}
DType Type::getDType() const { return impl ? impl->dtype : DType::Unknown; }

} // namespace mav

#endif // MAV_IR_TYPE_H
