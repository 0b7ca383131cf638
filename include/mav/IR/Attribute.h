//===- Attribute.h - Typed attribute values of the IR -----------*- C++ -*-===//
//
// Attributes carry everything the IR says about a node or graph beyond its
// operands and types: module paths, parameters, op arguments, and whatever
// passes add (costs, merge parent, colour, position). An Attribute is a value:
// none, bool, int (int64), float (double), string, type, list or dictionary.
// A DictAttr is kept sorted by key so that printing is deterministic without
// a sort at print time.
//
// An Attribute is 16 bytes: a kind and either a scalar or a pointer to
// immutable storage. Strings, lists and dictionaries are uniqued in the
// IRContext given to their factory, like types (Type.h): equal values share
// one copy, so the `ops` list or `args` dictionary that thousands of nodes
// repeat is stored once, copies are free and `==` compares pointers. Node
// and graph attributes are a DictAttr (a sorted vector that passes edit in
// place); a dictionary *inside* an attribute is immutable, like every
// attribute value.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_IR_ATTRIBUTE_H
#define MAV_IR_ATTRIBUTE_H

#include "mav/IR/IRContext.h"
#include "mav/IR/Type.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace mav {

class Attribute;
class DictAttr;
namespace detail {
struct StringStorage;
struct ListStorage;
struct DictStorage;
} // namespace detail

using ListAttr = std::vector<Attribute>;

class Attribute {
public:
  enum class Kind : uint8_t {
    None,
    Bool,
    Int,
    Float,
    String,
    Type,
    List,
    Dict
  };

  /// The `none` attribute.
  Attribute() : raw(0) {}

  static Attribute none() { return Attribute(); }
  static Attribute boolean(bool value);
  static Attribute integer(int64_t value);
  static Attribute real(double value);
  static Attribute string(IRContext &context, std::string_view value);
  static Attribute type(Type value);
  static Attribute list(IRContext &context, const ListAttr &value);
  static Attribute list(IRContext &context, const Attribute *elements,
                        size_t size);
  static Attribute dict(IRContext &context, const DictAttr &value);
  /// A list of strings, a common shape for module class hierarchies.
  static Attribute stringList(IRContext &context,
                              const std::vector<std::string> &values);
  /// A list of integers (kernel sizes, strides...).
  static Attribute intList(IRContext &context,
                           const std::vector<int64_t> &values);

  Kind getKind() const { return kind; }
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
  bool getBool() const { return boolValue; }
  int64_t getInt() const { return intValue; }
  double getFloat() const { return floatValue; }
  /// Int or float, as a double.
  double getNumber() const {
    return isInt() ? static_cast<double>(intValue) : floatValue;
  }
  /// The text of a string; it lives as long as the IRContext.
  inline std::string_view getString() const;
  const Type &getType() const { return typeValue; }
  inline const ListAttr &getList() const;
  inline const DictAttr &getDict() const;

  /// Same kind and same value; floats compare bitwise (nan == nan,
  /// 0.0 != -0.0), so equal means "prints the same". Uniqued storage makes
  /// this a comparison of kind and one word.
  bool operator==(const Attribute &other) const {
    return kind == other.kind && raw == other.raw;
  }
  bool operator!=(const Attribute &other) const { return !(*this == other); }
  /// A hash consistent with ==.
  size_t hash() const;
  /// The uniqued storage of a string, type, list or dictionary: the same
  /// pointer for equal values (null for the other kinds).
  const void *getStorage() const {
    return kind >= Kind::String ? reinterpret_cast<const void *>(raw) : nullptr;
  }

  /// Name of a kind as used in diagnostics ("int", "string"...).
  static std::string_view getKindName(Kind kind);

private:
  Kind kind = Kind::None;
  // `raw` covers all eight bytes, so == can compare it whatever the kind;
  // every constructor zeroes it before setting a narrower member.
  union {
    uint64_t raw;
    bool boolValue;
    int64_t intValue;
    double floatValue;
    Type typeValue;
    const detail::StringStorage *stringValue;
    const detail::ListStorage *listValue;
    const detail::DictStorage *dictValue;
  };
};

/// One entry of a dictionary. The key is uniqued like a string attribute,
/// so it stays valid as long as the IRContext and costs no allocation.
struct NamedAttribute {
  std::string_view name;
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
  /// Sets `key` to `value`, replacing any previous value. A new key is
  /// uniqued in `context`.
  void set(IRContext &context, std::string_view key, Attribute value);
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
  void clear() { entries.clear(); }
  /// Makes room for `n` entries (for passes about to add several keys).
  void reserve(size_t n) { entries.reserve(n); }
  const_iterator begin() const { return entries.begin(); }
  const_iterator end() const { return entries.end(); }
  bool operator==(const DictAttr &other) const;

private:
  std::vector<NamedAttribute> entries;
};

namespace detail {
/// Uniqued contents of string, list and dictionary attributes
/// (IRContext.cpp).
struct StringStorage {
  std::string value;
  size_t hash;
};
struct ListStorage {
  ListAttr elements;
  size_t hash;
};
struct DictStorage {
  DictAttr dict;
  size_t hash;
};
} // namespace detail

std::string_view Attribute::getString() const { return stringValue->value; }
const ListAttr &Attribute::getList() const { return listValue->elements; }
const DictAttr &Attribute::getDict() const { return dictValue->dict; }

} // namespace mav

#endif // MAV_IR_ATTRIBUTE_H
