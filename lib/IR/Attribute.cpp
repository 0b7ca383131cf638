//===- Attribute.cpp - Typed attribute values of the IR -------------------===//

#include "mav/IR/Attribute.h"

#include "IRStorage.h"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstring>
#include <utility>

using namespace mav;

Attribute Attribute::boolean(bool value) {
  Attribute a;
  a.kind = Kind::Bool;
  a.boolValue = value;
  return a;
}

Attribute Attribute::integer(int64_t value) {
  Attribute a;
  a.kind = Kind::Int;
  a.intValue = value;
  return a;
}

Attribute Attribute::real(double value) {
  Attribute a;
  a.kind = Kind::Float;
  a.floatValue = value;
  return a;
}

// The layout that getString() and == rely on: the text of an inline string
// runs from `inlineText` straight on into `raw`, and the whole object is two
// words without padding.
static_assert(sizeof(Attribute) == 16, "an Attribute is two words");

Attribute Attribute::string(std::string_view value) {
  static_assert(offsetof(Attribute, inlineText) == kInlineTextOffset &&
                    offsetof(Attribute, raw) == 8 &&
                    kInlineTextOffset + kMaxInlineString == sizeof(Attribute),
                "inline strings fill bytes 2-15");
  Attribute a;
  a.kind = Kind::String;
  if (value.size() <= kMaxInlineString) {
    // Every byte past the text stays zero, so equal strings are equal
    // attributes.
    a.inlineLength = static_cast<uint8_t>(value.size());
    if (!value.empty())
      std::memcpy(reinterpret_cast<char *>(&a) + kInlineTextOffset,
                  value.data(), value.size());
    return a;
  }
  a.inlineLength = kOutOfLine;
  a.stringValue = detail::uniqueString(value);
  return a;
}

Attribute Attribute::type(Type value) {
  // The `none` type and the `none` attribute share a spelling; keep one
  // meaning so that every attribute round-trips.
  if (value.getKind() == Type::Kind::None)
    return Attribute();
  Attribute a;
  a.kind = Kind::Type;
  a.typeValue = value;
  return a;
}

Attribute Attribute::list(const ListAttr &value) {
  return list(value.data(), value.size());
}

Attribute Attribute::list(const Attribute *elements, size_t size) {
  Attribute a;
  a.kind = Kind::List;
  a.listValue = detail::uniqueList(elements, size);
  return a;
}

Attribute Attribute::dict(const DictAttr &value) {
  Attribute a;
  a.kind = Kind::Dict;
  a.dictValue = detail::uniqueDict(value);
  return a;
}

Attribute Attribute::stringList(const std::vector<std::string> &values) {
  ListAttr list;
  list.reserve(values.size());
  for (const std::string &v : values)
    list.push_back(Attribute::string(v));
  return Attribute::list(list);
}

Attribute Attribute::intList(const std::vector<int64_t> &values) {
  ListAttr list;
  list.reserve(values.size());
  for (int64_t v : values)
    list.push_back(Attribute::integer(v));
  return Attribute::list(list);
}

size_t Attribute::hash() const { return detail::hashCombine(header(), raw); }

std::string_view Attribute::getKindName(Kind kind) {
  switch (kind) {
  case Kind::None:
    return "none";
  case Kind::Bool:
    return "bool";
  case Kind::Int:
    return "int";
  case Kind::Float:
    return "float";
  case Kind::String:
    return "string";
  case Kind::Type:
    return "type";
  case Kind::List:
    return "list";
  case Kind::Dict:
    return "dictionary";
  }
  return "attribute";
}

//===----------------------------------------------------------------------===//
// DictAttr
//===----------------------------------------------------------------------===//

/// Byte order of keys, deciding on the first byte inline when it differs
/// (most keys of a node do: `args`, `module`, `ops`, `params`...).
static bool keyLess(std::string_view a, std::string_view b) {
  if (!a.empty() && !b.empty() && a[0] != b[0])
    return static_cast<unsigned char>(a[0]) < static_cast<unsigned char>(b[0]);
  return a < b;
}

static auto findKey(const std::vector<NamedAttribute> &entries,
                    std::string_view key) {
  return std::lower_bound(entries.begin(), entries.end(), key,
                          [](const NamedAttribute &e, std::string_view k) {
                            return keyLess(e.name, k);
                          });
}

const Attribute *DictAttr::get(std::string_view key) const {
  auto it = findKey(entries, key);
  if (it == entries.end() || it->name != key)
    return nullptr;
  return &it->value;
}

Attribute *DictAttr::get(std::string_view key) {
  return const_cast<Attribute *>(std::as_const(*this).get(key));
}

/// Makes room for one more entry. Dictionaries are many and small, and
/// passes grow every node's by a few keys each: growing by half (1, 3, 5,
/// 7, 10, 15, 22...) instead of doubling keeps most of them exactly full
/// (a node's 19 attributes after the whole pipeline take 22 slots, not 32),
/// which is hundreds of bytes per node on million-node graphs, at the same
/// amortised cost.
static void reserveOneMore(std::vector<NamedAttribute> &entries) {
  size_t size = entries.size();
  if (size < entries.capacity())
    return;
  entries.reserve(size == 0 ? 1 : size + std::max<size_t>(2, size / 2));
}

/// The uniqued copy of a dictionary key.
static std::string_view uniqueKey(std::string_view key) {
  return detail::uniqueString(key)->value;
}

void DictAttr::set(std::string_view key, Attribute value) {
  // Keys usually come in order (parsing printed IR, passes adding their
  // attributes): appending needs no search and no shifting.
  if (entries.empty() || keyLess(entries.back().name, key)) {
    reserveOneMore(entries);
    entries.push_back(NamedAttribute{uniqueKey(key), value});
    return;
  }
  auto it = findKey(entries, key);
  if (it != entries.end() && it->name == key) {
    entries[it - entries.begin()].value = value;
    return;
  }
  size_t index = static_cast<size_t>(it - entries.begin());
  reserveOneMore(entries);
  entries.insert(entries.begin() + index,
                 NamedAttribute{uniqueKey(key), value});
}

bool DictAttr::erase(std::string_view key) {
  auto it = findKey(entries, key);
  if (it == entries.end() || it->name != key)
    return false;
  entries.erase(entries.begin() + (it - entries.begin()));
  return true;
}

int64_t DictAttr::getInt(std::string_view key, int64_t fallback) const {
  const Attribute *a = get(key);
  return a && a->isInt() ? a->getInt() : fallback;
}

double DictAttr::getNumber(std::string_view key, double fallback) const {
  const Attribute *a = get(key);
  return a && a->isNumber() ? a->getNumber() : fallback;
}

std::string_view DictAttr::getString(std::string_view key,
                                     std::string_view fallback) const {
  const Attribute *a = get(key);
  return a && a->isString() ? std::string_view(a->getString()) : fallback;
}

bool DictAttr::operator==(const DictAttr &other) const {
  if (entries.size() != other.entries.size())
    return false;
  for (size_t i = 0; i < entries.size(); ++i)
    if (entries[i].value != other.entries[i].value ||
        entries[i].name.data() != other.entries[i].name.data())
      return false;
  return true;
}
