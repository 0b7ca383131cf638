//===- Attribute.h - Typed attribute values of the IR -----------*- C++ -*-===//
//
// Attributes carry everything the IR says about a node or graph beyond its
// operands and types: module paths, parameters, op arguments, and whatever
// passes add (costs, merge parent, colour, position). An Attribute is a value:
// none, bool, int (int64), float (double), string, type, list or dictionary.
// A DictAttr is kept sorted by key so that printing is deterministic without
// a sort at print time.
//
// An Attribute is 16 bytes: a kind and either a scalar, a string of up to
// 14 bytes, or a pointer to immutable storage. Longer strings, lists and
// dictionaries are uniqued like types (Type.h): equal values share one copy,
// so the `ops` list or `args` dictionary that thousands of nodes repeat is
// stored once, copies are free and `==` compares pointers. Short strings
// (node names, statuses, colours) are kept in the attribute itself, like a
// std::string's small-string buffer: making one costs no lookup in the
// process-wide table, and `==` compares the 16 bytes. Node and graph
// attributes are a DictAttr (a sorted vector that passes edit in place); a
// dictionary *inside* an attribute is immutable, like every attribute value.
//
//===----------------------------------------------------------------------===//

#ifndef MAV_IR_ATTRIBUTE_H
#define MAV_IR_ATTRIBUTE_H

#include "mav/IR/Type.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
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
  enum class Kind : uint8_t { None, Bool, Int, Float, String, Type, List,
                              Dict };

  /// Strings up to this many bytes are stored in the attribute itself.
  static constexpr size_t kMaxInlineString = 14;

  /// The `none` attribute.
  Attribute() : raw(0) {}

  static Attribute none() { return Attribute(); }
  static Attribute boolean(bool value);
  static Attribute integer(int64_t value);
  static Attribute real(double value);
  static Attribute string(std::string_view value);
  static Attribute type(Type value);
  static Attribute list(const ListAttr &value);
  static Attribute list(const Attribute *elements, size_t size);
  static Attribute dict(const DictAttr &value);
  /// A list of strings, a common shape for module class hierarchies.
  static Attribute stringList(const std::vector<std::string> &values);
  /// A list of integers (kernel sizes, strides...).
  static Attribute intList(const std::vector<int64_t> &values);

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
  /// The text of a string. A string of up to kMaxInlineString bytes lives
  /// in the attribute, so the view is valid as long as this Attribute
  /// object is (as for a std::string); a longer one as long as the process.
  inline std::string_view getString() const;
  const Type &getType() const { return typeValue; }
  inline const ListAttr &getList() const;
  inline const DictAttr &getDict() const;

  /// Same kind and same value; floats compare bitwise (nan == nan,
  /// 0.0 != -0.0), so equal means "prints the same". Uniqued storage and
  /// zero-padded inline strings make this a comparison of the 16 bytes.
  bool operator==(const Attribute &other) const {
    return header() == other.header() && raw == other.raw;
  }
  bool operator!=(const Attribute &other) const { return !(*this == other); }
  /// A hash consistent with ==.
  size_t hash() const;
  /// The uniqued storage of a string, type, list or dictionary: the same
  /// pointer for equal values (null for the other kinds and for strings
  /// stored inline).
  const void *getStorage() const {
    return kind >= Kind::String && !isInlineString()
               ? reinterpret_cast<const void *>(raw)
               : nullptr;
  }

  /// Name of a kind as used in diagnostics ("int", "string"...).
  static std::string_view getKindName(Kind kind);

private:
  /// `inlineLength` of a string kept in the uniqued table.
  static constexpr uint8_t kOutOfLine = 0xFF;
  /// Offset of an inline string's text: it fills bytes 2-15, running from
  /// `inlineText` on into the union.
  static constexpr size_t kInlineTextOffset = 2;

  bool isInlineString() const {
    return kind == Kind::String && inlineLength != kOutOfLine;
  }
  /// The first eight bytes (kind, inline length and text) as one word.
  uint64_t header() const {
    uint64_t word;
    std::memcpy(&word, this, sizeof(word));
    return word;
  }

  Kind kind = Kind::None;
  /// For strings, the length of the text stored inline, or kOutOfLine;
  /// zero for the other kinds.
  uint8_t inlineLength = 0;
  /// The first six bytes of an inline string, zero-padded; zero otherwise.
  char inlineText[6] = {};
  // `raw` covers all eight bytes, so == can compare it whatever the kind;
  // every constructor zeroes it before setting a narrower member (an inline
  // string's bytes past the first six).
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
/// so it stays valid as long as the process and costs no allocation.
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
  void clear() { entries.clear(); }
  /// Makes room for `n` entries (for passes about to add several keys).
  void reserve(size_t n) { entries.reserve(n); }
  const_iterator begin() const { return entries.begin(); }
  const_iterator end() const { return entries.end(); }
  /// Asks the CPU to bring the entries into the cache, for a loop over a
  /// large graph to call on a node some way ahead of the one it is at: each
  /// node's attributes are a block of their own, which the hardware
  /// prefetcher does not find, and a lookup in them otherwise misses on
  /// every probe of its binary search.
  void prefetch() const {
    const char *bytes = reinterpret_cast<const char *>(entries.data());
    for (size_t offset = 0; offset < entries.size() * sizeof(NamedAttribute);
         offset += kCacheLine)
      __builtin_prefetch(bytes + offset);
  }

  bool operator==(const DictAttr &other) const;

private:
  static constexpr size_t kCacheLine = 64;
  std::vector<NamedAttribute> entries;
};

namespace detail {
/// Uniqued contents of string, list and dictionary attributes
/// (IRStorage.cpp).
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

std::string_view Attribute::getString() const {
  if (isInlineString())
    return {reinterpret_cast<const char *>(this) + kInlineTextOffset,
            inlineLength};
  return stringValue->value;
}
const ListAttr &Attribute::getList() const { return listValue->elements; }
const DictAttr &Attribute::getDict() const { return dictValue->dict; }

/// Frees the storage of every Type and Attribute of the process, which
/// invalidates all of them. Only for programs that build and drop many
/// independent graphs and must not grow (fuzzers), at a point where no Type
/// or Attribute is alive.
void resetIRStorage();

} // namespace mav

#endif // MAV_IR_ATTRIBUTE_H
