//===- Attribute.cpp - Typed attribute values of the IR -------------------===//

#include "mav/IR/Attribute.h"

#include "IRContextImpl.h"

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

static_assert(sizeof(Attribute) == 16, "an Attribute is two words");

Attribute Attribute::string(IRContext &context, std::string_view value) {
  Attribute a;
  a.kind = Kind::String;
  a.stringValue = context.getImpl().getString(value);
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

Attribute Attribute::list(IRContext &context, const ListAttr &value) {
  return list(context, value.data(), value.size());
}

Attribute Attribute::list(IRContext &context, const Attribute *elements,
                          size_t size) {
  Attribute a;
  a.kind = Kind::List;
  a.listValue = context.getImpl().getList(elements, size);
  return a;
}

Attribute Attribute::dict(IRContext &context, const DictAttr &value) {
  Attribute a;
  a.kind = Kind::Dict;
  a.dictValue = context.getImpl().getDict(value);
  return a;
}

Attribute Attribute::stringList(IRContext &context,
                                const std::vector<std::string> &values) {
  ListAttr list;
  list.reserve(values.size());
  for (const std::string &v : values)
    list.push_back(Attribute::string(context, v));
  return Attribute::list(context, list);
}

Attribute Attribute::intList(IRContext &context,
                             const std::vector<int64_t> &values) {
  ListAttr list;
  list.reserve(values.size());
  for (int64_t v : values)
    list.push_back(Attribute::integer(v));
  return Attribute::list(context, list);
}

size_t Attribute::hash() const {
  return detail::hashCombine(static_cast<size_t>(kind), raw);
}

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

/// Keys are sorted in byte order. Most keys of a node differ in their first
/// byte (`args`, `module`, `ops`, `params`...), which settles those without
/// a call to compare the rest.
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

/// The uniqued copy of a dictionary key.
static std::string_view uniqueKey(IRContext &context, std::string_view key) {
  return context.getImpl().getString(key)->value;
}

void DictAttr::set(IRContext &context, std::string_view key, Attribute value) {
  // Keys usually come in order (parsing printed IR, passes adding their
  // attributes): appending needs no search and no shifting.
  if (entries.empty() || keyLess(entries.back().name, key)) {
    entries.push_back(NamedAttribute{uniqueKey(context, key), value});
    return;
  }
  auto it = findKey(entries, key);
  if (it != entries.end() && it->name == key) {
    entries[it - entries.begin()].value = value;
    return;
  }
  size_t index = static_cast<size_t>(it - entries.begin());
  entries.insert(entries.begin() + index,
                 NamedAttribute{uniqueKey(context, key), value});
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
