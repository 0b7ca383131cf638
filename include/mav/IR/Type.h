//===- Type.h - Types of values in the model-graph IR -----------*- C++ -*-===//
//
// A value in the IR is a tensor (dtype + shape, where dimensions and even the
// rank may be unknown), a scalar (int, float, bool, str, none), a tuple or
// list of those, or entirely unknown (`?`, e.g. the results of a node that was
// never run). Types are plain values: compared, copied and printed.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_IR_TYPE_H
#define MAV_IR_TYPE_H

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mav {

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

class Type {
public:
  enum class Kind : uint8_t { Unknown, Tensor, Int, Float, Bool, Str, None,
                              Tuple, List };

  /// The unknown type `?`.
  Type() = default;

  static Type unknown() { return Type(); }
  /// A ranked tensor; use kUnknownDim for `?` dimensions.
  static Type tensor(DType dtype, std::vector<int64_t> dims);
  /// A tensor of unknown rank: `f32[*]`.
  static Type unrankedTensor(DType dtype);
  static Type scalar(Kind kind);
  static Type tuple(std::vector<Type> elements);
  static Type list(Type element);

  Kind getKind() const { return kind; }
  bool isUnknown() const { return kind == Kind::Unknown; }
  bool isTensor() const { return kind == Kind::Tensor; }
  bool isRanked() const { return kind == Kind::Tensor && ranked; }

  DType getDType() const { return dtype; }
  const std::vector<int64_t> &getDims() const { return dims; }
  const std::vector<Type> &getElements() const { return elements; }

  /// Whether every dimension is known (false for non-tensors).
  bool hasStaticShape() const;
  /// Number of elements of a tensor with a static shape; nullopt when the
  /// shape is not static or the product overflows int64.
  std::optional<int64_t> getNumElements() const;

  bool operator==(const Type &other) const;
  bool operator!=(const Type &other) const { return !(*this == other); }

  /// The IR spelling of this type.
  std::string str() const;
  void print(std::string &out) const;

private:
  Kind kind = Kind::Unknown;
  DType dtype = DType::Unknown;
  bool ranked = false;
  std::vector<int64_t> dims;
  std::vector<Type> elements; // tuple elements, or the one list element
};

} // namespace mav

#endif // MAV_IR_TYPE_H
