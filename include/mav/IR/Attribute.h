//===- Attribute.h - Typed attribute values of the IR -----------*- C++ -*-===//
//
// Attributes carry everything the IR says about a node or graph beyond its
// operands and types: module paths, parameters, op arguments, and whatever
// passes add (costs, merge parent, colour, position). An Attribute is a value:
// none, bool, int (int64), float (double), string, type, list or dictionary.
// A DictAttr is kept sorted by key so that printing is deterministic without
// a sort at print time.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_IR_ATTRIBUTE_H
#define MAV_IR_ATTRIBUTE_H

#include "mav/IR/Type.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace mav {

class Attribute;
class DictAttr;

/// A heap-allocated value with deep-copy semantics; keeps the recursive
/// Attribute variant small.
template <typename T> class Box {
public:
  Box(T value) : ptr(std::make_unique<T>(std::move(value))) {}
  Box(const Box &other) : ptr(std::make_unique<T>(*other.ptr)) {}
  Box(Box &&other) noexcept = default;
  Box &operator=(const Box &other) {
    if (this != &other)
      ptr = std::make_unique<T>(*other.ptr);
    return *this;
  }
  Box &operator=(Box &&other) noexcept = default;
  T &operator*() { return *ptr; }
  const T &operator*() const { return *ptr; }
  T *operator->() { return ptr.get(); }
  const T *operator->() const { return ptr.get(); }

private:
  std::unique_ptr<T> ptr;
};

using ListAttr = std::vector<Attribute>;

class Attribute {
public:
  enum class Kind : uint8_t { None, Bool, Int, Float, String, Type, List,
                              Dict };

  /// The `none` attribute.
  Attribute() = default;

  static Attribute none() { return Attribute(); }
  static Attribute boolean(bool value);
  static Attribute integer(int64_t value);
  static Attribute real(double value);
  static Attribute string(std::string value);
  static Attribute type(Type value);
  static Attribute list(ListAttr value);
  static Attribute dict(DictAttr value);
  /// A list of strings, a common shape for module class hierarchies.
  static Attribute stringList(const std::vector<std::string> &values);
  /// A list of integers (kernel sizes, strides...).
  static Attribute intList(const std::vector<int64_t> &values);

  Kind getKind() const { return static_cast<Kind>(storage.index()); }
  bool isNone() const { return getKind() == Kind::None; }
  bool isBool() const { return getKind() == Kind::Bool; }
  bool isInt() const { return getKind() == Kind::Int; }
  bool isFloat() const { return getKind() == Kind::Float; }
  /// Int or float.
  bool isNumber() const { return isInt() || isFloat(); }
  bool isString() const { return getKind() == Kind::String; }
  bool isType() const { return getKind() == Kind::Type; }
  bool isList() const { return getKind() == Kind::List; }
  bool isDict() const { return getKind() == Kind::Dict; }

  // Accessors; calling one of the wrong kind is a programming error.
  bool getBool() const { return std::get<bool>(storage); }
  int64_t getInt() const { return std::get<int64_t>(storage); }
  double getFloat() const { return std::get<double>(storage); }
  /// Int or float, as a double.
  double getNumber() const;
  const std::string &getString() const { return std::get<std::string>(storage); }
  const Type &getType() const { return *std::get<Box<Type>>(storage); }
  const ListAttr &getList() const { return *std::get<Box<ListAttr>>(storage); }
  ListAttr &getList() { return *std::get<Box<ListAttr>>(storage); }
  const DictAttr &getDict() const;
  DictAttr &getDict();

  bool operator==(const Attribute &other) const;
  bool operator!=(const Attribute &other) const { return !(*this == other); }

  /// Name of a kind as used in diagnostics ("int", "string"...).
  static std::string_view getKindName(Kind kind);

private:
  std::variant<std::monostate, bool, int64_t, double, std::string, Box<Type>,
               Box<ListAttr>, Box<DictAttr>>
      storage;
};

struct NamedAttribute {
  std::string name;
  Attribute value;
};

/// A dictionary of attributes, always sorted by key (byte order) and with
/// unique keys.
class DictAttr {
public:
  using const_iterator = std::vector<NamedAttribute>::const_iterator;

  DictAttr() = default;

  /// The value for `key`, or null if absent.
  const Attribute *get(std::string_view key) const;
  Attribute *get(std::string_view key);
  bool contains(std::string_view key) const { return get(key) != nullptr; }
  /// Sets `key` to `value`, replacing any previous value.
  void set(std::string_view key, Attribute value);
  /// Removes `key`; returns whether it was present.
  bool erase(std::string_view key);

  // Typed lookups: return the fallback when the key is absent or of another
  // kind.
  int64_t getInt(std::string_view key, int64_t fallback = 0) const;
  double getNumber(std::string_view key, double fallback = 0) const;
  std::string_view getString(std::string_view key,
                             std::string_view fallback = {}) const;

  size_t size() const { return entries.size(); }
  bool empty() const { return entries.empty(); }
  const_iterator begin() const { return entries.begin(); }
  const_iterator end() const { return entries.end(); }

  bool operator==(const DictAttr &other) const;

private:
  std::vector<NamedAttribute> entries;
};

inline const DictAttr &Attribute::getDict() const {
  return *std::get<Box<DictAttr>>(storage);
}
inline DictAttr &Attribute::getDict() {
  return *std::get<Box<DictAttr>>(storage);
}

} // namespace mav

#endif // MAV_IR_ATTRIBUTE_H
